import * as vscode from 'vscode';
import type { ApprovalAnswer, ApprovalRequest, Approver } from '../core/agent/executor.js';
import { alwaysAllowEntries } from '../core/policy/alwaysAllow.js';
import { PolicyGate } from '../core/policy/gate.js';
import type { ApprovalDetail } from '../core/runs/activityProtocol.js';
import { allowCommandAlways } from '../core/settings/index.js';
import { proposedDiff } from '../core/tools/proposedDiff.js';
import { effectiveLevel } from './autonomy.js';

export type ApprovalChoice = 'approve' | 'reject' | 'alwaysAllow';

interface Pending {
  request: ApprovalRequest;
  /** Asked as a notification already (the panel was hidden). */
  notified?: boolean;
  workspace: string;
  detail: Promise<ApprovalDetail>;
  settle: (answer: ApprovalAnswer) => void;
}

/**
 * The questions the gate asks while a run waits: answered on the panel's approval card, or on a notification
 * when the panel is hidden. Whichever answers first wins; Stop cancels the question (the executor then records
 * it as cancelled by stop).
 */
export class Approvals implements vscode.Disposable {
  private readonly pending = new Map<string, Pending>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly allowedAlways = new vscode.EventEmitter<string>();
  /** Always allow wrote its entries to a workspace's .kiro/settings.json (and accepted it when it applied). */
  readonly onDidAllowAlways = this.allowedAlways.event;

  constructor(
    private readonly panel: { visible(): boolean; show(): void },
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The approver of a run in `workspace`. */
  approver(workspace: string): Approver {
    return (request, signal) =>
      new Promise<ApprovalAnswer>((resolve) => {
        if (signal.aborted) return resolve({ approved: false });
        const input = request.input as { command?: unknown };
        const command = request.tool === 'run_command' && typeof input.command === 'string' ? input.command : undefined;
        const detail = Promise.all([
          proposedDiff(workspace, request.tool, request.input).catch(() => undefined),
          command === undefined ? undefined : this.allowEntries(workspace, command),
          command === undefined ? undefined : effectiveLevel(workspace).catch(() => undefined),
        ]).then(([diff, entries, level]) => ({
          callId: request.callId,
          ...(diff ? { diff } : {}),
          ...(entries ? { alwaysAllowEntries: entries } : {}),
          // At cautious every command asks, listed or not: the user should know the entry waits for another level.
          ...(entries && level?.level === 'cautious' ? { alwaysAllowNote: 'at the cautious level every command still asks; the entry applies at balanced or full' } : {}),
        }));
        const settle = (answer: ApprovalAnswer) => {
          if (!this.pending.delete(request.callId)) return;
          signal.removeEventListener('abort', onStop);
          resolve(answer);
          this.changed.fire();
        };
        const onStop = () => settle({ approved: false });
        signal.addEventListener('abort', onStop, { once: true });
        this.pending.set(request.callId, { request, workspace, detail, settle });
        this.changed.fire();
        if (!this.panel.visible()) this.notifyPending();
      });
  }

  /** The panel went out of sight: questions still waiting come as notifications, so a run never waits unseen. */
  notifyPending(): void {
    for (const p of this.pending.values()) {
      if (p.notified) continue;
      p.notified = true;
      void p.detail.then((d) => this.notify(p.request, d.alwaysAllowEntries)).catch((e: unknown) => this.log.error(`approval notification: ${String(e)}`));
    }
  }

  /**
   * The allowlist entries "Always allow" would add (one per simple command of a compound line), only if they make
   * the gate allow this very command at balanced: entries that would never match (quoted words, a path as the
   * command, a command the gate always asks about) are not offered, so the user is not told a lie.
   */
  private async allowEntries(workspace: string, command: string): Promise<string[] | undefined> {
    try {
      this.gate ??= PolicyGate.create();
      return await alwaysAllowEntries(await this.gate, workspace, command);
    } catch (e) {
      this.log.warn(`could not check an allowlist entry for ${JSON.stringify(command)}: ${String(e)}`);
      return undefined;
    }
  }

  private gate: Promise<PolicyGate> | undefined;

  /** The pending questions, oldest first, with what their cards show. */
  async details(): Promise<ApprovalDetail[]> {
    return Promise.all([...this.pending.values()].map((p) => p.detail));
  }

  get size(): number {
    return this.pending.size;
  }

  /**
   * The user's answer, from the panel or a notification, with the reason they typed for a Reject (the model is
   * told). False when the question is no longer pending.
   */
  async answer(callId: string, choice: ApprovalChoice, reason?: string): Promise<boolean> {
    const p = this.pending.get(callId);
    if (!p) return false;
    if (choice !== 'alwaysAllow') {
      const why = choice === 'reject' ? reason?.trim() : undefined;
      p.settle({ approved: choice === 'approve', ...(why ? { reason: why } : {}) });
      return true;
    }
    const entries = (await p.detail).alwaysAllowEntries;
    // Settled while the card's detail was computed (Stop, or the other button): that answer stands.
    if (!this.pending.has(callId)) return false;
    if (entries === undefined) {
      void vscode.window.showWarningMessage('Spec Agent: an allowedCommands entry would not cover this command, so it cannot be always allowed. Approve it once, or reject it.');
      return false;
    }
    // Answered now, before the settings file is written: a Reject or Stop arriving meanwhile cannot undo it.
    p.settle({ approved: true, alwaysAllow: entries.length === 1 ? entries[0]! : entries });
    try {
      await allowCommandAlways(p.workspace, entries);
      this.allowedAlways.fire(p.workspace);
    } catch (e) {
      this.log.error(`could not add ${JSON.stringify(entries)} to allowedCommands: ${String(e)}`);
      void vscode.window.showErrorMessage(`Spec Agent: could not add ${quoted(entries)} to allowedCommands in .kiro/settings.json: ${e instanceof Error ? e.message : String(e)}. The command was approved this once.`);
    }
    return true;
  }

  /** While the panel is hidden the question also comes as a notification, so a run never waits unseen. */
  private async notify(request: ApprovalRequest, entries: string[] | undefined): Promise<void> {
    if (!this.pending.has(request.callId)) return;
    const input = request.input as { path?: unknown; command?: unknown };
    const what = typeof input.command === 'string' ? input.command : typeof input.path === 'string' ? `${request.tool} ${input.path}` : request.tool;
    const buttons = ['Approve', 'Reject', 'Reject with Reason…', ...(entries ? ['Always allow'] : []), 'Show Agent Activity'];
    const always = entries ? ` Always allow adds ${quoted(entries)} to allowedCommands.` : '';
    const choice = await vscode.window.showWarningMessage(`Spec Agent asks: ${what} — ${request.decision.reason} (${request.decision.rule}).${always}`, ...buttons);
    if (!this.pending.has(request.callId)) return;
    if (choice === 'Approve') await this.answer(request.callId, 'approve');
    else if (choice === 'Reject') await this.answer(request.callId, 'reject');
    else if (choice === 'Reject with Reason…') {
      const reason = await vscode.window.showInputBox({ title: `Reject: ${what}`, prompt: 'Why? The agent is told, so it can take another way.', placeHolder: 'e.g. use the existing helper instead', ignoreFocusOut: true });
      // Escape leaves the question open: asked again while the panel is hidden, so the run never waits unseen.
      if (reason === undefined) {
        const p = this.pending.get(request.callId);
        if (p) p.notified = false;
        if (!this.panel.visible()) this.notifyPending();
        return;
      }
      if (this.pending.has(request.callId)) await this.answer(request.callId, 'reject', reason);
    }
    else if (choice === 'Always allow') await this.answer(request.callId, 'alwaysAllow');
    else if (choice === 'Show Agent Activity') this.panel.show();
  }

  dispose(): void {
    for (const p of this.pending.values()) p.settle({ approved: false });
    this.changed.dispose();
    this.allowedAlways.dispose();
  }
}

const quoted = (entries: readonly string[]) => entries.map((e) => `"${e}"`).join(', ');
