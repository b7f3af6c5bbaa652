import * as vscode from 'vscode';
import type { ApprovalAnswer, ApprovalRequest, Approver } from '../core/agent/executor.js';
import type { ApprovalDetail } from '../core/runs/activityProtocol.js';
import { allowCommandAlways } from '../core/settings/index.js';
import { proposedDiff } from '../core/tools/proposedDiff.js';

export type ApprovalChoice = 'approve' | 'reject' | 'alwaysAllow';

interface Pending {
  request: ApprovalRequest;
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
        const entry = request.tool === 'run_command' && typeof input.command === 'string' ? input.command : undefined;
        const detail = proposedDiff(workspace, request.tool, request.input)
          .catch(() => undefined)
          .then((diff) => ({ callId: request.callId, ...(diff ? { diff } : {}), ...(entry !== undefined ? { alwaysAllowEntry: entry } : {}) }));
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
        if (!this.panel.visible()) void this.notify(request, entry);
      });
  }

  /** The pending questions, oldest first, with what their cards show. */
  async details(): Promise<ApprovalDetail[]> {
    return Promise.all([...this.pending.values()].map((p) => p.detail));
  }

  get size(): number {
    return this.pending.size;
  }

  /** The user's answer, from the panel or a notification. False when the question is no longer pending. */
  async answer(callId: string, choice: ApprovalChoice): Promise<boolean> {
    const p = this.pending.get(callId);
    if (!p) return false;
    const command = (p.request.input as { command?: unknown }).command;
    if (choice === 'alwaysAllow' && typeof command === 'string') {
      try {
        await allowCommandAlways(p.workspace, command);
      } catch (e) {
        // The run goes on with this one approved; the allowlist is not changed behind the user's back.
        this.log.error(`could not add ${JSON.stringify(command)} to allowedCommands: ${String(e)}`);
        void vscode.window.showErrorMessage(`Spec Agent: could not add "${command}" to allowedCommands in .kiro/settings.json: ${e instanceof Error ? e.message : String(e)}. This call is approved once.`);
        p.settle({ approved: true });
        return true;
      }
      p.settle({ approved: true, alwaysAllow: command });
      return true;
    }
    p.settle({ approved: choice !== 'reject' });
    return true;
  }

  /** While the panel is hidden the question also comes as a notification, so a run never waits unseen. */
  private async notify(request: ApprovalRequest, entry: string | undefined): Promise<void> {
    const input = request.input as { path?: unknown };
    const what = entry ?? (typeof input.path === 'string' ? `${request.tool} ${input.path}` : request.tool);
    const buttons = ['Approve', 'Reject', ...(entry !== undefined ? ['Always allow'] : []), 'Show Agent Activity'];
    const choice = await vscode.window.showWarningMessage(`Spec Agent asks to run: ${what} — ${request.decision.reason} (${request.decision.rule})`, ...buttons);
    if (!this.pending.has(request.callId)) return;
    if (choice === 'Approve') await this.answer(request.callId, 'approve');
    else if (choice === 'Reject') await this.answer(request.callId, 'reject');
    else if (choice === 'Always allow') await this.answer(request.callId, 'alwaysAllow');
    else if (choice === 'Show Agent Activity') this.panel.show();
  }

  dispose(): void {
    for (const p of this.pending.values()) p.settle({ approved: false });
    this.changed.dispose();
  }
}
