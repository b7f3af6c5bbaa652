import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { openGitStore, RunCheckpoints } from '../checkpoints/index.js';
import type { ChatModel } from '../models/chatModel.js';
import { PolicyGate } from '../policy/gate.js';
import { hostContext } from '../policy/hostContext.js';
import { realFileSystem } from '../policy/paths.js';
import { isTerminal, type RunEvent } from '../runs/events.js';
import { Journal, newRunId, readJournal } from '../runs/journal.js';
import { lockRun, lockWorkspace } from '../runs/runLock.js';
import { summarise, withDiffstat, writeSummary, type RunSummary } from '../runs/summary.js';
import { accept, applicableSettings, describeGrant, loadSettings, SETTINGS_PATH, type AgentSettings, type AutonomyLevel, type SettingsProblem } from '../settings/index.js';
import type { Task } from '../spec/index.js';
import { CommandSandbox } from '../sandbox/commandSandbox.js';
import type { ToolContext } from '../tools/types.js';
import { Executor, type Approver, type RunOutcome, type TaskFileAccess } from './executor.js';
import type { ResumeState } from './resume.js';
import type { RaisedBudgets } from '../runs/budgets.js';
import { formatUsd, priceOf, PRICES_READ_ON } from '../models/prices.js';

export { RunInProgressError } from '../runs/runLock.js';

/** The workspace's .kiro/settings.json has errors: no run starts on a half-read policy. */
export class PolicyFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: SettingsProblem[],
  ) {
    super(problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message}`).join('\n'));
  }
}

/** The policy a run starts with, and why. */
export interface RunPolicy {
  settings: AgentSettings;
  levelSource: string;
  /** What .kiro/settings.json grants while it is not accepted on this machine (it then does not apply). */
  unaccepted?: string[];
  /**
   * Whether commands may reach the registry hosts the project's own `.npmrc`, `.yarnrc`, `.yarnrc.yml` name: only
   * when .kiro/settings.json exists and is accepted with them. Absent: no.
   */
  projectRegistries?: boolean;
  /** Those hosts, as read when the acceptance was checked (the sandbox takes these, never a newer reading). */
  projectHosts?: string[];
}

/**
 * The workspace's .kiro/settings.json as the gate may use it: as written once accepted on this machine (accepted
 * here first when `acceptPolicy`), else the safe level with no allowed commands (its forbidden list still holds).
 */
export async function runPolicy(workspace: string, opts: { acceptPolicy?: boolean } = {}): Promise<RunPolicy> {
  const read = await loadSettings(workspace);
  const errors = read.problems.filter((p) => p.severity === 'error');
  if (errors.length) throw new PolicyFileError(read.file ?? SETTINGS_PATH, errors);
  const text = read.file ? await readFile(read.file, 'utf8') : undefined;
  if (opts.acceptPolicy && text !== undefined) await accept(workspace, text);
  const { settings, accepted, registries, projectRegistries } = await applicableSettings(workspace, text, read.settings);
  if (!accepted) return { settings, levelSource: 'default (.kiro/settings.json not accepted)', unaccepted: describeGrant(read.settings, registries), projectRegistries };
  const projectHosts = projectRegistries ? registries.map((r) => r.host) : [];
  return { settings, levelSource: read.origins.autonomyLevel === 'file' ? SETTINGS_PATH : 'default', projectRegistries, ...(projectHosts.length ? { projectHosts } : {}) };
}

export interface SessionOptions {
  workspace: string;
  file: string;
  tasks: Task[];
  model: ChatModel;
  policy: RunPolicy;
  /** The level at each gate decision: a change applies from the next one, also mid-run. */
  level: () => AutonomyLevel;
  levelSource: string;
  approver?: Approver;
  signal: AbortSignal;
  /** Aborted to end the run once the task under way is done (Stop after this task). */
  stopAfterTask?: AbortSignal;
  /** Every event, as journaled. */
  onEvent: (e: RunEvent) => void;
  /** Called once the run has an id and a journal, before the first checkpoint. */
  onStart?: (runId: string) => void;
  /** The host's problem watch for writes and edits (VS Code's Problems panel); see ToolContext.watchProblems. */
  watchProblems?: ToolContext['watchProblems'];
  resume?: ResumeState;
  resumedFrom?: string;
  /** Who runs it (journaled, so the cause can be named if it is cut short: "VS Code closed during the run"). */
  client?: 'vscode' | 'cli';
  /** Where tasks.md is read and ticked: the file on disk when not given (the CLI); VS Code's open document. */
  taskFile?: TaskFileAccess;
  /** Budgets raised for this run only (Resume with a raised limit). */
  raise?: RaisedBudgets;
  /**
   * Work to do in the run's containment once the run has ended and its summary is written, before the sandbox
   * closes (spec-agent eval's hidden checks: they run code the agent wrote, confined as the run's commands were).
   */
  afterRun?: (sandbox: CommandSandbox | undefined, runId: string) => Promise<void>;
  /** The user's words for this run (the chat's "execute task 3: <note>"): journaled, and in every task's prompt. */
  note?: string;
  /** Pause after each top-level task group, or not, for this run ("stop after each task group"); absent: the policy's setting. */
  pauseBetweenGroups?: boolean;
}

export interface SessionResult {
  runId: string;
  outcome: RunOutcome;
  summary: RunSummary;
}

/** One run, the same in the CLI and in VS Code: journal, checkpoints, the executor, then summary.json. */
export async function runSession(o: SessionOptions): Promise<SessionResult> {
  const { workspace, file, tasks, policy } = o;
  const runId = newRunId();
  // One live run per workspace, across windows and terminals: refused here, before any trace of this run is left.
  const releaseWorkspace = lockWorkspace(workspace, runId);
  let journal: Journal;
  try {
    journal = Journal.open(workspace, runId);
  } catch (err) {
    releaseWorkspace();
    throw err;
  }
  let ended = false;
  journal.onEvent((e) => {
    if (isTerminal(e)) ended = true;
  });
  journal.onEvent(o.onEvent);
  let unlock = () => {};
  let sandbox: CommandSandbox | undefined;
  try {
    // Containment first: whether commands are confined is part of how the run starts (its header, summary.json).
    const opened = await CommandSandbox.open({ workspace, runId, settings: policy.settings.sandbox, projectHosts: policy.projectHosts ?? [] });
    sandbox = opened.sandbox;
    const status = opened.status;
    journal.append({
      type: 'run.started',
      tasksFile: relative(workspace, file),
      workspace,
      tasks: tasks.map((t) => ({ id: t.id, title: t.title, line: t.range.start.line })),
      level: o.level(),
      levelSource: o.levelSource,
      model: o.model.id,
      ...(o.resumedFrom ? { resumedFrom: o.resumedFrom } : {}),
      ...(o.client ? { client: o.client } : {}),
      sandbox: status.confined ? { confined: true, backend: status.backend } : { confined: false, why: status.why, mode: status.mode },
      pricing: runPricing(o.model.id, policy.settings.maxCostPerRun === undefined ? undefined : Math.max(policy.settings.maxCostPerRun, o.raise?.maxCostPerRun ?? o.resume?.raised.maxCostPerRun ?? 0)),
      ...(o.note ? { note: o.note } : {}),
      ...(o.pauseBetweenGroups !== undefined ? { pauseBetweenGroups: o.pauseBetweenGroups } : {}),
    });
    unlock = lockRun(workspace, runId);
    o.onStart?.(runId);
    const gate = await PolicyGate.create();
    const store = await openGitStore(workspace);
    const checkpoints = await RunCheckpoints.start(store, runId);
    journal.append({ type: 'checkpoint.created', commit: checkpoints.data.base, label: 'before the run', ...(checkpoints.data.skipped.length ? { skipped: checkpoints.data.skipped } : {}) });
    // Always allow applies at once: its entries join the allowed commands of this run from the next decision on.
    const allowedNow: string[] = [];
    const approver: Approver | undefined = o.approver
      ? async (request, signal) => {
          const answer = await o.approver!(request, signal);
          if (answer.approved && answer.alwaysAllow) for (const entry of [answer.alwaysAllow].flat()) if (!allowedNow.includes(entry)) allowedNow.push(entry);
          return answer;
        }
      : undefined;
    const executor = new Executor({
      workspace,
      tasksFile: file,
      tasks,
      model: o.model,
      gate,
      settings: () => ({ ...policy.settings, autonomyLevel: o.level(), allowedCommands: [...policy.settings.allowedCommands, ...allowedNow.filter((e) => !policy.settings.allowedCommands.includes(e))] }),
      // S6: unconfined commands are decided at full as at balanced.
      context: { ...hostContext(workspace), sandbox: status.confined },
      fsView: realFileSystem,
      journal,
      checkpoints,
      approver,
      signal: o.signal,
      pauseAfterTask: (t) => (o.pauseBetweenGroups ?? policy.settings.pauseBetweenGroups) && t.depth === 0 && tasks.filter((x) => x.depth === 0).length > 1,
      ...(o.resume ? { resume: o.resume } : {}),
      ...(o.raise ? { raise: o.raise } : {}),
      ...(o.note ? { note: o.note } : {}),
      ...(o.taskFile ? { taskFile: o.taskFile } : {}),
      ...(sandbox ? { sandbox } : {}),
      ...(o.watchProblems ? { watchProblems: o.watchProblems } : {}),
      ...(!status.confined && status.mode === 'required' ? { commandsRefused: status.why } : {}),
    });
    const stopAfterTask = () => executor.stopAfterCurrentTask();
    if (o.stopAfterTask?.aborted) stopAfterTask();
    o.stopAfterTask?.addEventListener('abort', stopAfterTask, { once: true });
    const outcome = await executor.run().finally(() => o.stopAfterTask?.removeEventListener('abort', stopAfterTask));
    const summary = withDiffstat(summarise((await readJournal(workspace, runId)).events), await checkpoints.diffstat().catch(() => []));
    writeSummary(workspace, summary);
    await o.afterRun?.(sandbox, runId);
    return { runId, outcome, summary };
  } catch (err) {
    // A run that fails before the executor has ended it (no gate, no git, no checkpoint) still ends its journal.
    if (!ended) {
      const reason = setupFailure(err);
      try {
        journal.append({ type: 'run.failed', error: reason });
      } catch {
        // the journal itself failed: nothing more to record
      }
      throw new RunSetupError(runId, reason, err);
    }
    throw err;
  } finally {
    await sandbox?.close().catch(() => undefined);
    journal.close();
    unlock();
    releaseWorkspace();
  }
}

/**
 * How the run's cost will be known, for run.started: the table's rates, or none; and, once, when maxCostPerRun is set
 * and cannot be held (no price known and a provider that reports no cost), rather than never pausing in silence.
 */
export function runPricing(modelId: string, maxCostPerRun: number | undefined): Extract<RunEvent, { type: 'run.started' }>['pricing'] {
  const found = priceOf(modelId);
  // OpenRouter states each answer's cost; no other provider we speak to does.
  const providerReports = modelId.startsWith('openrouter:');
  const warning =
    maxCostPerRun !== undefined && !found && !providerReports
      ? `maxCostPerRun (${formatUsd(maxCostPerRun)}) cannot be enforced: no price known for ${modelId} (not in the price table, src/core/models/prices.ts, and the provider reports no cost); the run shows tokens only. Use maxTokensPerTask to bound it, or a model the table prices.`
      : undefined;
  return { model: modelId, ...(found ? { rates: found.price, asOf: PRICES_READ_ON } : {}), ...(providerReports ? { providerReports } : {}), ...(warning ? { warning } : {}) };
}

/** A run failed before its first step; its journal ends with run.failed and this reason. */
export class RunSetupError extends Error {
  constructor(
    readonly runId: string,
    readonly reason: string,
    cause: unknown,
  ) {
    super(`run ${runId} failed before its first step: ${reason}`, { cause });
  }
}

/** The reason a run could not start, readable, with what to do when we know it. */
function setupFailure(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { path?: string };
  const message = err instanceof Error ? err.message : String(err);
  if ((e?.code === 'ENOENT' && e.path === 'git') || /spawn git ENOENT/.test(message)) return 'git is needed for checkpoints and was not found on PATH: install git, or add it to PATH';
  return message;
}
