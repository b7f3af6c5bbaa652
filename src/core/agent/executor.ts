import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RunCheckpoints } from '../checkpoints/index.js';
import type { ChatMessage, ChatModel, ToolCall } from '../models/chatModel.js';
import { ModelError } from '../models/chatModel.js';
import type { PolicyGate } from '../policy/gate.js';
import type { FileSystemView } from '../policy/paths.js';
import type { Decision, PolicyAction, PolicyContext } from '../policy/types.js';
import type { Journal } from '../runs/journal.js';
import type { AgentSettings } from '../settings/schema.js';
import { findTask, loadTasks, parseRequirements, writeTaskStatus, type Task, type TaskStatus, type TaskTree } from '../spec/index.js';
import { trackRun, type TrackedRun } from '../tools/liveRuns.js';
import { processStartTime } from '../tools/processGroup.js';
import { parseToolInput, toolByName, toolJsonSchemas } from '../tools/registry.js';
import { endRunProcesses, runMarker } from '../tools/runProcesses.js';
import type { ToolContext, ToolResult } from '../tools/types.js';
import type { CommandSandbox } from '../sandbox/commandSandbox.js';
import { applicableSteering, readSteering, SYSTEM_PROMPT, specFiles, taskPrompt } from './prompt.js';
import { fitToWindow } from './contextBudget.js';
import { RESUMED, taskKey, type ResumeState } from './resume.js';
import { streamedOutput } from './streamedOutput.js';

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
  /** What an earlier run of the same tasks had done, from its journal. */
  resume?: ResumeState;
  /** Where tasks.md is read and its markers set; the file on disk when not given. */
  taskFile?: TaskFileAccess;
  /** Confines every command (RULES.md §4); without it commands run unconfined. */
  sandbox?: CommandSandbox;
  /** Why no command may run at all (sandbox.mode "required" on a machine without a sandbox, S6). */
  commandsRefused?: string;
}

export interface RunOutcome {
  state: 'completed' | 'failed' | 'stopped' | 'paused';
  tasksCompleted: number;
  reason?: string;
}

class Pause extends Error {
  constructor(
    readonly kind: 'approval' | 'group' | 'edit-limit' | 'self-corrections' | 'repeated-failure' | 'review',
    message: string,
  ) {
    super(message);
  }
}

const MAX_MODEL_TURNS_PER_TASK = 200;
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
  private readonly originalMarks = new Map<number, TaskStatus>();
  private readonly taskFile: TaskFileAccess;
  /** The process groups of the run's commands, while it runs (ended at its end, or at the exit of this process). */
  private processes: TrackedRun | undefined;

  constructor(private readonly o: ExecutorOptions) {
    this.taskFile = o.taskFile ?? diskTaskFile(o.tasksFile);
  }

  private emit = (e: Parameters<Journal['append']>[0]) => this.o.journal.append(e);

  /** What the user reviews at a pause between task groups: the group's diffstat, checks and tokens. */
  private async groupReview(task: Task): Promise<string> {
    const stat = (await this.o.checkpoints?.diffstat().catch(() => [])) ?? [];
    const added = stat.reduce((n, f) => n + (f.added ?? 0), 0);
    const removed = stat.reduce((n, f) => n + (f.removed ?? 0), 0);
    const files = stat.length ? `${stat.length} file${stat.length > 1 ? 's' : ''} changed (+${added} -${removed}): ${stat.map((f) => f.path).join(', ')}` : 'no files changed';
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
    try {
      for (const task of this.o.tasks) {
        if (this.o.signal.aborted) throw new StopSignal();
        await this.runTask(task);
        completed++;
        if (this.stopAfterThisTask && task !== this.o.tasks.at(-1)) throw new StopSignal(`stopped after task ${task.id ?? task.title}, as asked`);
        if (this.o.pauseAfterTask?.(task) && task !== this.o.tasks.at(-1)) throw new Pause('group', await this.groupReview(task));
      }
      outcome = { state: 'completed', tasksCompleted: completed };
    } catch (err) {
      if (err instanceof StopSignal || this.o.signal.aborted) outcome = { state: 'stopped', tasksCompleted: completed, reason: err instanceof StopSignal && err.message !== 'stopped' ? err.message : stopReason(this.o.signal) };
      else if (err instanceof Pause) outcome = { state: 'paused', tasksCompleted: completed, reason: err.message, ...{ kind: err.kind } };
      else outcome = { state: 'failed', tasksCompleted: completed, reason: err instanceof Error ? err.message : String(err) };
    } finally {
      // First, so nothing the run started writes to the workspace after its last snapshot.
      await this.endLeftovers();
      await this.restoreMarks(outcome.state === 'completed').catch(() => undefined);
      await this.o.checkpoints?.finish().catch(() => undefined);
      this.terminal(outcome);
      this.processes.done();
    }
    return outcome;
  }

  /**
   * RULES.md S5: whatever ends the run, no process it started outlives it: a server left in the background, a
   * daemon that left its command's process group. They are ended, and the journal says which.
   */
  private async endLeftovers(): Promise<void> {
    const ended = await endRunProcesses([this.processes!.trace]).catch(() => []);
    if (ended.length > 0) this.emit({ type: 'processes.ended', count: ended.length, processes: ended.map((p) => ({ pid: p.pid, command: p.command })) });
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
      onCommandStarted: (pid) => {
        const startTime = processStartTime(pid);
        this.processes?.addGroup({ pgid: pid, ...(startTime ? { startTime } : {}) });
        this.emit({ type: 'process.started', callId, pid, pgid: pid, ...(startTime ? { startTime } : {}), marker: runMarker(runId) });
      },
    };
  }

  /** The one terminal event; `paused` is journaled as run.paused and then run.stopped, so the run can resume. */
  private terminal(outcome: RunOutcome & { kind?: string }): void {
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
        this.emit({ type: 'run.paused', reason: outcome.reason ?? 'paused', kind: (outcome.kind as never) ?? 'review' });
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
    await this.o.checkpoints?.beforeStep(label);
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
    this.emit({ type: 'task.started', task: { id: task.id, title: task.title, line: task.range.start.line } });
    const spec = await this.taskFile.read();
    const fresh = findTask(spec.tree, task, this.o.tasks) ?? task;
    const children = fresh.children.map((i) => spec.tree.tasks[i]!);
    if (children.length > 0 && children.every((c) => c.status === 'done' || c.optional)) {
      // A parent whose sub-tasks are all done needs no model: tick it. It is verified only when each done sub-task's
      // completion was, in this run or the one it resumes (one ticked by hand, or in another run, is not known to be).
      await this.setMark(task, 'done');
      const done = children.filter((c) => c.status === 'done');
      const verified = done.filter((c) => this.verifiedTasks.has(taskKey(c)) || this.o.resume?.verified.has(taskKey(c))).length;
      const ok = done.length > 0 && verified === done.length;
      if (ok) this.verifiedTasks.add(taskKey(task));
      this.emit({ type: 'task.completed', taskId: task.id, summary: 'all sub-tasks are done', requirements: [], verification: [], verified: ok, subtasks: { done: done.length, verified } });
      return;
    }
    await this.setMark(task, 'in_progress');

    const files = await specFiles(this.o.tasksFile);
    const workspaceFiles = await this.listWorkspace();
    const steering = applicableSteering(await readSteering(this.o.workspace), [...fresh.details, fresh.title].flatMap((d) => d.match(/[\w./-]+\.\w+/g) ?? []));
    const messages: ChatMessage[] = [
      { role: 'system', content: SYSTEM_PROMPT },
      {
        role: 'user',
        content: taskPrompt({
          workspace: this.o.workspace,
          tasksFile: this.o.tasksFile,
          tree: spec.tree,
          task: fresh,
          requirements: files.requirements ? parseRequirements(files.requirements, files.requirementsFile) : undefined,
          design: files.design,
          steering,
          workspaceFiles,
          verifyCommands: this.o.settings().verifyCommands,
        }),
      },
    ];

    // Resuming: the earlier run's turns and results for this task, after the prompt; nothing is run again.
    const recorded = this.o.resume?.history.get(taskKey(task)) ?? [];
    messages.push(...recorded);
    if (recorded.length > 0) messages.push({ role: 'user', content: RESUMED });

    let fileEdits = recorded.filter((m) => m.role === 'assistant').flatMap((m) => (m.role === 'assistant' ? m.toolCalls : [])).filter((c) => c.tool === 'write_file' || c.tool === 'edit_file').length;
    let selfCorrections = 0;
    let nudges = 0;
    let lastFailure: string | undefined;
    for (let turn = 0; turn < MAX_MODEL_TURNS_PER_TASK; turn++) {
      if (this.o.signal.aborted) throw new StopSignal();
      this.emit({ type: 'step.started', taskId: task.id, step: ++this.step, label: 'model' });
      let response;
      try {
        const fitted = fitToWindow(messages, this.o.model.contextWindow);
        if (fitted.summarised > 0) messages.splice(0, messages.length, ...fitted.messages);
        response = await this.o.model.complete({ messages: fitted.messages, tools: toolJsonSchemas(), signal: this.o.signal, onText: undefined });
      } catch (err) {
        if (this.o.signal.aborted) throw new StopSignal();
        throw err instanceof ModelError ? err : new Error(`the model request failed: ${(err as Error).message}`);
      }
      if (response.text) this.emit({ type: 'model.text', text: response.text });
      if (response.usage) {
        this.emit({ type: 'model.usage', ...response.usage });
        this.group.inputTokens += response.usage.inputTokens ?? 0;
        this.group.outputTokens += response.usage.outputTokens ?? 0;
      }
      messages.push({ role: 'assistant', content: response.text, toolCalls: response.toolCalls });
      if (response.toolCalls.length === 0) {
        if (++nudges > NUDGES) throw new Error(`the model stopped without calling complete_task for task ${task.id ?? task.title}`);
        messages.push({ role: 'user', content: 'Continue with the task using the tools; call complete_task when it is done and checked.' });
        continue;
      }
      for (const call of response.toolCalls) {
        if (this.o.signal.aborted) throw new StopSignal();
        const result = await this.toolCall(call, task, fileEdits);
        messages.push({ role: 'tool', toolCallId: call.id, tool: call.tool, content: result.output });
        if (result.data?.countsAsEdit) fileEdits++;
        if (result.completed) return;
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
    throw new Error(`task ${task.id ?? task.title} took more than ${MAX_MODEL_TURNS_PER_TASK} model turns`);
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

    const action = this.actionOf(call.tool, parsed.input);
    if ((action.kind === 'write' || action.kind === 'create') && fileEdits >= settings.maxFileEditsPerTask) {
      throw new Pause('edit-limit', `task ${task.id ?? task.title} reached maxFileEditsPerTask (${settings.maxFileEditsPerTask})`);
    }
    let decision = this.o.gate.check(action, settings, { ...this.o.context, workspaceRoot: this.o.workspace, fileEditsSoFarInTask: fileEdits }, this.o.fsView);
    if (action.kind === 'command' && this.o.commandsRefused) decision = refusedUnconfined(this.o.commandsRefused, decision);
    this.emit({ type: 'gate.decided', callId: call.id, verdict: decision.verdict, rule: decision.rule, reason: decision.reason, findings: decision.findings });

    if (decision.verdict === 'deny') return { ...this.finish(call, { ok: false, output: `Denied by the policy gate (rule ${decision.rule}): ${decision.reason.replace(/^deny: /, '')}. Do not retry this; take another way.` }, 0), denied: true };
    if (decision.verdict === 'ask') {
      const approved = await this.askApproval(call, decision);
      if (!approved) return { ...this.finish(call, { ok: false, output: `Not approved (rule ${decision.rule}): ${decision.reason.replace(/^ask: /, '')}. Take another way.` }, 0), denied: true };
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
    const out = this.finish(call, result, performance.now() - started);
    this.completedSteps.push(`${call.tool} ${summarise(call.input)}`);
    const countsAsEdit = call.tool === 'write_file' || call.tool === 'edit_file';
    return { ...out, data: { ...out.data, countsAsEdit }, retryableCheck: call.tool === 'run_command' && !result.ok && this.o.settings().verifyCommands.includes(String((parsed.input as { command: string }).command)) };
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
    const s = when === 'before' ? await c.beforeStep(label) : await c.afterStep(label);
    this.emit({ type: 'checkpoint.created', commit: s.commit, label: `${when} ${label}`, ...(s.skipped.length ? { skipped: s.skipped } : {}) });
  }

  private async askApproval(call: ToolCall, decision: Decision): Promise<boolean> {
    this.emit({ type: 'approval.requested', callId: call.id, tool: call.tool, input: call.input, rule: decision.rule, reason: decision.reason });
    if (!this.o.approver) {
      this.emit({ type: 'approval.resolved', callId: call.id, approved: false, by: 'no-one-to-ask' });
      return false;
    }
    this.state = 'awaiting_approval';
    try {
      const answer = await this.o.approver({ callId: call.id, tool: call.tool, input: call.input, decision }, this.o.signal);
      if (this.o.signal.aborted) {
        this.emit({ type: 'approval.resolved', callId: call.id, approved: false, by: 'stop' });
        throw new StopSignal();
      }
      this.emit({ type: 'approval.resolved', callId: call.id, approved: answer.approved, by: 'user', ...(answer.alwaysAllow ? { alwaysAllow: answer.alwaysAllow } : {}) });
      return answer.approved;
    } catch (err) {
      if (this.o.signal.aborted && !(err instanceof StopSignal)) {
        this.emit({ type: 'approval.resolved', callId: call.id, approved: false, by: 'stop' });
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
        return { kind: 'read', path: i.path!, tool };
      case 'list_files':
      case 'search_files':
        return { kind: 'read', path: i.path ?? '.', tool };
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
      if (decision.verdict === 'deny' || (decision.verdict === 'ask' && !(await this.askApproval(call, decision)))) {
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
  const i = input as { command?: string; path?: string };
  const s = i?.command ?? i?.path ?? '';
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

