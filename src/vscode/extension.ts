import * as vscode from 'vscode';
import type { TaskStatus, TaskTree } from '../core/spec/index.js';
import { ACCEPT_POLICY_COMMAND, acceptWorkspacePolicy, AutonomyStatus, SHOW_ACTIVITY_COMMAND, effectiveLevel, SET_AUTONOMY_COMMAND, setAutonomyLevel, workspaceInView, type EffectiveLevel } from './autonomy.js';
import { ACTIVITY_VIEW_ID, ActivityView } from './activityView.js';
import { AgentRunner, EXECUTE_TASK_COMMAND, STOP_AFTER_TASK_COMMAND, STOP_COMMAND } from './agentRunner.js';
import { Approvals } from './approvals.js';
import { documentTaskFile, setTaskStatus, type TaskSelector } from './documentStatusEdit.js';
import { ExecuteLensProvider } from './executeLens.js';
import { useHostRipgrep } from './hostRipgrep.js';
import { RunChanges } from './runChanges.js';
import { RunIndex } from './runIndex.js';
import { RunStateDecorations } from './runStateDecorations.js';
import { TaskPicker } from './runTasksPick.js';
import { SpecChat } from './chatParticipant.js';
import { RunTasksTool } from './runTasksTool.js';
import { registerModelCommands } from './modelCommands.js';
import { UnacceptedPolicyNotice } from './policyNotice.js';
import { chooseModel, type ModelChoice } from './modelSelection.js';
import { SpecDiagnostics } from './specDiagnostics.js';
import { SteeringDiagnostics } from './steeringDiagnostics.js';
import { MARK_DONE_COMMAND, markTaskDone, REVEAL_TASK_COMMAND, revealTask, StatusLensProvider } from './statusLens.js';
import { TASKS_SELECTOR, TaskTreeCache } from './taskDocuments.js';

/** What the extension exports to other extensions and to its own in-host tests. */
export interface SpecAgentApi {
  taskTree(doc: vscode.TextDocument): TaskTree;
  setTaskStatus(uri: vscode.Uri, which: TaskSelector, status: TaskStatus): Promise<void>;
  /** How many times a document was parsed (the cache's misses). */
  parseCount(): number;
  /** Recomputes and publishes a document's diagnostics now, without the typing debounce. */
  refreshDiagnostics(doc: vscode.TextDocument): Promise<vscode.Diagnostic[]>;
  /** The autonomy level in effect and where it comes from. */
  autonomy(): Promise<EffectiveLevel>;
  /** The status bar text (tests). */
  autonomyStatusText(): Promise<string>;
  /** The status bar text as painted now, without reading the level again (tests: it follows the run at once). */
  statusBarText(): string;
  /** The agent runner of this window: its run under way and the events of its runs. */
  runner: AgentRunner;
  /** The run state drawn after each task line ("● Running", "Queued", "■ Stopped"): what each document shows (tests). */
  runStates: RunStateDecorations;
  /** The Agent Activity view (tests: what its buttons may offer). */
  activity: ActivityView;
  /** The gate's questions waiting for an answer. */
  approvals: Approvals;
  /** The rg binary the tools use, when it is VS Code's own. */
  ripgrep: string | undefined;
  /** Which run completed which task (View changes), and the Run tasks… picker on screen (tests). */
  runIndex: RunIndex;
  taskPicker: TaskPicker;
  /** The model a run in `workspace` would use, or the problem the user would be shown (tests). */
  chooseModel(workspace: string): Promise<ModelChoice>;
  /** The once-per-workspace notice of an unaccepted policy (tests). */
  policyNotice: UnacceptedPolicyNotice;
  /** `@spec` in the Chat view (tests call its handler: there is no chat UI to type in without a chat provider). */
  chat: SpecChat;
  /** specAgent_runTasks (tests ask it for its confirmation: invokeTool outside a chat request shows none). */
  runTasksTool: RunTasksTool;
}

/** What deactivate() has to do: stop the run of this window and end its processes (RULES.md S5). */
let shutdown: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): SpecAgentApi {
  const log = vscode.window.createOutputChannel('Spec Agent', { log: true });
  const cache = new TaskTreeCache(log);
  const diagnostics = new SpecDiagnostics(cache, log);
  const rg = useHostRipgrep();
  log.info(rg ? `ripgrep: ${rg}` : "ripgrep: VS Code's own was not found; using @vscode/ripgrep or rg on PATH");
  // The panel and the runner need each other: the runner streams into the panel, the panel's buttons drive it.
  const panel = { visible: (): boolean => activity.visible, show: (): void => void activity.show() };
  const approvals = new Approvals(panel, log);
  const runner = new AgentRunner(log, context.secrets, approvals, panel.visible, (file) => documentTaskFile(cache, file));
  shutdown = () => runner.shutdown();
  const autonomyStatus = new AutonomyStatus(runner);
  const activity = new ActivityView(context.extensionUri, runner, approvals, log, autonomyStatus.onDidRefresh);
  const runStates = new RunStateDecorations(cache, runner, approvals, activity.onDidDiscard);
  const runIndex = new RunIndex(runner);
  const taskPicker = new TaskPicker(cache);
  const executeLenses = new ExecuteLensProvider(cache, runner, runIndex);
  const policyNotice = new UnacceptedPolicyNotice(context.workspaceState, log);
  const chat = new SpecChat(runner, activity, cache, log, context.extensionUri);
  const runTasksTool = new RunTasksTool(runner, cache);
  context.subscriptions.push(
    chat,
    runTasksTool,
    policyNotice,
    log,
    cache,
    diagnostics,
    new SteeringDiagnostics(log),
    vscode.languages.registerCodeLensProvider(TASKS_SELECTOR, new StatusLensProvider(cache)),
    vscode.commands.registerCommand(REVEAL_TASK_COMMAND, revealTask),
    vscode.commands.registerCommand(MARK_DONE_COMMAND, (uri: vscode.Uri, line: number) => markTaskDone(cache, uri, line)),
    autonomyStatus,
    vscode.commands.registerCommand(SET_AUTONOMY_COMMAND, setAutonomyLevel),
    runner,
    runIndex,
    new RunChanges(runIndex),
    taskPicker,
    executeLenses,
    runStates,
    vscode.languages.registerCodeLensProvider(TASKS_SELECTOR, executeLenses),
    vscode.commands.registerCommand(EXECUTE_TASK_COMMAND, (uri: vscode.Uri, task: string) => runner.execute(uri, task)),
    vscode.commands.registerCommand(STOP_COMMAND, () => runner.stop()),
    vscode.commands.registerCommand(STOP_AFTER_TASK_COMMAND, () => runner.stopAfterTask()),
    approvals,
    activity,
    vscode.window.registerWebviewViewProvider(ACTIVITY_VIEW_ID, activity),
    vscode.commands.registerCommand(SHOW_ACTIVITY_COMMAND, (opts?: { preserveFocus?: boolean }) => activity.show(opts?.preserveFocus ?? false)),
    // The run that found the policy unaccepted names its workspace; from the palette, the one in view.
    vscode.commands.registerCommand(ACCEPT_POLICY_COMMAND, (root?: string) => acceptWorkspacePolicy(typeof root === 'string' ? root : workspaceInView(runner.running), () => Promise.all([autonomyStatus.refresh(), runner.policyChanged()]))),
    registerModelCommands(context.secrets),
    // The file Always allow wrote is the run's policy too: read it again once its acceptance is recorded.
    approvals.onDidAllowAlways(() => void runner.policyChanged()),
    // Trusted from Restricted Mode: the level, the panel's buttons and a run cut short apply from now on.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      void autonomyStatus.refresh();
      void activity.trustGranted().catch((e: unknown) => log.warn(`after workspace trust was granted: ${String(e)}`));
    }),
  );
  log.info(`Spec Agent ${context.extension.packageJSON.version as string} activated`);
  void activity.offerInterrupted().catch((e: unknown) => log.warn(`looking for an interrupted run: ${String(e)}`));
  return {
    taskTree: (doc) => cache.get(doc),
    setTaskStatus: (uri, which, status) => setTaskStatus(cache, uri, which, status),
    parseCount: () => cache.parses,
    refreshDiagnostics: (doc) => diagnostics.update(doc),
    autonomy: () => effectiveLevel(workspaceInView(runner.running)),
    runner,
    runStates,
    activity,
    approvals,
    ripgrep: rg,
    runIndex,
    taskPicker,
    chooseModel: (workspace) => chooseModel(workspace, { secrets: context.secrets, log }),
    statusBarText: () => autonomyStatus.text,
    policyNotice,
    chat,
    runTasksTool,
    autonomyStatusText: async () => {
      await autonomyStatus.refresh();
      return autonomyStatus.text;
    },
  };
}

/** The window closes or reloads: VS Code waits (a few seconds) for this before the extension host goes. */
export async function deactivate(): Promise<void> {
  await shutdown?.();
}
