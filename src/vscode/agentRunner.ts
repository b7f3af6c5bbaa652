import * as vscode from 'vscode';
import { taskKey, type ResumeState } from '../core/agent/resume.js';
import type { RaisedBudgets } from '../core/runs/budgets.js';
import { describeRecovery } from '../core/agent/interruptedRun.js';
import { planResume, ResumeError } from '../core/agent/resumePlan.js';
import { diskTaskFile, type TaskFileAccess } from '../core/agent/executor.js';
import { PolicyFileError, RunInProgressError, runPolicy, runSession, RunSetupError, type SessionResult } from '../core/agent/runSession.js';
import { selectTasks } from '../core/agent/taskSelection.js';
import type { ChatModel } from '../core/models/chatModel.js';
import { ReplayModel } from '../core/models/replayModel.js';
import { isTerminal, isTransient, type RunEvent } from '../core/runs/events.js';
import { AUTONOMY_LEVELS, type AutonomyLevel } from '../core/settings/index.js';
import { workspaceOf, type Task } from '../core/spec/index.js';
import { killLiveRunProcessesNow } from '../core/tools/liveRuns.js';
import { VSCODE_CLOSED } from '../core/runs/interruption.js';
import type { Approvals } from './approvals.js';
import { ACCEPT_POLICY_COMMAND, SHOW_ACTIVITY_COMMAND } from './autonomy.js';
import { resolveModel } from './modelSelection.js';
import { watchProblems } from './problemsWatch.js';
import { plural } from '../core/text/plural.js';

export const EXECUTE_TASK_COMMAND = 'specAgent.executeTask';
export const STOP_COMMAND = 'specAgent.stop';
export const STOP_AFTER_TASK_COMMAND = 'specAgent.stopAfterTask';
/** At deactivation, how long the run has to end cleanly (marker back, run.stopped) before its processes are killed. */
const SHUTDOWN_WAIT_MS = 3000;

/** The run under way: at most one per window, so Stop has one meaning. */
interface ActiveRun {
  file: string;
  workspace: string;
  taskIds: string[];
  current?: string;
  /** Known once the session has opened its journal. */
  runId?: string;
  stop: AbortController;
  stopAfterTask: AbortController;
  /** Reads the workspace's policy again (accepted or edited while the run is on). */
  reloadPolicy: () => Promise<void>;
  /**
   * Its terminal event is journaled: the run is over for the lenses, the status bar and the panel at that moment,
   * while the session still closes behind it (the sandbox, summary.json, the locks), which can take a second.
   */
  over?: boolean;
}

/** What a run is asked to do, from a click on a task or from Resume. */
interface RunRequest {
  file: string;
  workspace: string;
  tasks: Task[];
  taskFile?: TaskFileAccess;
  resume?: { state: ResumeState; from: string };
  /** Budgets raised for this run only (Resume with a raised limit). */
  raise?: RaisedBudgets;
  /** The user's words for the run and the pause between groups (a chat request; a resume keeps the run's own). */
  note?: string;
  pauseBetweenGroups?: boolean;
}

/** What a chat request adds to a run: the user's words, and whether to pause after each task group. */
export interface RunAsked {
  note?: string;
  pauseBetweenGroups?: boolean;
}

/**
 * Runs tasks in the extension host with the same session as the CLI. Every event goes to the Agent Activity
 * panel (through onEvent) and, one line each, to the "Spec Agent" log; the gate's questions go to `approvals`.
 */
export class AgentRunner implements vscode.Disposable {
  private active: ActiveRun | undefined;
  /** Settles when the run under way has ended (its journal closed). */
  private ended: Promise<void> | undefined;
  /**
   * Set from the click to the run's start (policy, model: a consent prompt can take a while), so a double click
   * cannot start two runs, and a Stop in that time is not lost.
   */
  private starting: AbortController | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a run starts, moves to another task or ends (the lenses follow it). */
  readonly onDidChange = this.changed.event;
  private readonly event = new vscode.EventEmitter<RunEvent>();
  /** Every event of every run in this window, as journaled. */
  readonly onEvent = this.event.event;
  /** The events of the latest run in this window (tests). */
  events: RunEvent[] = [];

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly secrets: vscode.SecretStorage,
    private readonly approvals: Approvals,
    /** Whether the Agent Activity panel is on screen: if not, the end of a run is also a notification. */
    private readonly panelVisible: () => boolean = () => false,
    /** How a run reads and ticks tasks.md: the open document in this window (see documentTaskFile). */
    private readonly taskFileOf: (file: string) => TaskFileAccess = diskTaskFile,
  ) {}

  /**
   * The run under way, the one source of run state for the lenses, the status bar and the panel's buttons (each
   * follows onDidChange). Undefined from the run's terminal event on, though its session may still be closing.
   */
  get running(): { file: string; workspace: string; taskIds: string[]; current?: string; runId?: string; stoppingAfterTask: boolean } | undefined {
    const a = this.active;
    if (a?.over) return undefined;
    return a && { file: a.file, workspace: a.workspace, taskIds: a.taskIds, ...(a.current ? { current: a.current } : {}), ...(a.runId ? { runId: a.runId } : {}), stoppingAfterTask: a.stopAfterTask.signal.aborted };
  }

  /** A run of this window has ended (its terminal event is journaled) and its session is still closing. */
  get finishing(): boolean {
    return Boolean(this.active?.over);
  }

  stop(): void {
    this.starting?.abort();
    this.active?.stop.abort();
  }

  /**
   * The window closes or reloads (deactivate): the run stops as with Stop, given a moment to end cleanly; then
   * whatever its commands still have running is killed at once, before the extension host goes.
   */
  async shutdown(): Promise<void> {
    const ended = this.ended;
    // Nobody pressed Stop: the journal (and a card still waiting) says the window closed.
    this.starting?.abort(VSCODE_CLOSED);
    this.active?.stop.abort(VSCODE_CLOSED);
    if (ended) await Promise.race([ended, new Promise((r) => setTimeout(r, SHUTDOWN_WAIT_MS))]);
    const killed = killLiveRunProcessesNow();
    if (killed > 0) this.log.warn(`killed ${plural(killed, 'process', 'processes')} of the run at shutdown`);
  }

  /** Stop after this task: the task under way finishes (or pauses), then the run ends. */
  stopAfterTask(): void {
    if (!this.active || this.active.stopAfterTask.signal.aborted) return;
    this.active.stopAfterTask.abort();
    this.changed.fire();
  }

  async execute(uri: vscode.Uri, taskSpec: string, asked: RunAsked = {}): Promise<SessionResult | undefined> {
    return this.guarded(() => this.start(uri, taskSpec, asked));
  }

  /** Resume: a new run that continues run `runId` of `workspace` from its journal, without redoing finished work. */
  async resume(workspace: string, runId: string, raise?: RaisedBudgets): Promise<SessionResult | undefined> {
    return this.guarded(async () => {
      if (!this.trusted()) return undefined;
      let plan;
      try {
        plan = await planResume(workspace, runId);
      } catch (e) {
        if (!(e instanceof ResumeError)) throw e;
        return void vscode.window.showErrorMessage(`Spec Agent: ${e.message}`);
      }
      if (plan.closed) this.log.info(describeRecovery(plan.closed));
      // An earlier run of the chain missing or looping: the model gets less of its history back; the user should know.
      for (const w of plan.warnings) {
        this.log.warn(`resume of ${runId}: ${w}`);
        void vscode.window.showWarningMessage(`Spec Agent: ${w}`);
      }
      const { note, pauseBetweenGroups } = plan.started;
      return this.run({ file: plan.file, workspace, tasks: plan.tasks, resume: { state: plan.state, from: runId }, ...(raise ? { raise } : {}), ...(note ? { note } : {}), ...(pauseBetweenGroups !== undefined ? { pauseBetweenGroups } : {}) });
    });
  }

  /** One run at a time per window, so Stop has one meaning; errors become a message, never a crash. */
  private async guarded(start: () => Promise<SessionResult | undefined>): Promise<SessionResult | undefined> {
    // A run that has ended but is still closing (its lenses already offer Execute): the next one starts once it is
    // closed, rather than being refused.
    if (this.active?.over && !this.starting) await this.ended;
    if (this.active || this.starting) {
      void vscode.window.showWarningMessage(`Spec Agent: a run is already under way${this.active ? ` (task ${this.active.current ?? this.active.taskIds.join(', ')})` : ''}. Stop it first.`);
      return undefined;
    }
    this.starting = new AbortController();
    // The Stop keybinding works from the click on, not only once the run has its journal.
    void vscode.commands.executeCommand('setContext', 'specAgent.running', true);
    try {
      return await start();
    } catch (e) {
      this.log.error(e instanceof Error ? e : String(e));
      // Their messages say what happened and what to do: another run under way in the workspace, or no git.
      if (e instanceof RunInProgressError) void vscode.window.showWarningMessage(`Spec Agent: no run started: ${e.message}.`);
      else if (e instanceof RunSetupError) void vscode.window.showErrorMessage(`Spec Agent: ${e.message}.`, 'Show Agent Activity').then((c) => c && vscode.commands.executeCommand(SHOW_ACTIVITY_COMMAND));
      else void vscode.window.showErrorMessage(`Spec Agent: the run failed: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    } finally {
      this.starting = undefined;
      void vscode.commands.executeCommand('setContext', 'specAgent.running', false);
    }
  }

  private trusted(): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window.showErrorMessage('Spec Agent: the agent does not run in Restricted Mode. Trust this workspace first (Workspaces: Manage Workspace Trust).');
    return false;
  }

  private async start(uri: vscode.Uri, taskSpec: string, asked: RunAsked): Promise<SessionResult | undefined> {
    if (!this.trusted()) return undefined;
    const file = uri.fsPath;
    const workspace = workspaceOf(file);
    if (!workspace) return void vscode.window.showErrorMessage(`Spec Agent: ${file} has no .kiro folder above it; the workspace is the folder that holds .kiro/.`);
    // The run reads and ticks tasks.md through its open document, so unsaved edits stay (unsaved) in the editor.
    const taskFile = this.taskFileOf(file);
    const { tasks, errors } = selectTasks((await taskFile.read()).tree, taskSpec);
    if (errors.length || tasks.length === 0) return void vscode.window.showErrorMessage(`Spec Agent: ${errors.join('; ') || `nothing to run for task ${taskSpec} (done already?)`}.`);
    return this.run({ file, workspace, tasks, taskFile, ...(asked.note ? { note: asked.note } : {}), ...(asked.pauseBetweenGroups !== undefined ? { pauseBetweenGroups: asked.pauseBetweenGroups } : {}) });
  }

  private async run({ file, workspace, tasks, resume, raise, note, pauseBetweenGroups, taskFile = this.taskFileOf(file) }: RunRequest): Promise<SessionResult | undefined> {
    let policy;
    try {
      policy = await runPolicy(workspace);
    } catch (e) {
      if (!(e instanceof PolicyFileError)) throw e;
      return void vscode.window.showErrorMessage(`Spec Agent: ${e.message.split('\n')[0]} — fix .kiro/settings.json (see the Problems view); no run starts on a policy with errors.`);
    }
    if (policy.unaccepted) {
      void vscode.window.showWarningMessage('Spec Agent: .kiro/settings.json is not accepted on this machine, so this run is cautious with no allowed commands.', 'Review Workspace Policy').then((c) => c && vscode.commands.executeCommand(ACCEPT_POLICY_COMMAND, workspace));
    }
    let model = await this.model(workspace);
    if (!model) return undefined;
    // A recorded model continues after the turns the first run used, as `spec-agent runs resume` does.
    if (resume && model instanceof ReplayModel) model = model.startingAt(resume.state.modelTurns);

    const folderUri = vscode.Uri.file(workspace);
    // The setting unless `inherit`, read at each decision so a change applies at once.
    const fromSetting = (): AutonomyLevel | undefined => {
      const setting = vscode.workspace.getConfiguration('specAgent', folderUri).get<string>('autonomyLevel', 'inherit');
      return (AUTONOMY_LEVELS as readonly string[]).includes(setting) ? (setting as AutonomyLevel) : undefined;
    };
    const level = (): AutonomyLevel => fromSetting() ?? policy.settings.autonomyLevel;
    const levelSource = fromSetting() ? 'the specAgent.autonomyLevel setting' : policy.levelSource;
    const stop = this.starting ?? new AbortController();
    if (stop.signal.aborted) {
      void vscode.window.showInformationMessage('Spec Agent: stopped before the run started; nothing was changed.');
      return undefined;
    }
    // The policy is read again when .kiro/settings.json changes or is accepted while the run is on: it applies from
    // the next decision, as a change of the level setting does (accepting the policy from the run's own warning
    // would otherwise do nothing for this run). A file with errors keeps the policy the run had.
    let reloads = 0;
    const reloadPolicy = async () => {
      const mine = ++reloads;
      try {
        const fresh = await runPolicy(workspace);
        if (mine !== reloads) return; // a later read (a later change) decides
        const demoted = !policy.unaccepted && fresh.unaccepted;
        policy.settings = fresh.settings;
        policy.levelSource = fresh.levelSource;
        policy.unaccepted = fresh.unaccepted;
        if (demoted) {
          void vscode.window
            .showWarningMessage('Spec Agent: .kiro/settings.json changed while the run is on and is not accepted in its new form, so the run goes on cautious with no allowed commands.', 'Review Workspace Policy')
            .then((c) => c && vscode.commands.executeCommand(ACCEPT_POLICY_COMMAND, workspace));
        }
        this.log.info(`policy of ${workspace} read again for the run under way: ${fresh.settings.autonomyLevel}, ${plural(fresh.settings.allowedCommands.length, 'allowed command')}${fresh.unaccepted ? ' (not accepted: the safe defaults)' : ''}`);
      } catch (e) {
        this.log.warn(`the run keeps the policy it had: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      }
    };
    const settingsWatcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(workspace), '.kiro/settings.json'));
    // Read a moment after the file settles: Always allow writes the file, then records its acceptance.
    let settle: ReturnType<typeof setTimeout> | undefined;
    const soon = () => {
      clearTimeout(settle);
      settle = setTimeout(() => void reloadPolicy(), 300);
    };
    for (const on of [settingsWatcher.onDidChange, settingsWatcher.onDidCreate, settingsWatcher.onDidDelete]) on(soon);
    // Its first task to run is the one the lenses show running from the start (a resume skips the finished ones).
    const first = tasks.find((t) => !resume?.state.completed.has(taskKey(t)));
    const run: ActiveRun = { file, workspace, taskIds: tasks.map((t) => t.id ?? t.title), stop, stopAfterTask: new AbortController(), reloadPolicy, ...(first ? { current: first.id ?? first.title } : {}) };
    this.active = run;
    let ended = () => {};
    this.ended = new Promise<void>((r) => (ended = r));
    this.events = [];
    this.changed.fire();
    // DESIGN.md: the run opens the Agent Activity panel and streams into it.
    void vscode.commands.executeCommand(SHOW_ACTIVITY_COMMAND, { preserveFocus: true });
    try {
      const result = await runSession({
        workspace,
        file,
        tasks,
        model,
        policy,
        level,
        levelSource,
        approver: this.approvals.approver(workspace),
        signal: run.stop.signal,
        stopAfterTask: run.stopAfterTask.signal,
        onStart: (runId) => {
          run.runId = runId;
          this.changed.fire();
        },
        taskFile,
        // A write or an edit answers with the errors it brought into the file (Problems panel).
        watchProblems,
        onEvent: (e) => {
          // A piece of streaming text goes to the panel only: the log and the run's event list get the turn whole.
          if (isTransient(e)) return void this.event.fire(e);
          this.events.push(e);
          this.log.info(describeEvent(e));
          if (e.type === 'task.started') {
            run.current = e.task.id ?? e.task.title;
            this.changed.fire();
          }
          // Over for every surface at the terminal event, not when the session has closed (up to a second later).
          if (isTerminal(e)) run.over = true;
          this.event.fire(e);
          if (isTerminal(e)) this.changed.fire();
        },
        ...(resume ? { resume: resume.state, resumedFrom: resume.from } : {}),
        ...(raise ? { raise } : {}),
        ...(note ? { note } : {}),
        ...(pauseBetweenGroups !== undefined ? { pauseBetweenGroups } : {}),
        client: 'vscode',
      });
      this.announce(result);
      return result;
    } finally {
      clearTimeout(settle);
      settingsWatcher.dispose();
      this.active = undefined;
      this.ended = undefined;
      ended();
      this.changed.fire();
    }
  }

  /** The workspace policy was accepted (or changed): the run under way applies it from its next decision. */
  async policyChanged(): Promise<void> {
    await this.active?.reloadPolicy();
  }

  /** The end of a run, as a notification when the panel is not on screen: what happened and where to look. */
  private announce({ runId, outcome, summary }: SessionResult): void {
    if (this.panelVisible()) return;
    const done = `${summary.tasks.filter((t) => t.completed).length}/${summary.tasks.length} tasks done`;
    const text = `Spec Agent: run ${runId} ${outcome.state}${outcome.reason ? ` (${outcome.reason})` : ''}; ${done}.`;
    const show = (c: string | undefined) => c && vscode.commands.executeCommand(SHOW_ACTIVITY_COMMAND);
    if (outcome.state === 'completed') void vscode.window.showInformationMessage(text, 'Show Agent Activity').then(show);
    else if (outcome.state === 'failed') void vscode.window.showErrorMessage(text, 'Show Agent Activity').then(show);
    else void vscode.window.showWarningMessage(text, 'Show Agent Activity').then(show);
  }

  /** The model of the specAgent.model.* settings (modelSelection.ts); on a problem, a message with its fix. */
  private model(workspace: string): Promise<ChatModel | undefined> {
    return resolveModel(workspace, { secrets: this.secrets, log: this.log });
  }

  dispose(): void {
    this.stop();
    this.changed.dispose();
    this.event.dispose();
  }
}

function describeEvent(e: RunEvent): string {
  const rest = Object.entries(e)
    .filter(([k]) => !['type', 'runId', 'seq', 'time'].includes(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `[run ${e.runId}] ${e.type} ${rest}`.slice(0, 2000);
}
