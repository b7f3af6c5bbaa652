import { join } from 'node:path';
import * as vscode from 'vscode';
import { workspaceOf } from '../core/spec/index.js';
import { ACCEPT_POLICY_COMMAND, workspacePolicy } from './autonomy.js';
import { isTasksDocument } from './taskDocuments.js';

/** The workspaceState key that remembers a notice was given for a folder holding .kiro/. */
const shownKey = (root: string) => `specAgent.unacceptedPolicyNotice:${root}`;

/**
 * An unaccepted `.kiro/settings.json` that grants more than the safe default is easy to miss (its runs are
 * cautious with no allowed commands, said only in the status bar tooltip or when a run starts). The first time a
 * tasks.md of that workspace is shown, a notification says so, once per workspace (remembered in workspaceState),
 * with **Review**, which opens the existing review of the policy.
 */
export class UnacceptedPolicyNotice implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;
  private readonly checking = new Set<string>();
  private readonly shown = new vscode.EventEmitter<{ root: string; message: string }>();
  /** A notice was shown (tests). */
  readonly onDidShow = this.shown.event;

  constructor(
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // Shown in an editor, not merely loaded: other code opens documents without the user seeing them.
    this.subscription = vscode.window.onDidChangeVisibleTextEditors((editors) => this.check(editors));
    this.check(vscode.window.visibleTextEditors);
  }

  private check(editors: readonly vscode.TextEditor[]): void {
    for (const e of editors) {
      if (e.document.uri.scheme !== 'file' || !isTasksDocument(e.document)) continue;
      const root = workspaceOf(e.document.uri.fsPath);
      if (!root || this.checking.has(root) || this.state.get(shownKey(root))) continue;
      this.checking.add(root);
      void this.noticeFor(root)
        .catch((err: unknown) => this.log.warn(`checking the policy of ${root}: ${String(err)}`))
        .finally(() => this.checking.delete(root));
    }
  }

  private async noticeFor(root: string): Promise<void> {
    // Restricted Mode: the policy cannot be accepted and does not apply; the trust prompt comes first.
    if (!vscode.workspace.isTrusted) return;
    const { unaccepted } = await workspacePolicy(root);
    if (!unaccepted?.length) return;
    await this.state.update(shownKey(root), true);
    const where = vscode.workspace.asRelativePath(join(root, '.kiro/settings.json'));
    const message = `Spec Agent: ${where} grants more than the safe default (${unaccepted.join('; ')}) and is not accepted on this machine, so runs here are cautious with no allowed commands until you review it.`;
    this.log.info(`unaccepted policy noticed: ${where}`);
    this.shown.fire({ root, message });
    const choice = await vscode.window.showWarningMessage(message, 'Review');
    if (choice === 'Review') await vscode.commands.executeCommand(ACCEPT_POLICY_COMMAND, root);
  }

  dispose(): void {
    this.subscription.dispose();
    this.shown.dispose();
  }
}
