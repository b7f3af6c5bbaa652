import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { accept, applicableSettings, AUTONOMY_LEVELS, describeGrant, loadSettings, type AutonomyLevel, type SandboxMode } from '../core/settings/index.js';
import { sandboxAvailability, type Availability } from '../core/sandbox/index.js';
import type { ProjectRegistry } from '../core/sandbox/registries.js';
import { workspaceOf } from '../core/spec/index.js';

export const SET_AUTONOMY_COMMAND = 'specAgent.setAutonomyLevel';
export const ACCEPT_POLICY_COMMAND = 'specAgent.acceptWorkspacePolicy';
type LevelSetting = AutonomyLevel | 'inherit';

export interface EffectiveLevel {
  level: AutonomyLevel;
  /** Where it came from, in words for the user. */
  source: string;
  /** What .kiro/settings.json grants while it is not accepted on this machine (then it does not apply). */
  unaccepted?: string[];
}


/** Whether the workspace's .kiro/settings.json applies: what it grants when it does not, yet. */
export async function workspacePolicy(root: string): Promise<{ loaded: Awaited<ReturnType<typeof loadSettings>>; text?: string; unaccepted?: string[]; registries?: ProjectRegistry[] }> {
  const loaded = await loadSettings(root);
  if (!loaded.file || !loaded.valid) return { loaded };
  const text = await readFile(loaded.file, 'utf8');
  const { accepted, registries } = await applicableSettings(root, text, loaded.settings);
  return { loaded, text, registries, ...(accepted ? {} : { unaccepted: describeGrant(loaded.settings, registries) }) };
}

/**
 * The level the gate uses: the `specAgent.autonomyLevel` setting unless it is `inherit`, else the workspace's
 * `.kiro/settings.json`, else cautious. Read at each decision, so a change applies at once. `root` is the folder
 * holding `.kiro/` (in a monorepo, a project below the VS Code folder).
 */
export async function effectiveLevel(root: string | undefined): Promise<EffectiveLevel> {
  // An untrusted repository must not raise its own autonomy (through .kiro/settings.json or .vscode/settings.json).
  if (!vscode.workspace.isTrusted) return { level: 'cautious', source: 'Restricted Mode (the workspace is not trusted)' };
  const policy = root ? await workspacePolicy(root) : undefined;
  const pending = policy?.unaccepted ? { unaccepted: policy.unaccepted } : {};
  const setting = vscode.workspace.getConfiguration('specAgent', root ? vscode.Uri.file(root) : undefined).get<LevelSetting>('autonomyLevel', 'inherit');
  if (setting !== 'inherit' && (AUTONOMY_LEVELS as readonly string[]).includes(setting)) return { level: setting, source: 'the specAgent.autonomyLevel setting', ...pending };
  if (policy) {
    const { loaded } = policy;
    if (!loaded.valid) return { level: 'cautious', source: '.kiro/settings.json has errors: the safe default' };
    if (policy.unaccepted) return { level: 'cautious', source: '.kiro/settings.json is not accepted on this machine yet: the safe default', ...pending };
    if (loaded.origins.autonomyLevel === 'file') return { level: loaded.settings.autonomyLevel, source: '.kiro/settings.json' };
  }
  return { level: 'cautious', source: 'the default' };
}

/** What the status bar needs of the runner (kept as an interface: the runner imports this module). */
export interface RunStateSource {
  readonly running: { workspace: string; current?: string; taskIds: string[] } | undefined;
  readonly onDidChange: vscode.Event<void>;
}

/**
 * The workspace (the folder holding `.kiro/`) the user is at: the run's, else that of the file in the editor (a
 * monorepo has several below the VS Code folder), else the first folder.
 */
export function workspaceInView(running?: { workspace: string }): string | undefined {
  if (running) return running.workspace;
  const doc = vscode.window.activeTextEditor?.document;
  const ws = doc?.uri.scheme === 'file' && vscode.workspace.getWorkspaceFolder(doc.uri) ? workspaceOf(doc.uri.fsPath) : undefined;
  return ws ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

export const SHOW_ACTIVITY_COMMAND = 'specAgent.showActivity';

export class AutonomyStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('specAgent.autonomy', vscode.StatusBarAlignment.Left, 50);
  private readonly refreshed = new vscode.EventEmitter<EffectiveLevel>();
  /** Fires with the level in effect each time it may have changed (the panel's dropdown follows it). */
  readonly onDidRefresh = this.refreshed.event;
  private readonly disposables: vscode.Disposable[] = [this.item, this.refreshed];

  constructor(private readonly runs: RunStateSource) {
    this.item.name = 'Spec Agent autonomy';
    this.item.command = SHOW_ACTIVITY_COMMAND;
    const watcher = vscode.workspace.createFileSystemWatcher('**/.kiro/settings.json');
    const refresh = () => void this.refresh().catch(() => undefined);
    this.disposables.push(
      watcher,
      watcher.onDidChange(refresh),
      watcher.onDidCreate(refresh),
      watcher.onDidDelete(refresh),
      // A run starting or ending changes the item at once, with the level last read; the level is then read again.
      runs.onDidChange(() => {
        this.paint();
        refresh();
      }),
      // In a monorepo the level is that of the project whose file is in the editor.
      vscode.window.onDidChangeActiveTextEditor(refresh),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('specAgent.autonomyLevel')) refresh();
      }),
    );
    refresh();
  }

  text = '';

  private refreshes = 0;
  /**
   * Asked once per window, in the background (it starts a bubblewrap probe): the item paints at once and its tooltip
   * gains the sandbox line when the answer comes. Tools installed while VS Code runs count from the next window (a
   * run finds them at once).
   */
  private availability: Availability | undefined;
  private asking = false;

  async refresh(): Promise<void> {
    // Editors switched quickly between projects refresh concurrently: only the latest may paint.
    const mine = ++this.refreshes;
    const effective = await effectiveLevel(workspaceInView(this.runs.running));
    if (mine !== this.refreshes) return;
    const root = workspaceInView(this.runs.running);
    if (!this.availability && !this.asking) {
      this.asking = true;
      void sandboxAvailability((vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath)).then((a) => {
        this.availability = a;
        void this.refresh().catch(() => undefined);
      });
    }
    const sandbox = this.availability ? sandboxNote(this.availability, root && vscode.workspace.isTrusted ? await sandboxMode(root) : undefined) : 'Looking whether commands can be sandboxed here…';
    if (mine !== this.refreshes) return;
    this.last = { effective, sandbox };
    this.refreshed.fire(effective);
    this.paint();
  }

  /** What was read last: the level in effect and the sandbox line of the tooltip. */
  private last: { effective: EffectiveLevel; sandbox: string } | undefined;

  /** The item from the run under way (read now) and the level last read: no file is read, so it is at once. */
  private paint(): void {
    if (!this.last) return;
    const { effective, sandbox } = this.last;
    const { level, source, unaccepted } = effective;
    const run = this.runs.running;
    if (run) {
      const task = run.current ?? run.taskIds[0] ?? '';
      this.text = `$(sync~spin) Spec Agent: running ${task} · ${level}`;
      this.item.text = this.text;
      this.item.command = SHOW_ACTIVITY_COMMAND;
      this.item.tooltip = `The agent is running task ${task} at the ${level} level (${source}). Click to watch it; Spec Agent: Stop Agent stops it.\n\n${sandbox}`;
      this.item.show();
      return;
    }
    const icon = unaccepted ? '$(warning)' : level === 'cautious' ? '$(shield)' : level === 'balanced' ? '$(law)' : '$(zap)';
    this.text = `${icon} Spec Agent: ${level}`;
    this.item.text = this.text;
    this.item.command = unaccepted ? ACCEPT_POLICY_COMMAND : SHOW_ACTIVITY_COMMAND;
    this.item.tooltip = unaccepted
      ? `Autonomy level ${level}: .kiro/settings.json grants ${unaccepted.join('; ')}, and applies only once you accept it. Click to review it.`
      : `Autonomy level ${level}, from ${source}. Click to open Agent Activity, where the level can be changed (or run Spec Agent: Set Autonomy Level).`;
    this.item.tooltip += `\n\n${sandbox}`;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The workspace's sandbox.mode as a run would apply it (a file not accepted yet cannot turn the sandbox off). */
async function sandboxMode(root: string): Promise<SandboxMode | undefined> {
  const { loaded, text } = await workspacePolicy(root);
  if (!loaded.valid || text === undefined) return undefined;
  return (await applicableSettings(root, text, loaded.settings)).settings.sandbox.mode;
}

/** RULES.md §4 S6 for the status bar: whether commands will run confined, and if not, why and what follows. */
function sandboxNote(a: Availability, mode: SandboxMode | undefined): string {
  if (mode === 'off') return 'Commands are not sandboxed: sandbox.mode is "off" in .kiro/settings.json; the full level decides commands as balanced does.';
  if (a.available) return `Commands run sandboxed (${a.backend}): they write only in the workspace, reach only the package registries and sandbox.allowedDomains, and see no credentials.`;
  if (mode === 'required') return `Commands are not sandboxed: ${a.why}. sandbox.mode is "required", so the agent runs no command.`;
  return `Commands are not sandboxed: ${a.why}. They would run with your full access, so the full level decides commands as balanced does.`;
}

/** `Spec Agent: Set Autonomy Level`: a quick pick that writes the workspace setting. */
export async function setAutonomyLevel(level?: LevelSetting): Promise<void> {
  const choice =
    level ??
    (
      await vscode.window.showQuickPick(
        [
          { label: 'cautious', description: 'ask before every command and file write' },
          { label: 'balanced', description: 'run allowed commands and ordinary writes; ask before the rest' },
          { label: 'full', description: 'ask only when the policy gate finds something' },
          { label: 'inherit', description: 'use .kiro/settings.json' },
        ],
        { title: 'Spec Agent: autonomy level for this workspace' },
      )
    )?.label;
  if (!choice) return;
  await vscode.workspace.getConfiguration('specAgent').update('autonomyLevel', choice, vscode.ConfigurationTarget.Workspace);
}

/**
 * `Spec Agent: Review Workspace Policy`: shows exactly what the workspace's .kiro/settings.json grants beyond the
 * safe defaults and, if the user accepts, records it (outside the repository, for this exact content).
 */
export async function acceptWorkspacePolicy(root: string | undefined, onAccepted: () => unknown): Promise<void> {
  if (!root) return void vscode.window.showInformationMessage('Spec Agent: open a folder with a .kiro/settings.json first.');
  if (!vscode.workspace.isTrusted) return void vscode.window.showWarningMessage('Spec Agent: trust this workspace first (Workspaces: Manage Workspace Trust); a policy of an untrusted workspace cannot be accepted.');
  const { loaded, text, unaccepted, registries } = await workspacePolicy(root);
  const where = vscode.workspace.asRelativePath(join(root, '.kiro/settings.json'));
  if (!loaded.valid) return void vscode.window.showErrorMessage(`Spec Agent: ${where} has errors (see the Problems view); fix them first.`);
  if (text === undefined || !unaccepted) return void vscode.window.showInformationMessage(`Spec Agent: there is nothing to accept: ${where} grants nothing beyond the safe defaults, or is already accepted.`);
  const choice = await vscode.window.showWarningMessage(
    'Accept the policy of this workspace?',
    { modal: true, detail: `${where} lets the agent:\n${unaccepted.map((g) => `• ${g}`).join('\n')}\n\nUntil you accept it, the agent runs cautious with no allowed commands. A changed file asks again.` },
    'Accept',
  );
  if (choice !== 'Accept') return;
  // What the user was shown is what is accepted: registry hosts named since the review are not.
  await accept(root, text, registries ?? []);
  await onAccepted();
}
