import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Approver } from '../core/agent/executor.js';
import { PolicyFileError, RunInProgressError, runPolicy, runSession, RunSetupError, type RunPolicy } from '../core/agent/runSession.js';
import type { ResumeState } from '../core/agent/resume.js';
import { BUDGET_FLAGS, BUDGETS, budgetText, withRaised, type RaisedBudgets } from '../core/runs/budgets.js';
import { describeRecovery } from '../core/agent/interruptedRun.js';
import { planResume, ResumeError } from '../core/agent/resumePlan.js';
import { selectTasks } from '../core/agent/taskSelection.js';
import type { ChatModel } from '../core/models/chatModel.js';
import { ReplayModel } from '../core/models/replayModel.js';
import { isTransient, type RunEvent } from '../core/runs/events.js';
import { LiveText } from './liveText.js';
import { alwaysAllowEntries } from '../core/policy/alwaysAllow.js';
import { PolicyGate } from '../core/policy/gate.js';
import { allowCommandAlways, AUTONOMY_LEVELS, loadSettings, type AutonomyLevel } from '../core/settings/index.js';
import { loadTasks, workspaceOf, type Task } from '../core/spec/index.js';
import { processCount, processList } from '../core/tools/runProcesses.js';
import { endLeftBehind } from './runsCommand.js';
import { modelFor } from './modelOption.js';
import { UsageError } from './usageError.js';
import { checksRan, npmTestOf } from '../core/runs/verifySuggestion.js';
import { plural } from '../core/text/plural.js';
import type { TokenTally } from '../core/runs/summary.js';
import { addUsage, usageText, waitText } from '../core/runs/usageText.js';

export interface RunOptions {
  task: string;
  acceptPolicy?: boolean;
  model?: string;
  baseUrl?: string;
  contextWindow?: string;
  level?: string;
  json?: boolean;
}

/** Exit codes of `spec-agent run`. */
export const RUN_EXIT = { completed: 0, failed: 1, usage: 2, paused: 3, stopped: 130, terminated: 143, hungUp: 129 } as const;

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];
/** A run stopped by a signal exits as a program killed by it would (128 + its number), so a caller can tell. */
const STOP_EXIT: Record<StopSignal, number> = { SIGINT: RUN_EXIT.stopped, SIGTERM: RUN_EXIT.terminated, SIGHUP: RUN_EXIT.hungUp };

export async function runCommand(tasksFile: string, opts: RunOptions, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const file = resolve(tasksFile);
  const workspace = workspaceOf(file);
  if (!workspace) throw new UsageError(`${tasksFile}: no .kiro folder above it; the workspace is the folder that holds .kiro/.`);
  const spec = await loadTasks(file);
  const { tasks, errors: selectionErrors } = selectTasks(spec.tree, opts.task);
  if (selectionErrors.length) throw new UsageError(`${relative(process.cwd(), file)}: ${selectionErrors.join('; ')}.`);
  if (tasks.length === 0) throw new UsageError(`${relative(process.cwd(), file)}: nothing to run for --task ${opts.task} (done already?).`);
  return executeRun({ workspace, file, tasks, opts, model: await modelFor(opts.model, opts.baseUrl, opts.contextWindow) }, out, err);
}

/**
 * `spec-agent runs resume ID`: a new run that continues a stopped, failed or crashed one from its journal. Tasks
 * the earlier run completed are not run again; the task under way gets its recorded turns and results back, a
 * call that never finished is reported to the model as interrupted, and a replay model continues after the turns
 * already used.
 */
export async function runsResume(id: string, opts: Omit<RunOptions, 'task'> & RaiseOptions, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const workspace = process.cwd();
  const raise = raisedBudgets(opts);
  // Against the settings first, before anything is read or ended; then against what the chain raised them to.
  const noRaise = await raiseThatChangesNothing(workspace, raise, {});
  if (noRaise) throw new UsageError(noRaise);
  await endLeftBehind(workspace, [id], err);
  const { file, tasks, state, started, warnings, closed } = await planResume(workspace, id).catch((e: unknown) => {
    throw e instanceof ResumeError ? new UsageError(e.message) : e;
  });
  if (closed) err.write(`spec-agent: ${describeRecovery(closed)}\n`);
  const noChainRaise = await raiseThatChangesNothing(workspace, raise, state.raised);
  if (noChainRaise) throw new UsageError(noChainRaise);
  for (const w of warnings) err.write(`spec-agent: ${w}\n`);
  let model = await modelFor(opts.model ?? started.model, opts.baseUrl, opts.contextWindow);
  if (model instanceof ReplayModel) model = model.startingAt(state.modelTurns);
  return executeRun({ workspace, file, tasks, opts: { ...opts, task: tasks.map((t) => t.id).join(','), level: opts.level ?? started.level }, model, resume: state, resumedFrom: id, ...(Object.keys(raise).length ? { raise } : {}), ...(started.note ? { note: started.note } : {}), ...(started.pauseBetweenGroups !== undefined ? { pauseBetweenGroups: started.pauseBetweenGroups } : {}) }, out, err);
}

/** `--max-cost-per-run 5` and the other budget flags of `runs resume`: limits raised for this run only. */
export interface RaiseOptions {
  maxTurnsPerTask?: string;
  maxTokensPerTask?: string;
  maxMinutesPerTask?: string;
  maxCostPerRun?: string;
}

function raisedBudgets(opts: RaiseOptions): RaisedBudgets {
  const out: RaisedBudgets = {};
  for (const k of BUDGETS) {
    const text = opts[k];
    if (text === undefined) continue;
    const n = Number(text);
    const whole = k !== 'maxCostPerRun' && k !== 'maxMinutesPerTask';
    if (!Number.isFinite(n) || n <= 0 || (whole && !Number.isInteger(n))) throw new UsageError(`${BUDGET_FLAGS[k]} must be a ${whole ? 'whole number' : 'number'} above 0 (got "${text}").`);
    out[k] = n;
  }
  return out;
}

/**
 * A raise the run would not feel (the settings set no such limit, or one as high already) is refused before anything
 * runs: journaled and printed as "raised", it would tell the user a limit changed when none did.
 */
async function raiseThatChangesNothing(workspace: string, raise: RaisedBudgets, chainRaised: RaisedBudgets): Promise<string | undefined> {
  if (Object.keys(raise).length === 0) return undefined;
  const loaded = await loadSettings(workspace).catch(() => undefined);
  // Settings that cannot be read are reported by the run itself, in its own words.
  if (!loaded?.valid) return undefined;
  for (const k of BUDGETS) {
    const value = raise[k];
    if (value === undefined) continue;
    // The limit the run would keep: the settings', or what an earlier Resume of the chain raised it to.
    const now = withRaised(loaded.settings, chainRaised)[k];
    if (now === undefined) return `${BUDGET_FLAGS[k]}: the settings set no agent.${k}, so the run has no such limit to raise (.kiro/settings.json).`;
    if (value <= now) return `${BUDGET_FLAGS[k]} ${value} is not above agent.${k} (${budgetText(k, now)}${chainRaised[k] !== undefined ? ', as an earlier Resume of this run raised it' : ''}), which the run keeps anyway: give a higher limit.`;
  }
  return undefined;
}

interface RunPlan {
  workspace: string;
  file: string;
  tasks: Task[];
  opts: RunOptions;
  model: ChatModel;
  resume?: ResumeState;
  resumedFrom?: string;
  raise?: RaisedBudgets;
  /** A resumed run keeps the user's note and pause choice of the run it continues. */
  note?: string;
  pauseBetweenGroups?: boolean;
}

async function executeRun(plan: RunPlan, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const { workspace, file, tasks, opts, model } = plan;
  let policy: RunPolicy;
  try {
    policy = await runPolicy(workspace, { acceptPolicy: opts.acceptPolicy });
  } catch (e) {
    throw e instanceof PolicyFileError ? new UsageError(e.message) : e;
  }
  if (policy.unaccepted) err.write(`spec-agent: .kiro/settings.json grants ${policy.unaccepted.join('; ')}, and is not accepted on this machine: running as cautious with no allowed commands. Accept it with \`spec-agent policy accept\` (or --accept-policy).\n`);
  let level: AutonomyLevel = policy.settings.autonomyLevel;
  let levelSource = policy.levelSource;
  if (opts.level !== undefined) {
    if (!(AUTONOMY_LEVELS as readonly string[]).includes(opts.level)) throw new UsageError(`--level must be one of ${AUTONOMY_LEVELS.join(', ')}.`);
    level = opts.level as AutonomyLevel;
    levelSource = '--level';
  }

  const interactive = !opts.json && Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const stop = new AbortController();
  // SIGTERM (a CI cancel, `timeout`, `docker stop`) and SIGHUP (the terminal closed) stop the run as Ctrl+C does.
  let stoppedBy: StopSignal | undefined;
  const onSignal = (signal: StopSignal) => {
    if (stoppedBy) process.exit(STOP_EXIT[signal]);
    stoppedBy = signal;
    if (signal === 'SIGINT') {
      err.write('\nspec-agent: stopping (press Ctrl+C again to quit at once)\n');
      return stop.abort();
    }
    const what = `${signal}${signal === 'SIGHUP' ? ' (the terminal closed)' : ''}`;
    err.write(`\nspec-agent: stopping: got ${what}; the command under way is ended and the task marker put back (send it again to quit at once)\n`);
    // The journal's run.stopped says what stopped it.
    stop.abort(`stopped by ${what}`);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  try {
    const session = await runSession({
      workspace,
      file,
      tasks,
      model,
      policy,
      level: () => level,
      levelSource,
      approver: interactive ? ttyApprover(workspace) : undefined,
      signal: stop.signal,
      // --json prints what the journal keeps: the pieces of a streaming answer are for a person watching.
      onEvent: withSandboxNotice(opts.json ? (e) => void (isTransient(e) || out.write(JSON.stringify(e) + '\n')) : renderer(out, Boolean((out as NodeJS.WriteStream).isTTY)), err),
      onStart: () => {
        if (!interactive) err.write('spec-agent: no one to ask here (not a terminal): a step the policy would ask about is denied.\n');
      },
      ...(plan.resume ? { resume: plan.resume } : {}),
      ...(plan.resumedFrom ? { resumedFrom: plan.resumedFrom } : {}),
      ...(plan.raise ? { raise: plan.raise } : {}),
      ...(plan.note ? { note: plan.note } : {}),
      ...(plan.pauseBetweenGroups !== undefined ? { pauseBetweenGroups: plan.pauseBetweenGroups } : {}),
      client: 'cli',
    }).catch((e: unknown) => {
      // Another run in this workspace (a VS Code window, another terminal): nothing was started here.
      if (e instanceof RunInProgressError) throw new UsageError(e.message);
      if (e instanceof RunSetupError) {
        err.write(`spec-agent: ${e.message}\n`);
        return undefined;
      }
      throw e;
    });
    if (!session) return RUN_EXIT.failed;
    const { runId, outcome, summary } = session;
    if (!opts.json) out.write(`\nrun ${runId}: ${summary.status}${summary.reason ? ` (${summary.reason})` : ''}; ${summary.tasks.filter((t) => t.completed).length}/${summary.tasks.length} tasks done; ${usageText(summary.tokens)}; gate ${summary.gate.allow} allow, ${summary.gate.ask} ask, ${summary.gate.deny} deny; journal .kiro/runs/${runId}/\n`);
    if (!opts.json && summary.tasks.some((t) => t.noChecks)) out.write(`${noVerifyCommandsHint(summary.commands, workspace)}\n`);
    if (outcome.state === 'stopped' && stoppedBy) return STOP_EXIT[stoppedBy];
    return outcome.state === 'completed' ? RUN_EXIT.completed : outcome.state === 'paused' ? RUN_EXIT.paused : outcome.state === 'stopped' ? RUN_EXIT.stopped : RUN_EXIT.failed;
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  }
}

/** RULES.md §4 S6: an unconfined run says so on stderr, also when stdout is JSON or piped. */
function withSandboxNotice(render: (e: RunEvent) => void, err: NodeJS.WritableStream): (e: RunEvent) => void {
  return (e) => {
    const notice = unconfinedNotice(e);
    if (notice) err.write(`spec-agent: ${notice}\n`);
    // Said once, when the run starts, also when stdout is JSON: a budget that cannot pause is not a budget.
    if (e.type === 'run.started' && e.pricing?.warning) err.write(`spec-agent: ${e.pricing.warning}\n`);
    render(e);
  };
}

/** What run.started says when commands run unconfined (RULES.md §4 S6), or undefined when they are confined. */
export function unconfinedNotice(e: RunEvent): string | undefined {
  if (e.type !== 'run.started' || !e.sandbox || e.sandbox.confined) return undefined;
  const effect = e.sandbox.mode === 'required' ? 'sandbox.mode is "required", so no command will run' : 'they run with your full access, and the full level decides commands as balanced does';
  return `commands are not sandboxed: ${e.sandbox.why}; ${effect}.`;
}

/**
 * Plain lines, one per thing worth seeing; quiet about streamed output chunks. On a terminal the model's answer
 * streams in as it is written (LiveText); piped, each turn's text is one line, once.
 */
export function renderer(out: NodeJS.WritableStream, tty: boolean): (e: RunEvent) => void {
  const refused = new Set<string>();
  const paint = (code: string) => (s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
  const dim = paint('2');
  const red = paint('31');
  const green = paint('32');
  const yellow = paint('33');
  let started = Date.now();
  const tokens: TokenTally = { input: 0, output: 0, cached: 0 };
  let task = '';
  // A wait of the model client (429 retry-after): on a terminal one line counted down in place, ended by the next event.
  let waiting: { timer: ReturnType<typeof setInterval> } | undefined;
  const endWait = () => {
    if (!waiting) return;
    clearInterval(waiting.timer);
    waiting = undefined;
    out.write('\n');
  };
  const live = tty ? new LiveText(out, dim) : undefined;
  return (e) => {
    endWait();
    if (e.type === 'model.delta') return live?.delta(e);
    // Anything else printed ends the line the answer was streaming on; usage prints nothing.
    if (e.type !== 'model.text' && e.type !== 'model.thinking' && e.type !== 'model.usage') live?.interrupt();
    switch (e.type) {
      case 'run.started':
        started = Date.parse(e.time);
        if (e.sandbox?.confined) out.write(dim(`  commands run sandboxed (${e.sandbox.backend ?? 'sandbox'}): they write only in the workspace, reach only the package registries and sandbox.allowedDomains\n`));
        break;
      case 'model.usage':
        addUsage(tokens, e);
        break;
      case 'model.waiting': {
        const line = () => yellow(`  ⏳ ${waitText(e)}`);
        if (!tty) {
          out.write(`${line()}\n`);
          break;
        }
        out.write(line());
        waiting = { timer: setInterval(() => out.write(`\r\x1b[K${line()}`), 1000) };
        waiting.timer.unref?.();
        break;
      }
      case 'budget.raised':
        out.write(yellow(`  ${e.setting} raised for this run: ${budgetText(e.setting, e.value)}${e.previous !== undefined ? ` (the settings say ${budgetText(e.setting, e.previous)})` : ''}`) + '\n');
        break;
      case 'step.started':
        // On a terminal, a progress line at each model step: task, step, elapsed, tokens (in / cached / out) and cost.
        if (tty) out.write(dim(`  [task ${task} · step ${e.step} · ${((Date.now() - started) / 1000).toFixed(0)} s · ${usageText(tokens)}]\n`));
        break;
      case 'task.started':
        task = e.task.id ?? e.task.title;
        out.write(`\n▶ task ${e.task.id ?? ''} ${e.task.title}${e.requirementsFile && e.requirementsFile !== 'requirements.md' ? dim(` (requirements from ${e.requirementsFile})`) : ''}\n`);
        break;
      case 'model.text':
        if (!live?.text()) out.write(`  ${e.text.split('\n')[0]}\n`);
        break;
      case 'tool.requested':
        out.write(`  → ${e.tool} ${describe(e.input)}\n`);
        break;
      case 'gate.decided':
        if (e.verdict === 'deny') refused.add(e.callId);
        if (e.verdict !== 'allow') out.write(`    ${(e.verdict === 'deny' ? red : yellow)(e.verdict.toUpperCase())} (${e.rule}): ${e.reason.replace(/^(ask|deny): /, '')}\n`);
        break;
      case 'approval.resolved':
        if (!e.approved) refused.add(e.callId);
        out.write(`    ${e.approved ? 'approved' : e.by === 'no-one-to-ask' ? 'not run: no one to approve it' : `rejected${e.reason ? `: ${e.reason}` : ''}`}\n`);
        break;
      case 'tool.finished':
        if (!refused.has(e.callId)) out.write(`    ${e.ok ? green('ok') : red('failed')}${typeof e.data?.exitCode === 'number' ? ` (exit ${e.data.exitCode})` : ''}\n`);
        break;
      case 'model.thinking':
        if (!live?.thinking(e.text)) out.write(dim(`  (thought for ${e.text.length.toLocaleString('en-US')} characters)\n`));
        break;
      case 'context.condensed':
        out.write(dim(`  ⇣ context condensed: ${e.tokensBefore} → ${e.tokensAfter} tokens (${e.by === 'model' ? 'summarised by the model' : 'a digest of the calls made'})\n`));
        break;
      case 'steering.included':
        out.write(`  ◆ steering ${e.name} included (${e.reason})\n`);
        break;
      case 'selfcorrection':
        out.write(`  ↻ self-correction ${e.count}/${e.max}: ${e.reason}\n`);
        break;
      case 'task.completed':
        out.write(green(`✓ task ${e.taskId ?? ''} done${verifiedText(e)}`) + '\n');
        break;
      case 'processes.ended':
        out.write(yellow(`  ended ${processCount(e.count)} the run left behind (${processList(e.processes)})`) + '\n');
        break;
      case 'background.started':
        out.write(dim(`    running in the background as ${e.id} (pid ${e.pid}), output in ${e.outputFile}`) + '\n');
        break;
      case 'background.ended':
        out.write((e.endedBy === 'exit' ? dim : yellow)(`  background ${e.id} (${e.command}) ${BACKGROUND_END[e.endedBy]}${e.endedBy === 'exit' ? ` with ${e.exitCode !== null ? `exit ${e.exitCode}` : e.signal}` : ''}`) + '\n');
        break;
      case 'run.paused':
        out.write(yellow(`⏸ paused: ${e.reason}`) + '\n');
        break;
      case 'run.failed':
        out.write(red(`✗ failed: ${e.error}`) + '\n');
        break;
      default:
    }
  };
}

/** How a background process ended, in the CLI's words. */
const BACKGROUND_END = { exit: 'ended', task: 'ended at the end of its task', stop: 'ended by Stop', run: 'ended at the end of the run', trap: 'ended by the sandbox' } as const;

/**
 * After a run that ticked tasks with no verifyCommands: which checks to add, the ones the run ran and passed
 * (or `npm test` from package.json), so the next completions are verified.
 */
function noVerifyCommandsHint(commands: ReadonlyArray<{ command: string; exitCode: number | null }>, workspace: string): string {
  const ran = checksRan(commands);
  const pkg = ran.length ? undefined : readFileOr(join(workspace, 'package.json'));
  const suggested = ran.length ? ran : npmTestOf(pkg);
  const add = suggested.length ? `: add ${suggested.map((c) => `"${c}"`).join(', ')} to agent.verifyCommands in .kiro/settings.json` : ': add the commands that check this project to agent.verifyCommands in .kiro/settings.json';
  return `note: no verifyCommands set, so completed tasks are not verified${ran.length ? ` (this run passed ${ran.map((c) => `"${c}"`).join(', ')})` : ''}${add}`;
}

function readFileOr(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** How a completion was verified: by its checks, or (a parent) by its sub-tasks'; never an empty "verified ()". */
export function verifiedText(e: Extract<RunEvent, { type: 'task.completed' }>): string {
  const checks = e.verification.map((v) => v.command);
  const sub = e.subtasks;
  const subs = (n: number) => plural(n, 'sub-task');
  if (sub) return e.verified ? `, verified (each of its ${subs(sub.done)} was)` : ` (unverified: ${sub.verified} of its ${subs(sub.done)} verified)`;
  if (e.verified && checks.length > 0) return `, verified (${checks.join(', ')})`;
  return checks.length > 0 ? ' (unverified: a check failed)' : ' (no verifyCommands set)';
}

function describe(input: unknown): string {
  const i = input as { command?: string; path?: string };
  return i?.command ?? i?.path ?? '';
}

/** Approve / reject / always allow at the terminal. */
function ttyApprover(workspace: string): Approver {
  let gate: Promise<PolicyGate> | undefined;
  return async (req, signal) => {
    const what = describe(req.input);
    // Always allow only with entries the gate would match for this very command (one per simple command).
    gate ??= PolicyGate.create();
    const entries = req.tool === 'run_command' ? await alwaysAllowEntries(await gate, workspace, what) : undefined;
    const always = entries ? `  [a] always allow (adds ${entries.map((e) => `"${e}"`).join(', ')} to allowedCommands)` : '';
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      const typed = (await rl.question(`  ? ${req.tool} ${what}\n    ${req.decision.reason}\n    [y] approve  [n] reject (n <reason>: tells the agent why)${always}: `, { signal })).trim();
      const answer = typed.toLowerCase();
      if (answer === 'a' && entries) {
        await allowCommandAlways(workspace, entries);
        return { approved: true, alwaysAllow: entries.length === 1 ? entries[0]! : entries };
      }
      const approved = answer === 'y' || answer === 'yes';
      // "n use the helper instead": the words after the n are the reason the model is told.
      const reason = approved ? undefined : /^(?:n|no)\s+(.+)$/is.exec(typed)?.[1]?.trim();
      return { approved, ...(reason ? { reason } : {}) };
    } finally {
      rl.close();
    }
  };
}
