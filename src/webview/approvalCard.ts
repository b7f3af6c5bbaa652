import type { ApprovalDetail } from '../core/runs/activityProtocol.js';
import type { CallItem } from './activityModel.js';
import { h, icon } from './dom.js';
import { callSubject, gateBadge } from './timelineRows.js';

/** A diff longer than this is cut: the card is for deciding, the full diff opens in the editor. */
const MAX_DIFF_LINES = 400;

/**
 * The card of a pending approval: what the agent wants to do, the rule that asked, the diff when the host sent
 * one, and the answers. Cards sit above the controls (not in the timeline) so a user scrolled back in history
 * still sees that the run waits for them.
 */
export function renderApprovalCard(c: CallItem, detail: ApprovalDetail | undefined): HTMLElement {
  const subject = callSubject(c);
  const isCommand = c.tool === 'run_command';
  const what = isCommand ? 'Run command' : c.tool === 'delete_file' ? 'Delete file' : c.tool === 'edit_file' ? 'Edit file' : c.tool === 'write_file' ? 'Write file' : c.tool === 'read_file' ? 'Read file' : c.tool;
  const rule = c.approval?.rule ?? c.gate?.rule ?? '';
  const reason = c.approval?.reason ?? c.gate?.reason ?? '';
  const card = h(
    'section',
    { class: 'approval-card', 'data-call': c.callId, tabindex: '-1', 'aria-label': `Approval needed: ${what} ${subject}`, role: 'group' },
    h('div', { class: 'card-title' }, icon('shield'), h('span', null, ` Approval needed: ${what}`), ' ', gateBadge('ask', rule, reason)),
    h(isCommand ? 'code' : 'div', { class: isCommand ? 'card-subject command' : 'card-subject path' }, subject),
    h('div', { class: 'card-reason' }, reason),
  );
  if (detail?.diff) card.append(renderDiff(detail.diff));
  const buttons = h(
    'div',
    { class: 'card-buttons' },
    h('button', { type: 'button', class: 'primary', 'data-action': 'approve', 'data-call': c.callId, 'data-focus-key': 'approve' }, icon('check'), ' Approve'),
    h('button', { type: 'button', class: 'secondary', 'data-action': 'reject', 'data-call': c.callId, 'data-focus-key': 'reject' }, icon('close'), ' Reject'),
  );
  // Offered only with the host's entries, which it checked the gate would match: the user sees exactly what
  // "Always allow" writes to their settings before they click it, and no entry that would never apply.
  const entries = isCommand ? detail?.alwaysAllowEntries : undefined;
  if (entries) {
    const note = `adds ${entries.map((e) => `"${e}"`).join(', ')} to allowedCommands${detail?.alwaysAllowNote ? `; ${detail.alwaysAllowNote}` : ''}`;
    buttons.append(
      h('button', { type: 'button', class: 'secondary', 'data-action': 'alwaysAllow', 'data-call': c.callId, 'data-focus-key': 'always', 'aria-label': `Always allow: ${note}`, 'aria-describedby': `always-${c.callId}` }, icon('workspace-trusted'), ' Always allow'),
      h('span', { class: 'always-note', id: `always-${c.callId}` }, note),
    );
  }
  card.append(buttons);
  // The reason goes to the model with the Reject ("the user rejected this command: <reason>"), so it can take
  // the way the user wants instead of guessing; empty is fine. Enter in the box rejects.
  card.append(
    h('input', {
      type: 'text',
      class: 'reject-reason',
      'data-call': c.callId,
      'data-focus-key': 'reason',
      placeholder: 'Reason to reject (optional; the agent is told)',
      'aria-label': 'Reason to reject, optional: the agent is told',
      maxlength: '500',
    }),
  );
  return card;
}

export function renderDiff(diff: string): HTMLElement {
  const lines = diff.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const shown = lines.slice(0, MAX_DIFF_LINES);
  const pre = h('pre', { class: 'diff', tabindex: '0', 'aria-label': 'diff of the change' });
  for (const line of shown) {
    const cls = line.startsWith('+++') || line.startsWith('---') ? 'diff-file' : line.startsWith('+') ? 'diff-add' : line.startsWith('-') ? 'diff-del' : line.startsWith('@@') ? 'diff-hunk' : 'diff-ctx';
    pre.append(h('span', { class: `diff-line ${cls}` }, line), '\n');
  }
  if (lines.length > shown.length) pre.append(h('span', { class: 'diff-line diff-note' }, `… ${lines.length - shown.length} more lines`));
  return pre;
}
