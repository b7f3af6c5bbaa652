import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BackgroundSpan, RunCheckpoints } from '../checkpoints/index.js';
import type { ChatMessage, ChatModel, ChatResponse, ModelDelta, ToolCall } from '../models/chatModel.js';
import { ModelError } from '../models/chatModel.js';
import type { ModelWait } from '../models/retryWaits.js';
import type { PolicyGate } from '../policy/gate.js';
import type { FileSystemView } from '../policy/paths.js';
import type { Decision, PolicyAction, PolicyContext } from '../policy/types.js';
import { VERDICT_ORDER } from '../policy/types.js';
import type { NewRunEvent } from '../runs/events.js';
import { VSCODE_CLOSED } from '../runs/interruption.js';
import type { Journal } from '../runs/journal.js';
import type { AgentSettings } from '../settings/schema.js';
import { findTask, loadTasks, parseRequirements, subtasksAllDone, writeTaskStatus, type Task, type TaskStatus, type TaskTree } from '../spec/index.js';
import { BackgroundProcesses } from '../tools/backgroundProcesses.js';
import { trackRun, type TrackedRun } from '../tools/liveRuns.js';
import { processStartTime } from '../tools/processGroup.js';
import { parseToolInput, toolByName, toolJsonSchemas } from '../tools/registry.js';
import { endRunProcesses, runMarker } from '../tools/runProcesses.js';
import type { ToolContext, ToolResult } from '../tools/types.js';
import type { CommandSandbox } from '../sandbox/commandSandbox.js';
import { SYSTEM_PROMPT, specFiles, taskPrompt } from './prompt.js';
import { fileRefBudget, resolveFileRefs } from './fileReferences.js';
import { readSteering } from './steeringFiles.js';
import { TaskSteering } from './taskSteering.js';
import { condense, CONDENSE_AT, ContextMeter } from './condense.js';
import { environmentFacts, environmentSection } from './environment.js';
import { RESUMED, taskKey, type ResumeState } from './resume.js';
import { streamedOutput } from './streamedOutput.js';
import { plural } from '../text/plural.js';
import { costOf, formatUsd, priceOf, PRICES_READ_ON } from '../models/prices.js';
import { BUDGET_FLAGS, BUDGETS, higherOf, withRaised, type BudgetSetting, type RaisedBudgets } from '../runs/budgets.js';

export type RunState = 'idle' | 'running' | 'awaiting_approval' | 'paused' | 'stopping' | 'stopped' | 'failed' | 'completed';

export interface ApprovalRequest {
  callId: string;
  tool: string;
  input: unknown;
  decision: Decision;
}

export interface ApprovalAnswer {
  approved: boolean;
  /** What was added to allowedCommands for this (the caller writes the setting): an entry, or one per simple command. */
  alwaysAllow?: string | string[];
  /** Why the user rejected it, when they typed a reason: the model is told, so it can take another way. */
  reason?: string;
}

/**
 * How the executor reads tasks.md and sets a task's marker. The default reads the file on disk and writes the one
 * mark byte, refusing if the file changed since it was read; an editor can route both through its open document.
 */
export interface TaskFileAccess {
  /** The tasks as they are now, with a write that sets the mark of one of them. */
  read(): Promise<{ tree: TaskTree; setStatus(task: Task, status: TaskStatus): Promise<void> }>;
}

/** tasks.md on disk: what the CLI uses. */
export function diskTaskFile(path: string): TaskFileAccess {
  return {
    async read() {
      const spec = await loadTasks(path);
      return {
        tree: spec.tree,
        setStatus: async (task, status) => {
          await writeTaskStatus(path, spec.hash, task, status);
        },
      };
    },
  };
}

/** Who answers `ask`: the panel, a TTY prompt; undefined when there is no one (then ask = deny). */
export type Approver = (request: ApprovalRequest, signal: AbortSignal) => Promise<ApprovalAnswer>;

export interface ExecutorOptions {
  workspace: string;
  tasksFile: string;
  tasks: Task[];
  model: ChatModel;
  gate: PolicyGate;
  /** Read before every decision, so a change of level applies at once. */
  settings: () => AgentSettings;
  context?: Partial<PolicyContext>;
  fsView?: FileSystemView;
  journal: Journal;
  checkpoints?: RunCheckpoints;
  approver?: Approver;
  /** Stop: no tool is dispatched after it, the model request and the running command are aborted. A text given to abort() is the reason journaled. */
  signal: AbortSignal;
  /** Steps after which the run pauses for review (between top-level task groups). */
  pauseAfterTask?: (task: Task) => boolean;
  /** The user's words for this run (a chat request): quoted in every task's prompt as theirs. */
  note?: string;
  /** What an earlier run of the same tasks had done, from its journal. */
  resume?: ResumeState;
  /** Where tasks.md is read and its markers set; the file on disk when not given. */
  taskFile?: TaskFileAccess;
  /** Confines every command (RULES.md §4); without it commands run unconfined. */
  sandbox?: CommandSandbox;
  /** Why no command may run at all (sandbox.mode "required" on a machine without a sandbox, S6). */
  commandsRefused?: string;
  /** Global steering (Kiro's `~/.kiro/steering`); null reads none. Tests give a folder of their own. */
  globalSteeringDir?: string | null;
  /** The host's problem watch: a write or an edit answers with the errors it brought into the file. */
  watchProblems?: ToolContext['watchProblems'];
  /** Budgets raised for this run only (Resume with a raised limit): journaled as budget.raised when the run starts. */
  raise?: RaisedBudgets;
}

export interface RunOutcome {
  state: 'completed' | 'failed' | 'stopped' | 'paused';
  tasksCompleted: number;
  reason?: string;
}

class Pause extends Error {
  constructor(
    readonly kind: 'approval' | 'group' | 'edit-limit' | 'self-corrections' | 'repeated-failure' | 'review' | 'context' | 'rate-limit' | 'budget',
    message: string,
    /** A budget reached: which, its limit, what was spent of it. */
    readonly budget?: { setting: BudgetSetting; limit: number; spent: number },
  ) {
    super(message);
  }
}

const CUT_AT_LIMIT = 'Your answer was cut at the output-token limit, so its tool calls were not run (the last one was incomplete). Write in smaller pieces: a long file as a short write_file followed by edit_file calls that add the rest, one call per answer for large content.';
const NUDGES = 2;

/**
 * Runs tasks with a model, one tool call at a time: every call goes through the gate and is journaled before
 * it is dispatched; file-changing calls are bracketed by checkpoints. Exactly one terminal event ends every
 * run, whatever happens.
 */
export class Executor {
  state: RunState = 'idle';
  private completedSteps: string[] = [];
  /** Keys of the tasks whose completion was verified in this run: a parent ticked after its sub-tasks needs each. */
  private readonly verifiedTasks = new Set<string>();
  private stopAfterThisTask = false;
  /** Since the last pause between groups: tokens used and checks run, for the review. */
  private group = { inputTokens: 0, outputTokens: 0, checks: [] as string[] };
  private step = 0;
  /** What the current task has spent, for its budgets; the run's reported cost. */
  private spent = { input: 0, output: 0, started: Date.now() };
  /** The run's cost so far, with the runs of its chain it resumed (maxCostPerRun holds for the piece of work). */
  private costUsd: number;
  /** The model's rates from the price table, for a provider that reports no cost; undefined: no price known. */
  private readonly price: ReturnType<typeof priceOf>;
  /** Budgets raised for this run and the chain before it. */
  private readonly raised: RaisedBudgets;
  /** Tokens of the current task's conversation, by the provider's count of the last request. */
  private readonly meter = new ContextMeter();
  private readonly originalMarks = new Map<number, TaskStatus>();
  private readonly taskFile: TaskFileAccess;
  /** The process groups of the run's commands, while it runs (ended at its end, or at the exit of this process). */
  private processes: TrackedRun | undefined;
  /** The running task's steering: fileMatch files join when the agent reads or edits a matching file. */
  private steering: TaskSteering | undefined;
  /** What run_command started with background: true: ended at its task's end, at Stop and at the run's end. */
  private background: BackgroundProcesses | undefined;
  /** The live output of each background process, bounded per process as a command's is. */
  private readonly backgroundOutput = new Map<string, ReturnType<typeof streamedOutput>>();
  /** The checkpoints taken as background processes end, awaited before anything else writes (the next task, the marks). */
  private backgroundCheckpoints: Array<Promise<void>> = [];
  /** The call that started each background process, which its checkpoints are journaled under. */
  private readonly backgroundCalls = new Map<string, string>();

  constructor(private readonly o: ExecutorOptions) {
    this.taskFile = o.taskFile ?? diskTaskFile(o.tasksFile);
    this.costUsd = o.resume?.costUsd ?? 0;
    this.price = priceOf(o.model.id);
    // A limit raised earlier in the chain stays raised: a later, lower raise does not bring it down.
    this.raised = higherOf(o.resume?.raised ?? {}, o.raise ?? {});
  }

  private emit = (e: Parameters<Journal['append']>[0]) => this.o.journal.append(e);

  /** The model client waits to retry (rate limit): one event, which the panel and the CLI count down. */
  private onWait = (w: ModelWait) => this.emit({ type: 'model.waiting', host: w.host, status: w.status, until: w.until.toISOString(), attempt: w.attempt, retryAfter: w.retryAfter });
  private streamDelta = (d: ModelDelta): void => {
    if ('restart' in d) this.emit({ type: 'model.delta', channel: 'text', text: '', restart: true });
    else if (d.text) this.emit({ type: 'model.delta', channel: d.channel, text: d.text });
  };

  /** What the user reviews at a pause between task groups: the group's diffstat, checks and tokens. */
  private async groupReview(task: Task): Promise<string> {
    const stat = (await this.o.checkpoints?.diffstat().catch(() => [])) ?? [];
    const added = stat.reduce((n, f) => n + (f.added ?? 0), 0);
    const removed = stat.reduce((n, f) => n + (f.removed ?? 0), 0);
    const files = stat.length ? `${plural(stat.length, 'file')} changed (+${added} -${removed}): ${stat.map((f) => f.path).join(', ')}` : 'no files changed';
    const checks = this.group.checks.length ? `checks: ${this.group.checks.join(', ')}` : 'no checks ran';
    const tokens = `${this.group.inputTokens + this.group.outputTokens} tokens`;
    this.group = { inputTokens: 0, outputTokens: 0, checks: [] };
    return `task group ${task.id ?? task.title} is done; review before the next group: ${files}; ${checks}; ${tokens}. Resume goes on (the Resume button in VS Code, \`spec-agent runs resume\` in a terminal).`;
  }

  /** "Stop after this task": the task under way finishes (or fails) normally, then the run stops. */
  stopAfterCurrentTask(): void {
    this.stopAfterThisTask = true;
  }

  async run(): Promise<RunOutcome> {
    this.state = 'running';
    let outcome: RunOutcome = { state: 'failed', tasksCompleted: 0, reason: 'not started' };
    let completed = 0;
    this.processes = trackRun(this.o.journal.runId);
    this.background = this.backgroundProcesses();
    try {
      // What the limit was before this raise: the settings', or an earlier Resume's raise in the chain.
      const before = withRaised(this.o.settings(), this.o.resume?.raised ?? {});
      for (const k of BUDGETS) {
        const value = this.o.raise?.[k];
        if (value !== undefined) this.emit({ type: 'budget.raised', setting: k, value, ...(before[k] !== undefined ? { previous: before[k] } : {}) });
      }
      for (const task of this.o.tasks) {
        if (this.o.signal.aborted) throw new StopSignal();
        await this.runTask(task);
        // A dev server a task started serves that task: the next one starts its own.
        await this.endBackground('task');
        completed++;
        if (this.stopAfterThisTask && task !== this.o.tasks.at(-1)) throw new StopSignal(`stopped after task ${task.id ?? task.title}, as asked`);
        if (this.o.pauseAfterTask?.(task) && task !== this.o.tasks.at(-1)) throw new Pause('group', await this.groupReview(task));
      }
      outcome = { state: 'completed', tasksCompleted: completed };
    } catch (err) {
      if (err instanceof StopSignal || this.o.signal.aborted) outcome = { state: 'stopped', tasksCompleted: completed, reason: err instanceof StopSignal && err.message !== 'stopped' ? err.message : stopReason(this.o.signal) };
      else if (err instanceof Pause) outcome = { state: 'paused', tasksCompleted: completed, reason: err.message, ...{ kind: err.kind, ...(err.budget ? { budget: err.budget } : {}) } };
      else outcome = { state: 'failed', tasksCompleted: completed, reason: err instanceof Error ? err.message : String(err) };
    } finally {
      // First, so nothing the run started writes to the workspace after its last snapshot.
      await this.endBackground(outcome.state === 'stopped' ? 'stop' : 'run');
      await this.endLeftovers();
      await this.restoreMarks(outcome.state === 'completed').catch(() => undefined);
      await this.o.checkpoints?.finish().catch(() => undefined);
      this.terminal(outcome);
      this.processes.done();
    }
    return outcome;
  }

  /** A checkpoint of what background processes wrote between steps, journaled under the call that started the first. */
  private backgroundSpanCreated(span: BackgroundSpan): void {
    const callId = this.backgroundCalls.get(span.background[0]!);
    this.emit({ type: 'checkpoint.created', commit: span.after, label: span.label, ...(callId ? { callId } : {}) });
  }

  /** Ends the background processes still running, and waits for the checkpoints that close what they wrote. */
  private async endBackground(by: 'task' | 'stop' | 'run'): Promise<void> {
    await this.background!.endAll(by);
    const pending = this.backgroundCheckpoints;
    this.backgroundCheckpoints = [];
    await Promise.all(pending);
  }

  /**
   * RULES.md S5: whatever ends the run, no process it started outlives it: a server left in the background, a
   * daemon that left its command's process group. They are ended, and the journal says which.
   */
  private async endLeftovers(): Promise<void> {
    const ended = await endRunProcesses([this.processes!.trace]).catch(() => []);
    if (ended.length > 0) this.emit({ type: 'processes.ended', count: ended.length, processes: ended.map((p) => ({ pid: p.pid, command: p.command })) });
  }

  /** The run's background processes, journaled: started, their output (bounded, as tool.output of the call that started them), ended. */
  private backgroundProcesses(): BackgroundProcesses {
    return new BackgroundProcesses({
      workspace: this.o.workspace,
      runId: this.o.journal.runId,
      // Ids go on from the runs this one resumed: the conversation it gives back names theirs.
      firstId: (this.o.resume?.lastBackgroundId ?? 0) + 1,
      events: {
        started: (p) => {
          this.backgroundOutput.set(p.id, this.streamedOutput(p.callId));
          this.emit({ type: 'background.started', ...p });
          this.backgroundCalls.set(p.id, p.callId);
          this.o.checkpoints?.backgroundStarted(p.id, p.command);
        },
        output: (p) => {
          if (p.text) this.backgroundOutput.get(p.id)?.onOutput({ stream: p.stream, text: p.text });
        },
        ended: (p) => {
          this.backgroundOutput.get(p.id)?.finish();
          this.backgroundOutput.delete(p.id);
          this.emit({ type: 'background.ended', ...p });
          // What it wrote after the last step is its own, not the user's nor the next step's: a checkpoint at its end says so.
          const step = this.o.checkpoints?.backgroundEnded(p.id).then(
            (s) => void (s && this.backgroundSpanCreated(s)),
            () => undefined,
          );
          if (step) this.backgroundCheckpoints.push(step);
        },
      },
    });
  }

  /** What a tool of call `callId` runs with: commands carry the run's marker, and their process groups are journaled. */
  private toolContext(callId: string, onOutput: ToolContext['onOutput']): ToolContext {
    const runId = this.o.journal.runId;
    return {
      workspaceRoot: this.o.workspace,
      signal: this.o.signal,
      commandTimeoutSeconds: this.o.settings().commandTimeoutSeconds,
      onOutput,
      runId,
      // Commands are confined by the run's sandbox, and keep the variables sandbox.passEnv names.
      passEnv: this.o.settings().sandbox.passEnv,
      protectedPaths: this.o.settings().protectedPaths,
      ...(this.o.sandbox ? { sandbox: this.o.sandbox } : {}),
      callId,
      ...(this.background ? { background: this.background } : {}),
      ...(this.o.watchProblems ? { watchProblems: this.o.watchProblems } : {}),
      onCommandStarted: (pid) => {
        const startTime = processStartTime(pid);
        this.processes?.addGroup({ pgid: pid, ...(startTime ? { startTime } : {}) });
        this.emit({ type: 'process.started', callId, pid, pgid: pid, ...(startTime ? { startTime } : {}), marker: runMarker(runId) });
      },
    };
  }

  /** The one terminal event; `paused` is journaled as run.paused and then run.stopped, so the run can resume. */
  private terminal(outcome: RunOutcome & { kind?: string; budget?: Pause['budget'] }): void {
    switch (outcome.state) {
      case 'completed':
        this.state = 'completed';
        this.emit({ type: 'run.completed', tasksCompleted: outcome.tasksCompleted });
        return;
      case 'stopped':
        this.state = 'stopped';
        this.emit({ type: 'run.stopped', reason: outcome.reason ?? 'stopped', completedSteps: this.completedSteps });
        return;
      case 'paused':
        this.state = 'paused';
        this.emit({ type: 'run.paused', reason: outcome.reason ?? 'paused', kind: (outcome.kind as never) ?? 'review', ...(outcome.budget ? { budget: outcome.budget } : {}) });
        this.emit({ type: 'run.stopped', reason: `paused: ${outcome.reason}`, completedSteps: this.completedSteps });
        return;
      default:
        this.state = 'failed';
        this.emit({ type: 'run.failed', error: outcome.reason ?? 'failed' });
    }
  }

  private async setMark(task: Task, status: TaskStatus): Promise<void> {
    // Read again each time: the user may be editing tasks.md while the agent works.
    const spec = await this.taskFile.read();
    // Found as the file has it now: a title the user fixed while the agent works is still the same task.
    const current = findTask(spec.tree, task, this.o.tasks);
    if (!current) throw new Error(`task ${task.id ?? task.title} is no longer in ${this.o.tasksFile}`);
    if (!this.originalMarks.has(task.index)) this.originalMarks.set(task.index, current.status);
    if (current.status === status) return;
    // The tick is the run's change too: bracketed like a step, so discarding the run unticks the box. That holds
    // when the write reaches the disk inside the bracket: always for the file on disk, and for an open document
    // that had no unsaved edits (it is saved after the edit). A document with unsaved edits of the user gets the
    // tick in its buffer only, unsaved: the snapshots see no change here, the tick reaches the disk when the user
    // saves, between steps, so it counts as the user's edit and a discard leaves it (and their edits) alone.
    const label = `mark task ${task.id ?? task.title} ${status}`;
    const before = await this.o.checkpoints?.beforeStep(label);
    if (before?.backgroundSpan) this.backgroundSpanCreated(before.backgroundSpan);
    try {
      await spec.setStatus(current, status);
    } finally {
      await this.o.checkpoints?.afterStep(label);
    }
  }

  /** On stop or failure, unfinished tasks get their marker back; ticked ones stay ticked. */
  private async restoreMarks(all: boolean): Promise<void> {
    if (all) return;
    for (const task of this.o.tasks) {
      const original = this.originalMarks.get(task.index);
      if (original === undefined) continue;
      const spec = await this.taskFile.read();
      const current = findTask(spec.tree, task, this.o.tasks);
      if (current && current.status === 'in_progress') await spec.setStatus(current, original);
    }
  }

  private async runTask(task: Task): Promise<void> {
    if (this.o.resume?.completed.has(taskKey(task))) return;
    const files = await specFiles(this.o.tasksFile);
    this.emit({ type: 'task.started', task: { id: task.id, title: task.title, line: task.range.start.line }, ...(files.requirementsFile ? { requirementsFile: files.requirementsFile } : {}) });
    const spec = await this.taskFile.read();
    const fresh = findTask(spec.tree, task, this.o.tasks) ?? task;
    const children = fresh.children.map((i) => spec.tree.tasks[i]!);
    if (children.length > 0 && children.every((c) => c.status === 'done' || c.optional)) {
      // A parent whose sub-tasks are all done needs no model: tick it.
      await this.tickParent(task, children);
      await this.tickFinishedParents(task);
      return;
    }
    await this.setMark(task, 'in_progress');

    this.meter.reset();
    const workspaceFiles = await this.listWorkspace();
    const recorded = this.o.resume?.history.get(taskKey(task)) ?? [];
    // One budget for what the task's `#[[file:…]]` references quote: its own lines, design.md, its steering.
    const refs = fileRefBudget();
    const details = await Promise.all(fresh.details.map((d) => resolveFileRefs(d, this.o.workspace, refs)));
    const design = files.design === undefined ? undefined : await resolveFileRefs(files.design, this.o.workspace, refs);
    this.steering = new TaskSteering(await readSteering(this.o.workspace, this.o.globalSteeringDir), this.o.workspace, (s) => this.emit({ type: 'steering.included', taskId: task.id, ...s }), recorded, refs);
    const steering = await this.steering.start([fresh.title, ...fresh.details]);
    const messages: ChatMessage[] = [
      { role: 'system', content: SYSTEM_PROMPT },
      {
        role: 'user',
        content: taskPrompt({
          workspace: this.o.workspace,
          tasksFile: this.o.tasksFile,
          tree: spec.tree,
          task: { ...fresh, details },
          requirements: files.requirements ? parseRequirements(files.requirements, files.requirementsFile) : undefined,
          design,
          steering: steering.quoted,
          steeringOnRequest: steering.onRequest,
          workspaceFiles,
          verifyCommands: this.o.settings().verifyCommands,
          environment: environmentSection(await environmentFacts(this.o.workspace, this.o.context?.shell ?? 'bash')),
          ...(this.o.note ? { note: this.o.note } : {}),
        }),
      },
    ];

    // Resuming: the earlier run's turns and results for this task, after the prompt; nothing is run again.
    messages.push(...recorded);
    if (recorded.length > 0) messages.push({ role: 'user', content: RESUMED });

    let fileEdits = recorded.filter((m) => m.role === 'assistant').flatMap((m) => (m.role === 'assistant' ? m.toolCalls : [])).filter((c) => c.tool === 'write_file' || c.tool === 'edit_file').length;
    let selfCorrections = 0;
    let nudges = 0;
    let lastFailure: string | undefined;
    this.spent = { input: 0, output: 0, started: Date.now() };
    for (let turn = 0; ; turn++) {
      if (this.o.signal.aborted) throw new StopSignal();
      this.checkBudgets(task, turn);
      this.emit({ type: 'step.started', taskId: task.id, step: ++this.step, label: 'model' });
      let response;
      try {
        response = await this.request(messages, task);
      } catch (err) {
        if (this.o.signal.aborted) throw new StopSignal();
        throw err instanceof ModelError || err instanceof Pause ? err : new Error(`the model request failed: ${(err as Error).message}`);
      }
      if (response.thinking) this.emit({ type: 'model.thinking', text: response.thinking });
      if (response.text) this.emit({ type: 'model.text', text: response.text });
      messages.push({ role: 'assistant', content: response.text, toolCalls: response.toolCalls });
      if (response.toolCalls.length === 0) {
        if (response.cutAtLimit) {
          messages.push({ role: 'user', content: CUT_AT_LIMIT });
          continue;
        }
        if (++nudges > NUDGES) throw new Error(`the model stopped without calling complete_task for task ${task.id ?? task.title}`);
        messages.push({ role: 'user', content: 'Continue with the task using the tools; call complete_task when it is done and checked.' });
        continue;
      }
      for (const call of response.toolCalls) {
        if (this.o.signal.aborted) throw new StopSignal();
        // An answer cut at the output limit: none of its calls runs (the last one is incomplete).
        const result: Awaited<ReturnType<Executor['toolCall']>> = response.cutAtLimit ? this.notRun(call, CUT_AT_LIMIT) : call.invalidArguments !== undefined ? this.notRun(call, `The arguments of this ${call.tool} call were not valid JSON (${call.invalidArguments}). Send the call again with its arguments as one JSON object.`) : await this.toolCall(call, task, fileEdits);
        messages.push({ role: 'tool', toolCallId: call.id, tool: call.tool, content: result.output });
        if (result.data?.countsAsEdit) fileEdits++;
        if (result.completed) return this.tickFinishedParents(task);
        if (!result.ok) {
          const signature = `${call.tool}:${JSON.stringify(call.input)}`;
          if (result.retryableCheck) {
            selfCorrections++;
            this.emit({ type: 'selfcorrection', taskId: task.id, count: selfCorrections, max: this.o.settings().maxSelfCorrections, reason: `${describeCall(call)} failed (${result.output.split('\n')[0] ?? 'no output'})` });
            if (selfCorrections > this.o.settings().maxSelfCorrections) throw new Pause('self-corrections', `task ${task.id ?? task.title}: checks still fail after ${selfCorrections - 1} corrections`);
          }
          if (signature === lastFailure && !result.denied) throw new Pause('repeated-failure', `the same failing ${call.tool} was repeated: ${result.output.split('\n')[0]}`);
          lastFailure = signature;
        } else lastFailure = undefined;
      }
    }
  }

  /**
   * One model turn. Past CONDENSE_AT of the window (by the provider's own count of the last request) the older
   * turns are condensed first; a context-overflow answer condenses and retries once, then pauses with the reason.
   */
  private async request(messages: ChatMessage[], task: Task): Promise<ChatResponse> {
    const window = this.o.model.contextWindow;
    const tools = toolJsonSchemas();
    if (this.meter.estimate(messages) > window * CONDENSE_AT) await this.condense(messages, task, 'window');
    for (let attempt = 0; ; attempt++) {
      const length = messages.length;
      try {
        // The answer streams to the panel and the terminal as transient events; the journal gets it whole below.
        const response = await this.o.model.complete({ messages, tools, signal: this.o.signal, onDelta: this.streamDelta, onWait: this.onWait });
        this.meter.record(messages, length, response.usage);
        this.usage(response.usage);
        return response;
      } catch (err) {
        // Still rate limited after the provider's retries (which wait as retry-after says): a pause, not a failure.
        if (err instanceof ModelError && err.kind === 'rate-limit' && !this.o.signal.aborted) {
          throw new Pause('rate-limit', `task ${task.id ?? task.title}: ${err.message}. Nothing was lost: Resume goes on from here once the limit has passed.`);
        }
        if (!(err instanceof ModelError) || err.kind !== 'context-overflow' || this.o.signal.aborted) throw err;
        if (attempt > 0 || !(await this.condense(messages, task, 'overflow'))) {
          throw new Pause('context', `task ${task.id ?? task.title}: the conversation does not fit the model's context window (${window.toLocaleString('en-US')} tokens as configured) even after condensing; ${err.message}. If the model's window is larger, say so (specAgent.model.contextWindow in VS Code, --context-window in the CLI); else split the task.`);
        }
      }
    }
  }

  /** Condenses the task's conversation in place; false when there was nothing older than the last turn to condense. */
  private async condense(messages: ChatMessage[], task: Task, reason: 'window' | 'overflow'): Promise<boolean> {
    const tokensBefore = this.meter.estimate(messages);
    const c = await condense(messages, { model: this.o.model, tools: toolJsonSchemas(), signal: this.o.signal, tokensBefore, onWait: this.onWait });
    if (this.o.signal.aborted) throw new StopSignal();
    if (!c) return false;
    this.usage(c.usage);
    messages.splice(0, messages.length, ...c.messages);
    this.meter.reset();
    this.emit({ type: 'context.condensed', taskId: task.id, reason, by: c.by, summary: c.summary, tokensBefore: c.tokensBefore, tokensAfter: c.tokensAfter, replaced: c.replaced });
    return true;
  }

  /**
   * The budgets of .kiro/settings.json, checked between steps (a command under way is never cut): reaching one
   * pauses the run, saying what was spent; the settings are read again at each check, so Resume after raising one
   * goes on.
   */
  private checkBudgets(task: Task, turns: number): void {
    const s = withRaised(this.o.settings(), this.raised);
    const name = `task ${task.id ?? task.title}`;
    const tokens = this.spent.input + this.spent.output;
    const spent = `${tokens.toLocaleString('en-US')} tokens (${this.spent.input.toLocaleString('en-US')} in, ${this.spent.output.toLocaleString('en-US')} out) in ${plural(turns, 'model turn')}, ${Math.round((Date.now() - this.spent.started) / 1000)} s`;
    // Two ways on: the settings file for every run, or a raised limit for this run only (the panel, the CLI flag).
    const raise = (setting: BudgetSetting) => `Raise agent.${setting} in .kiro/settings.json (or remove it), then Resume; or resume with a raised limit for this run only (the panel's Resume with a raised limit, \`spec-agent runs resume ${this.o.journal.runId} ${BUDGET_FLAGS[setting]} N\`).`;
    const minutes = (Date.now() - this.spent.started) / 60_000;
    if (turns >= s.maxTurnsPerTask) throw new Pause('budget', `${name} reached maxTurnsPerTask (${s.maxTurnsPerTask}): ${spent}. ${raise('maxTurnsPerTask')}`, { setting: 'maxTurnsPerTask', limit: s.maxTurnsPerTask, spent: turns });
    if (s.maxTokensPerTask !== undefined && tokens >= s.maxTokensPerTask) throw new Pause('budget', `${name} reached maxTokensPerTask (${s.maxTokensPerTask.toLocaleString('en-US')}): ${spent}. ${raise('maxTokensPerTask')}`, { setting: 'maxTokensPerTask', limit: s.maxTokensPerTask, spent: tokens });
    if (s.maxMinutesPerTask !== undefined && minutes >= s.maxMinutesPerTask) throw new Pause('budget', `${name} reached maxMinutesPerTask (${s.maxMinutesPerTask}): ${spent}. ${raise('maxMinutesPerTask')}`, { setting: 'maxMinutesPerTask', limit: s.maxMinutesPerTask, spent: minutes });
    if (s.maxCostPerRun !== undefined && this.costUsd >= s.maxCostPerRun) throw new Pause('budget', `the run reached maxCostPerRun (${formatUsd(s.maxCostPerRun)}): ${formatUsd(this.costUsd)} ${this.costBasis()}; ${name} so far: ${spent}. ${raise('maxCostPerRun')}`, { setting: 'maxCostPerRun', limit: s.maxCostPerRun, spent: this.costUsd });
  }

  /** Where the run's cost comes from, for the budget message. */
  private costBasis(): string {
    return this.price ? `(the provider's reported cost, else the price table's rates for ${this.price.name} as of ${PRICES_READ_ON})` : 'as reported by the provider';
  }

  private usage(usage: ChatResponse['usage']): void {
    if (!usage) return;
    this.spent.input += usage.inputTokens ?? 0;
    this.spent.output += usage.outputTokens ?? 0;
    // The provider's own figure when it gives one (OpenRouter), else the table's; neither: tokens only.
    const costUsd = usage.costUsd ?? (this.price ? costOf(this.price.price, usage) : undefined);
    this.costUsd += costUsd ?? 0;
    this.emit({ type: 'model.usage', ...usage, ...(costUsd !== undefined ? { costUsd, costSource: usage.costUsd !== undefined ? 'provider' : 'table' } : {}) });
    this.group.inputTokens += usage.inputTokens ?? 0;
    this.group.outputTokens += usage.outputTokens ?? 0;
  }

  /**
   * Ticks a parent whose sub-tasks are done. It is verified only when each done sub-task's completion was, in this
   * run or the one it resumes (one ticked by hand, or in another run, is not known to be).
   */
  private async tickParent(task: Task, children: Task[]): Promise<void> {
    await this.setMark(task, 'done');
    const done = children.filter((c) => c.status === 'done');
    const verified = done.filter((c) => this.verifiedTasks.has(taskKey(c)) || this.o.resume?.verified.has(taskKey(c))).length;
    const ok = done.length > 0 && verified === done.length;
    if (ok) this.verifiedTasks.add(taskKey(task));
    this.emit({ type: 'task.completed', taskId: task.id, summary: 'all sub-tasks are done', requirements: [], verification: [], verified: ok, subtasks: { done: done.length, verified } });
  }

  /**
   * `task` was just ticked: if it was the last open sub-task of a parent that is not among the run's tasks (2.2 run
   * on its own, 2.1 done in an earlier run), the parent is ticked too, so it does not stay `[ ]` with every sub-task
   * done. Journaled as a task of its own (task.started, task.completed), and so on up the tree.
   */
  private async tickFinishedParents(task: Task): Promise<void> {
    for (let child: Task = task; ; ) {
      const spec = await this.taskFile.read();
      const fresh = findTask(spec.tree, child, this.o.tasks);
      const parent = fresh?.parent != null ? spec.tree.tasks[fresh.parent] : undefined;
      if (!parent || parent.status === 'done' || !subtasksAllDone(spec.tree, parent)) return;
      // One of the run's tasks comes after its sub-tasks, and is ticked in its turn.
      if (this.o.tasks.some((t) => t.id === parent.id && t.title === parent.title)) return;
      if (this.o.signal.aborted) return;
      this.emit({ type: 'task.started', task: { id: parent.id, title: parent.title, line: parent.range.start.line } });
      await this.tickParent(parent, parent.children.map((i) => spec.tree.tasks[i]!));
      child = parent;
    }
  }

  /** The workspace's files for the prompt; a listing that fails leaves the prompt without it, not the run. */
  private async listWorkspace(): Promise<string[]> {
    const r = await toolByName('list_files')!
      .run({}, { workspaceRoot: this.o.workspace, signal: this.o.signal, commandTimeoutSeconds: 30 })
      .catch(() => undefined);
    return r?.ok ? r.output.split('\n').filter((l) => l && !l.startsWith('[')) : [];
  }

  /** One tool call: journal, gate, approval, checkpoints, dispatch, result. */
  private async toolCall(call: ToolCall, task: Task, fileEdits: number): Promise<ToolResult & { completed?: boolean; retryableCheck?: boolean; denied?: boolean }> {
    this.emit({ type: 'tool.requested', callId: call.id, tool: call.tool, input: call.input });
    const parsed = parseToolInput(call.tool, call.input);
    if (!parsed.ok) return this.finish(call, { ok: false, output: parsed.error }, 0);
    const tool = toolByName(call.tool)!;
    const settings = this.o.settings();

    if (call.tool === 'complete_task') return this.complete(call, task, parsed.input as { summary: string; requirements?: Array<{ id: string; evidence: string }> });

    const steeringText = call.tool === 'read_file' ? await this.steering?.requested(String((parsed.input as { path?: unknown }).path ?? '')) : undefined;
    if (steeringText !== undefined) return this.finish(call, { ok: true, output: steeringText, data: { steering: true } }, 0);

    const action = this.actionOf(call.tool, parsed.input);
    if ((action.kind === 'write' || action.kind === 'create') && fileEdits >= settings.maxFileEditsPerTask) {
      throw new Pause('edit-limit', `task ${task.id ?? task.title} reached maxFileEditsPerTask (${settings.maxFileEditsPerTask})`);
    }
    let decision = this.o.gate.check(action, settings, { ...this.o.context, workspaceRoot: this.o.workspace, fileEditsSoFarInTask: fileEdits }, this.o.fsView);
    if (action.kind === 'command' && this.o.commandsRefused) decision = refusedUnconfined(this.o.commandsRefused, decision);
    // read_file of several paths: each is a read the gate decides; the strictest decision holds for the call.
    for (const path of call.tool === 'read_file' ? ((parsed.input as { paths?: string[] }).paths ?? []) : []) {
      const d = this.o.gate.check({ kind: 'read', path, tool: 'read_file' }, settings, { ...this.o.context, workspaceRoot: this.o.workspace }, this.o.fsView);
      if (VERDICT_ORDER[d.verdict] > VERDICT_ORDER[decision.verdict]) decision = d;
    }
    this.emit({ type: 'gate.decided', callId: call.id, verdict: decision.verdict, rule: decision.rule, reason: decision.reason, findings: decision.findings });

    if (decision.verdict === 'deny') return { ...this.finish(call, { ok: false, output: `Denied by the policy gate (rule ${decision.rule}): ${decision.reason.replace(/^deny: /, '')}. Do not retry this; take another way.` }, 0), denied: true };
    if (decision.verdict === 'ask') {
      const answer = await this.askApproval(call, decision);
      if (!answer.approved) return { ...this.finish(call, { ok: false, output: refusal(call, decision, answer) }, 0), denied: true };
    }

    const started = performance.now();
    if (tool.changesFiles) await this.checkpoint('before', call);
    let result: ToolResult;
    const output = this.streamedOutput(call.id);
    try {
      result = await tool.run(parsed.input, this.toolContext(call.id, output.onOutput));
    } finally {
      output.finish();
      if (tool.changesFiles) await this.checkpoint('after', call);
    }
    if (this.o.signal.aborted) {
      this.finish(call, result, performance.now() - started);
      throw new StopSignal();
    }
    if (result.ok) result = await this.withSteering(call.tool, parsed.input, result);
    const out = this.finish(call, result, performance.now() - started);
    this.completedSteps.push(`${call.tool} ${summarise(call.input)}`);
    const countsAsEdit = call.tool === 'write_file' || call.tool === 'edit_file';
    return { ...out, data: { ...out.data, countsAsEdit }, retryableCheck: call.tool === 'run_command' && !result.ok && this.o.settings().verifyCommands.includes(String((parsed.input as { command: string }).command)) };
  }

  /** A call answered without being dispatched: journaled as requested and finished, with why. */
  private notRun(call: ToolCall, why: string): ToolResult {
    this.emit({ type: 'tool.requested', callId: call.id, tool: call.tool, input: call.input });
    return this.finish(call, { ok: false, output: why }, 0);
  }

  /** A read or edit of files that fileMatch steering matches: the steering joins the context, in the tool result. */
  private async withSteering(tool: string, input: unknown, result: ToolResult): Promise<ToolResult> {
    if (!this.steering || !['read_file', 'edit_file', 'write_file'].includes(tool)) return result;
    const i = input as { path?: unknown; paths?: unknown };
    const paths = [i.path, ...(Array.isArray(i.paths) ? i.paths : [])].filter((p): p is string => typeof p === 'string');
    const note = await this.steering.touched(paths, tool === 'read_file' ? 'read' : 'edit');
    return note ? { ...result, output: `${result.output}\n\n${note}` } : result;
  }

  /** A command's live output as tool.output events, bounded per call (a log of gigabytes must not fill the journal). */
  private streamedOutput(callId: string): ReturnType<typeof streamedOutput> {
    return streamedOutput((chunk) => this.emit({ type: 'tool.output', callId, stream: chunk.stream, text: chunk.text }));
  }

  private finish(call: ToolCall, result: ToolResult, durationMs: number): ToolResult {
    this.emit({ type: 'tool.finished', callId: call.id, ok: result.ok, output: result.output, data: result.data, durationMs: Math.round(durationMs) });
    return result;
  }

  private async checkpoint(when: 'before' | 'after', call: ToolCall): Promise<void> {
    const c = this.o.checkpoints;
    if (!c) return;
    const label = `${call.tool} ${summarise(call.input)}`;
    const before = when === 'before' ? await c.beforeStep(label) : undefined;
    if (before?.backgroundSpan) this.backgroundSpanCreated(before.backgroundSpan);
    const s = before ?? (await c.afterStep(label));
    this.emit({ type: 'checkpoint.created', commit: s.commit, label: `${when} ${label}`, ...(s.skipped.length ? { skipped: s.skipped } : {}), callId: call.id });
  }

  private async askApproval(call: ToolCall, decision: Decision): Promise<ApprovalAnswer & { by: 'user' | 'no-one-to-ask' }> {
    this.emit({ type: 'approval.requested', callId: call.id, tool: call.tool, input: call.input, rule: decision.rule, reason: decision.reason });
    if (!this.o.approver) {
      this.emit({ type: 'approval.resolved', callId: call.id, approved: false, by: 'no-one-to-ask' });
      return { approved: false, by: 'no-one-to-ask' };
    }
    this.state = 'awaiting_approval';
    // Once journaled, never again: a listener of the journal that throws (the extension host's log channel, closed
    // as the window goes) must not make a second approval.resolved of the same call.
    let resolved = false;
    try {
      const answer = await this.o.approver({ callId: call.id, tool: call.tool, input: call.input, decision }, this.o.signal);
      if (this.o.signal.aborted) {
        resolved = true;
        this.emit(cancelledApproval(call.id, this.o.signal));
        throw new StopSignal();
      }
      resolved = true;
      const reason = answer.approved ? undefined : answer.reason?.trim() || undefined;
      this.emit({ type: 'approval.resolved', callId: call.id, approved: answer.approved, by: 'user', ...(answer.alwaysAllow ? { alwaysAllow: answer.alwaysAllow } : {}), ...(reason ? { reason } : {}) });
      return { approved: answer.approved, by: 'user', ...(reason ? { reason } : {}) };
    } catch (err) {
      if (this.o.signal.aborted && !(err instanceof StopSignal)) {
        if (!resolved) this.emit(cancelledApproval(call.id, this.o.signal));
        throw new StopSignal();
      }
      throw err;
    } finally {
      if (this.state === 'awaiting_approval') this.state = 'running';
    }
  }

  /** What the gate is asked: a command, a read, or a write/create/delete of a workspace path. */
  private actionOf(tool: string, input: unknown): PolicyAction {
    const i = input as { command?: string; path?: string };
    switch (tool) {
      case 'run_command':
        return { kind: 'command', command: i.command! };
      case 'write_file':
        return { kind: existsSync(join(this.o.workspace, i.path!)) ? 'write' : 'create', path: i.path! };
      case 'edit_file':
        return { kind: 'write', path: i.path! };
      case 'delete_file':
        return { kind: 'delete', path: i.path! };
      case 'read_file':
        // With only `paths`, the first is this action; the others are checked beside it (toolCall).
        return { kind: 'read', path: i.path ?? (input as { paths: string[] }).paths[0]!, tool };
      case 'list_files':
      case 'search_files':
        return { kind: 'read', path: i.path ?? '.', tool };
      case 'read_output':
        // A read of the file the process writes its output to (in the run's own outputs folder).
        return { kind: 'read', path: this.background?.outputFileOf((input as { id: string }).id) ?? '.', tool: 'read_file' };
      default:
        // Every tool goes through the gate: one without an action here must not run ungated.
        throw new Error(`the tool ${tool} has no policy action, so it cannot go through the gate`);
    }
  }

  /** complete_task: run the verify commands through the gate; all pass -> tick the box. */
  private async complete(call: ToolCall, task: Task, input: { summary: string; requirements?: Array<{ id: string; evidence: string }> }): Promise<ToolResult & { completed?: boolean; retryableCheck?: boolean }> {
    const settings = this.o.settings();
    this.emit({ type: 'gate.decided', callId: call.id, verdict: 'allow', rule: 'V0', reason: 'allow: completing a task runs its checks, each through the gate', findings: [] });
    const verification: Array<{ command: string; exitCode: number | null; ok: boolean }> = [];
    const runner = toolByName('run_command')!;
    for (const command of settings.verifyCommands) {
      let decision = this.o.gate.check({ kind: 'command', command }, settings, { ...this.o.context, workspaceRoot: this.o.workspace }, this.o.fsView);
      if (this.o.commandsRefused) decision = refusedUnconfined(this.o.commandsRefused, decision);
      if (decision.verdict === 'deny' || (decision.verdict === 'ask' && !(await this.askApproval(call, decision)).approved)) {
        verification.push({ command, exitCode: null, ok: false });
        return { ...this.finish(call, { ok: false, output: `The check \`${command}\` may not run (${decision.reason}); the task cannot be verified.` }, 0), retryableCheck: false };
      }
      const output = this.streamedOutput(call.id);
      const r = await runner.run({ command }, this.toolContext(call.id, output.onOutput)).finally(output.finish);
      if (this.o.signal.aborted) throw new StopSignal();
      const exitCode = typeof r.data?.exitCode === 'number' ? r.data.exitCode : null;
      verification.push({ command, exitCode, ok: r.ok });
      this.group.checks.push(`${command} ${r.ok ? 'passed' : 'failed'}`);
      if (!r.ok) return { ...this.finish(call, { ok: false, output: `The check \`${command}\` failed, so the task is not done:\n${r.output}` }, 0), retryableCheck: true };
    }
    await this.setMark(task, 'done');
    this.finish(call, { ok: true, output: settings.verifyCommands.length ? 'All checks passed; the task is ticked.' : 'The task is ticked (unverified: there are no verifyCommands).' }, 0);
    // Verified: at least one check ran and passed (a failed one returned above).
    const verified = verification.length > 0 && verification.every((v) => v.ok);
    if (verified) this.verifiedTasks.add(taskKey(task));
    this.emit({ type: 'task.completed', taskId: task.id, summary: input.summary, requirements: input.requirements ?? [], verification, verified });
    this.completedSteps.push(`complete_task ${task.id ?? task.title}`);
    return { ok: true, output: 'completed', completed: true };
  }
}

/** RULES.md §4 S6 with sandbox.mode "required": a command that cannot be confined is not run, whatever the gate said. */
function refusedUnconfined(why: string, decision: Decision): Decision {
  const message = `commands are not sandboxed (${why}) and sandbox.mode is "required", so no command runs`;
  return { verdict: 'deny', rule: 'S6', reason: `deny: ${message}`, findings: [...decision.findings, { verdict: 'deny', rule: 'S6', message }] };
}
/** A question cut off by the end of the run: by Stop, or, when the window closed, by that (nobody pressed Stop). */
function cancelledApproval(callId: string, signal: AbortSignal): NewRunEvent {
  return signal.reason === VSCODE_CLOSED ? { type: 'approval.resolved', callId, approved: false, by: 'closed', reason: VSCODE_CLOSED } : { type: 'approval.resolved', callId, approved: false, by: 'stop' };
}

/**
 * What the model is told when an ask was not approved. The user's Reject is a person's decision, not a rule: the
 * model is told so, with the reason they typed; with no one to ask, the rule that asked stays the explanation.
 */
function refusal(call: ToolCall, decision: Decision, answer: ApprovalAnswer & { by: 'user' | 'no-one-to-ask' }): string {
  if (answer.by === 'user') {
    const what = call.tool === 'run_command' ? 'command' : call.tool === 'delete_file' ? 'deletion' : call.tool === 'read_file' ? 'read' : 'write';
    const reason = answer.reason ? ` Their reason: ${answer.reason}` : '';
    return `The user rejected this ${what}.${reason}${/[.!?]$/.test(reason) || !reason ? '' : '.'} Do not retry it as is; take another way.`;
  }
  return `Not approved (rule ${decision.rule}): ${decision.reason.replace(/^ask: /, '')}. Take another way.`;
}

/** Who stopped the run: the reason given to abort() when it is a text (`stopped by SIGTERM`), else the user. */
const stopReason = (signal: AbortSignal): string => (typeof signal.reason === 'string' ? signal.reason : 'stopped by the user');

class StopSignal extends Error {
  constructor(reason = 'stopped') {
    super(reason);
  }
}

function describeCall(call: ToolCall): string {
  return call.tool === 'complete_task' ? 'the verification' : `${call.tool} ${summarise(call.input)}`;
}

function summarise(input: unknown): string {
  const i = input as { command?: string; path?: string; paths?: string[] };
  const s = i?.command ?? i?.path ?? i?.paths?.join(', ') ?? '';
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

