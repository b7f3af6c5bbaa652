import * as vscode from 'vscode';
import type { Approver } from '../core/agent/executor.js';
import { PolicyFileError, runPolicy, runSession, type SessionResult } from '../core/agent/runSession.js';
import { selectTasks } from '../core/agent/taskSelection.js';
import type { ChatModel } from '../core/models/chatModel.js';
import type { RunEvent } from '../core/runs/events.js';
import { allowCommandAlways, AUTONOMY_LEVELS, type AutonomyLevel } from '../core/settings/index.js';
import { loadTasks, workspaceOf } from '../core/spec/index.js';
import { ACCEPT_POLICY_COMMAND } from './autonomy.js';
import { resolveModel } from './modelSelection.js';

export const EXECUTE_TASK_COMMAND = 'specAgent.executeTask';
export const STOP_COMMAND = 'specAgent.stop';

/** The run under way: at most one per window, so Stop has one meaning. */
interface ActiveRun {
  file: string;
  taskIds: string[];
  current?: string;
  stop: AbortController;
}

/**
 * Runs tasks in the extension host with the same session as the CLI. Until the Agent Activity panel exists the
 * events go, one line each, to the "Spec Agent" log; approvals are notifications.
 */
export class AgentRunner implements vscode.Disposable {
  private active: ActiveRun | undefined;
  /** Set from the click to the run's start, so a double click cannot start two runs. */
  private starting = false;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a run starts, moves to another task or ends (the lenses follow it). */
  readonly onDidChange = this.changed.event;
  /** The events of the latest run in this window (tests, and later the panel). */
  events: RunEvent[] = [];

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly secrets: vscode.SecretStorage,
  ) {}

  get running(): { file: string; taskIds: string[]; current?: string } | undefined {
    return this.active;
  }

  stop(): void {
    this.active?.stop.abort();
  }

  async execute(uri: vscode.Uri, taskSpec: string): Promise<SessionResult | undefined> {
    if (this.active || this.starting) {
      void vscode.window.showWarningMessage(`Spec Agent: a run is already under way${this.active ? ` (task ${this.active.current ?? this.active.taskIds.join(', ')})` : ''}. Stop it first.`);
      return undefined;
    }
    this.starting = true;
    try {
      return await this.start(uri, taskSpec);
    } catch (e) {
      this.log.error(e instanceof Error ? e : String(e));
      void vscode.window.showErrorMessage(`Spec Agent: the run failed: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    } finally {
      this.starting = false;
    }
  }

  private async start(uri: vscode.Uri, taskSpec: string): Promise<SessionResult | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showErrorMessage('Spec Agent: the agent does not run in Restricted Mode. Trust this workspace first (Workspaces: Manage Workspace Trust).');
      return undefined;
    }
    const file = uri.fsPath;
    const workspace = workspaceOf(file);
    if (!workspace) return void vscode.window.showErrorMessage(`Spec Agent: ${file} has no .kiro folder above it; the workspace is the folder that holds .kiro/.`);
    // The run reads and ticks tasks.md on disk: unsaved edits are saved first so neither side loses anything.
    const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
    if (open?.isDirty && !(await open.save())) return void vscode.window.showErrorMessage(`Spec Agent: save ${vscode.workspace.asRelativePath(uri)} first; the run ticks its boxes.`);

    const spec = await loadTasks(file);
    const { tasks, errors } = selectTasks(spec.tree, taskSpec);
    if (errors.length || tasks.length === 0) return void vscode.window.showErrorMessage(`Spec Agent: ${errors.join('; ') || `nothing to run for task ${taskSpec} (done already?)`}.`);
    let policy;
    try {
      policy = await runPolicy(workspace);
    } catch (e) {
      if (!(e instanceof PolicyFileError)) throw e;
      return void vscode.window.showErrorMessage(`Spec Agent: ${e.message.split('\n')[0]} — fix .kiro/settings.json (see the Problems view); no run starts on a policy with errors.`);
    }
    if (policy.unaccepted) {
      void vscode.window.showWarningMessage('Spec Agent: .kiro/settings.json is not accepted on this machine, so this run is cautious with no allowed commands.', 'Review Workspace Policy').then((c) => c && vscode.commands.executeCommand(ACCEPT_POLICY_COMMAND));
    }
    const model = await this.model(workspace);
    if (!model) return undefined;

    const folderUri = vscode.Uri.file(workspace);
    const level = (): AutonomyLevel => {
      const setting = vscode.workspace.getConfiguration('specAgent', folderUri).get<string>('autonomyLevel', 'inherit');
      return (AUTONOMY_LEVELS as readonly string[]).includes(setting) ? (setting as AutonomyLevel) : policy.settings.autonomyLevel;
    };
    const setting = vscode.workspace.getConfiguration('specAgent', folderUri).get<string>('autonomyLevel', 'inherit');
    const levelSource = (AUTONOMY_LEVELS as readonly string[]).includes(setting) ? 'the specAgent.autonomyLevel setting' : policy.levelSource;
    const run: ActiveRun = { file, taskIds: tasks.map((t) => t.id ?? t.title), stop: new AbortController() };
    this.active = run;
    this.events = [];
    void vscode.commands.executeCommand('setContext', 'specAgent.running', true);
    this.changed.fire();
    try {
      const result = await runSession({
        workspace,
        file,
        tasks,
        model,
        policy,
        level,
        levelSource,
        approver: notificationApprover(workspace),
        signal: run.stop.signal,
        onEvent: (e) => {
          this.events.push(e);
          this.log.info(describeEvent(e));
          if (e.type === 'task.started') {
            run.current = e.task.id ?? e.task.title;
            this.changed.fire();
          }
        },
      });
      this.announce(result);
      return result;
    } finally {
      this.active = undefined;
      void vscode.commands.executeCommand('setContext', 'specAgent.running', false);
      this.changed.fire();
    }
  }

  /** The end of a run, as a notification: what happened and where to look. */
  private announce({ runId, outcome, summary }: SessionResult): void {
    const done = `${summary.tasks.filter((t) => t.completed).length}/${summary.tasks.length} tasks done`;
    const text = `Spec Agent: run ${runId} ${outcome.state}${outcome.reason ? ` (${outcome.reason})` : ''}; ${done}.`;
    const show = (c: string | undefined) => c && this.log.show(true);
    if (outcome.state === 'completed') void vscode.window.showInformationMessage(text, 'Show Log').then(show);
    else if (outcome.state === 'failed') void vscode.window.showErrorMessage(text, 'Show Log').then(show);
    else void vscode.window.showWarningMessage(text, 'Show Log').then(show);
  }

  /** The model of the specAgent.model.* settings (modelSelection.ts); on a problem, a message with its fix. */
  private model(workspace: string): Promise<ChatModel | undefined> {
    return resolveModel(workspace, { secrets: this.secrets, log: this.log });
  }

  dispose(): void {
    this.stop();
    this.changed.dispose();
  }
}

/** Ask with a notification: Approve, Reject or Always allow (commands); Stop cancels the question. */
function notificationApprover(workspace: string): Approver {
  return async (req, signal) => {
    const input = req.input as { command?: string; path?: string };
    const what = input.command ?? input.path ?? req.tool;
    const buttons = req.tool === 'run_command' ? ['Approve', 'Reject', 'Always allow'] : ['Approve', 'Reject'];
    const stopped = new Promise<undefined>((r) => signal.addEventListener('abort', () => r(undefined), { once: true }));
    const choice = await Promise.race([vscode.window.showWarningMessage(`Spec Agent asks: ${req.tool} ${what} — ${req.decision.reason}`, ...buttons), stopped]);
    if (choice === 'Always allow' && input.command) {
      await allowCommandAlways(workspace, input.command);
      return { approved: true, alwaysAllow: input.command };
    }
    return { approved: choice === 'Approve' };
  };
}

function describeEvent(e: RunEvent): string {
  const rest = Object.entries(e)
    .filter(([k]) => !['type', 'runId', 'seq', 'time'].includes(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `[run ${e.runId}] ${e.type} ${rest}`.slice(0, 2000);
}
