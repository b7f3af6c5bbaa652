import * as vscode from 'vscode';
import { AUTONOMY_LEVELS, loadSettings, type AutonomyLevel } from '../core/settings/index.js';

export const SET_AUTONOMY_COMMAND = 'specAgent.setAutonomyLevel';
type LevelSetting = AutonomyLevel | 'inherit';

export interface EffectiveLevel {
  level: AutonomyLevel;
  /** Where it came from, in words for the user. */
  source: string;
}

/**
 * The level the gate uses: the `specAgent.autonomyLevel` setting unless it is `inherit`, else the workspace's
 * `.kiro/settings.json`, else cautious. Read at each decision, so a change applies at once.
 */
export async function effectiveLevel(folder: vscode.WorkspaceFolder | undefined): Promise<EffectiveLevel> {
  // An untrusted repository must not raise its own autonomy (through .kiro/settings.json or .vscode/settings.json).
  if (!vscode.workspace.isTrusted) return { level: 'cautious', source: 'Restricted Mode (the workspace is not trusted)' };
  const setting = vscode.workspace.getConfiguration('specAgent', folder?.uri).get<LevelSetting>('autonomyLevel', 'inherit');
  if (setting !== 'inherit' && (AUTONOMY_LEVELS as readonly string[]).includes(setting)) return { level: setting, source: 'the specAgent.autonomyLevel setting' };
  if (folder) {
    const loaded = await loadSettings(folder.uri.fsPath);
    if (loaded.valid && loaded.origins.autonomyLevel === 'file') return { level: loaded.settings.autonomyLevel, source: '.kiro/settings.json' };
    if (!loaded.valid) return { level: 'cautious', source: '.kiro/settings.json has errors: the safe default' };
  }
  return { level: 'cautious', source: 'the default' };
}

/** The status bar item: the level in effect, updated when the setting or .kiro/settings.json changes. */
export class AutonomyStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('specAgent.autonomy', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [this.item];

  constructor() {
    this.item.name = 'Spec Agent autonomy';
    this.item.command = SET_AUTONOMY_COMMAND;
    const watcher = vscode.workspace.createFileSystemWatcher('**/.kiro/settings.json');
    const refresh = () => void this.refresh();
    this.disposables.push(
      watcher,
      watcher.onDidChange(refresh),
      watcher.onDidCreate(refresh),
      watcher.onDidDelete(refresh),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('specAgent.autonomyLevel')) refresh();
      }),
    );
    refresh();
  }

  text = '';

  async refresh(): Promise<void> {
    const { level, source } = await effectiveLevel(vscode.workspace.workspaceFolders?.[0]);
    const icon = level === 'cautious' ? '$(shield)' : level === 'balanced' ? '$(law)' : '$(zap)';
    this.text = `${icon} Spec Agent: ${level}`;
    this.item.text = this.text;
    this.item.tooltip = `Autonomy level ${level}, from ${source}. Click to change it.`;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
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
