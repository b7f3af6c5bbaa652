import * as vscode from 'vscode';
import type { TaskStatus, TaskTree } from '../core/spec/index.js';
import { ACCEPT_POLICY_COMMAND, acceptWorkspacePolicy, AutonomyStatus, SHOW_ACTIVITY_COMMAND, effectiveLevel, SET_AUTONOMY_COMMAND, setAutonomyLevel, type EffectiveLevel } from './autonomy.js';
import { AgentRunner, EXECUTE_TASK_COMMAND, STOP_COMMAND } from './agentRunner.js';
import { setTaskStatus, type TaskSelector } from './documentStatusEdit.js';
import { ExecuteLensProvider } from './executeLens.js';
import { useHostRipgrep } from './hostRipgrep.js';
import { registerModelCommands } from './modelCommands.js';
import { chooseModel, type ModelChoice } from './modelSelection.js';
import { SpecDiagnostics } from './specDiagnostics.js';
import { REVEAL_TASK_COMMAND, revealTask, StatusLensProvider } from './statusLens.js';
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
  /** The agent runner of this window: its run under way and the events of its runs. */
  runner: AgentRunner;
  /** The rg binary the tools use, when it is VS Code's own. */
  ripgrep: string | undefined;
  /** The model a run in `workspace` would use, or the problem the user would be shown (tests). */
  chooseModel(workspace: string): Promise<ModelChoice>;
}

export function activate(context: vscode.ExtensionContext): SpecAgentApi {
  const log = vscode.window.createOutputChannel('Spec Agent', { log: true });
  const cache = new TaskTreeCache(log);
  const diagnostics = new SpecDiagnostics(cache, log);
  const rg = useHostRipgrep();
  log.info(rg ? `ripgrep: ${rg}` : "ripgrep: VS Code's own was not found; using @vscode/ripgrep or rg on PATH");
  const runner = new AgentRunner(log, context.secrets);
  const autonomyStatus = new AutonomyStatus(runner);
  const executeLenses = new ExecuteLensProvider(cache, runner);
  context.subscriptions.push(
    log,
    cache,
    diagnostics,
    vscode.languages.registerCodeLensProvider(TASKS_SELECTOR, new StatusLensProvider(cache)),
    vscode.commands.registerCommand(REVEAL_TASK_COMMAND, revealTask),
    autonomyStatus,
    vscode.commands.registerCommand(SET_AUTONOMY_COMMAND, setAutonomyLevel),
    runner,
    executeLenses,
    vscode.languages.registerCodeLensProvider(TASKS_SELECTOR, executeLenses),
    vscode.commands.registerCommand(EXECUTE_TASK_COMMAND, (uri: vscode.Uri, task: string) => runner.execute(uri, task)),
    vscode.commands.registerCommand(STOP_COMMAND, () => runner.stop()),
    // The Agent Activity panel is not built yet: until it is, watching a run means its log.
    vscode.commands.registerCommand(SHOW_ACTIVITY_COMMAND, () => log.show(true)),
    vscode.commands.registerCommand(ACCEPT_POLICY_COMMAND, () => acceptWorkspacePolicy(() => autonomyStatus.refresh())),
    registerModelCommands(context.secrets),
  );
  log.info(`Spec Agent ${context.extension.packageJSON.version as string} activated`);
  return {
    taskTree: (doc) => cache.get(doc),
    setTaskStatus: (uri, which, status) => setTaskStatus(cache, uri, which, status),
    parseCount: () => cache.parses,
    refreshDiagnostics: (doc) => diagnostics.update(doc),
    autonomy: () => effectiveLevel(vscode.workspace.workspaceFolders?.[0]),
    runner,
    ripgrep: rg,
    chooseModel: (workspace) => chooseModel(workspace, { secrets: context.secrets, log }),
    autonomyStatusText: async () => {
      await autonomyStatus.refresh();
      return autonomyStatus.text;
    },
  };
}

export function deactivate(): void {}
