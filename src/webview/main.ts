import './zodWithoutEval.js';
import { hostMessageSchema, webviewMessageSchema, type HostMessage, type WebviewMessage } from '../core/runs/activityProtocol.js';
import { ActivityModel } from './activityModel.js';
import { renderApprovalCard } from './approvalCard.js';
import { ControlsView, renderNotice } from './controls.js';
import { HeaderView } from './header.js';
import { RunsView } from './runsView.js';
import { Timeline } from './timeline.js';

/** The webview's entry: host messages in, folded into the model; the DOM follows once per animation frame. */

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/** What VS Code keeps for the webview while it is hidden or moved (its page is not): which sections are open. */
interface SavedState {
  runId: string | null;
  expanded: string[];
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Time per frame the timeline may spend building rows; the rest of the frame stays free for input and paint. */
const FRAME_BUDGET_MS = 8;

const vscode = acquireVsCodeApi();
const model = new ActivityModel();

const $ = (id: string): HTMLElement => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`activity.html lacks #${id}`);
  return el;
};
const root = document.body;
const scroller = $('scroller');
const empty = $('empty');
const approvals = $('approvals');
const notices = $('notices');
const header = new HeaderView($('header'));
const controls = new ControlsView($('controls'));
const timeline = new Timeline($('timeline'), scroller, model);

const runsView = new RunsView($('runs'), (m) => {
  post(m);
  // A run picked: its timeline is what the user wants to see next.
  if (m.type === 'showRun') showTab('activity');
});

/** The Activity tab (the timeline of the run shown) or the Runs tab (every run of the workspace, and their stats). */
function showTab(tab: 'activity' | 'runs'): void {
  root.dataset.tab = tab;
  for (const b of document.querySelectorAll<HTMLElement>('#tabs [data-tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
  $('runs').hidden = tab !== 'runs';
  // Asked each time the tab opens: runs may have ended, been discarded or pruned since.
  if (tab === 'runs') runsView.shownAgain();
}

function post(msg: WebviewMessage): void {
  // Validated on the way out too: a typo here would otherwise be a silent no-op on the host side.
  const r = webviewMessageSchema.safeParse(msg);
  if (!r.success) {
    console.error('Spec Agent: not posting an invalid message', msg, r.error.issues);
    return;
  }
  vscode.postMessage(r.data);
}

let frame = 0;
function schedule(): void {
  if (frame === 0) frame = requestAnimationFrame(render);
  root.dataset.busy = 'true';
}

let ticker: ReturnType<typeof setInterval> | undefined;

function render(): void {
  frame = 0;
  const budgetChanged = model.headerChanged || model.controlsChanged;
  if (model.headerChanged || model.controlsChanged) {
    header.update(model.header());
    model.headerChanged = false;
    const running = model.running;
    if (running && !ticker) ticker = setInterval(() => header.tick(), 1000);
    else if (!running && ticker) {
      clearInterval(ticker);
      ticker = undefined;
    }
  }
  if (budgetChanged) controls.setBudget(model.header().budgetPause, !!model.controls?.canResume);
  if (model.controlsChanged) {
    controls.update(model.controls, model.autonomy, model.running);
    model.controlsChanged = false;
  }
  if (model.approvalsChanged) {
    renderApprovals();
    model.approvalsChanged = false;
  }
  empty.hidden = !(model.runId === null && model.items.length === 0);
  if (timeline.flush(FRAME_BUDGET_MS)) delete root.dataset.busy;
  else schedule();
  // Reasoning opened while it streamed stays open after a reload too.
  if (timeline.expandedMoved) {
    timeline.expandedMoved = false;
    vscode.setState({ runId: model.runId, expanded: [...timeline.expanded] } satisfies SavedState);
  }
}

function renderApprovals(): void {
  const active = document.activeElement;
  const focusedCall = active instanceof HTMLElement && approvals.contains(active) ? active.closest<HTMLElement>('[data-call]')?.dataset.call : undefined;
  const focusKey = active instanceof HTMLElement ? active.dataset.focusKey : undefined;
  // Only a live run waits for an answer; a card of a run that ended without one (a crash, a reload) would lie.
  const live = model.controls ? model.controls.running : true;
  const cards = live ? [...model.pending.values()].map((c) => renderApprovalCard(c, model.details.get(c.callId))) : [];
  // A reason being typed survives the card's re-render (its diff arriving, another question coming).
  const typed = new Map([...approvals.querySelectorAll<HTMLInputElement>('input.reject-reason')].map((i) => [i.dataset.call, i.value]));
  for (const card of cards) {
    const box = card.querySelector<HTMLInputElement>('input.reject-reason');
    if (box) box.value = typed.get(box.dataset.call) ?? '';
  }
  approvals.replaceChildren(...cards);
  approvals.hidden = cards.length === 0;
  // A card re-rendered because its diff arrived keeps the focus where the user had it.
  if (focusedCall) {
    const card = approvals.querySelector<HTMLElement>(`[data-call="${CSS.escape(focusedCall)}"]`);
    (card?.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(focusKey ?? '')}"]`) ?? card)?.focus();
  }
}

function handle(msg: HostMessage): void {
  switch (msg.type) {
    case 'reset': {
      // A notice is about the run it came with ("Discarded 3 files"): another run's panel starts without it.
      if (msg.runId !== model.runId) notices.replaceChildren();
      model.reset(msg.runId, msg.events);
      const saved = vscode.getState() as Partial<SavedState> | undefined;
      // The host resends the journal after every `ready`: sections the user had open stay open.
      timeline.restoreExpanded(saved?.runId === msg.runId && Array.isArray(saved.expanded) ? saved.expanded : []);
      break;
    }
    case 'events':
      if (!model.append(msg.runId, msg.events)) console.warn(`Spec Agent: events of run ${msg.runId} ignored while run ${model.runId} is shown`);
      break;
    case 'controls':
      model.setControls(msg.controls);
      break;
    case 'autonomy':
      model.setAutonomy(msg.autonomy);
      break;
    case 'approvalDetail':
      model.setDetail(msg.detail);
      break;
    case 'notice':
      notices.replaceChildren(renderNotice(msg.level, msg.text));
      break;
    case 'history':
      runsView.update(msg);
      break;
  }
  schedule();
}

let handled = 0;
window.addEventListener('message', (e: MessageEvent) => {
  const r = hostMessageSchema.safeParse(e.data);
  if (r.success) handle(r.data);
  else console.warn('Spec Agent: ignoring an invalid message from the extension', r.error.issues.slice(0, 3));
  // Lets a test (or a curious developer) know how many messages the panel has taken in.
  root.dataset.handled = String(++handled);
});

root.addEventListener('click', (e) => {
  const target = (e.target as Element).closest<HTMLElement>('[data-action]');
  if (!target || target instanceof HTMLSelectElement) return;
  const runId = model.runId;
  const d = target.dataset;
  switch (d.action) {
    case 'toggle': {
      const key = `${d.item}|${d.section}`;
      if (!timeline.expanded.delete(key)) timeline.expanded.add(key);
      vscode.setState({ runId: model.runId, expanded: [...timeline.expanded] } satisfies SavedState);
      timeline.refresh(d.item!);
      return;
    }
    case 'reject':
      if (d.call) reject(d.call);
      return;
    case 'approve':
    case 'alwaysAllow':
      if (d.call) post({ type: d.action, callId: d.call });
      // Answered: the buttons go quiet until the host's approval.resolved turns the card into a row.
      target.closest('.approval-card')?.querySelectorAll('button').forEach((b) => (b.disabled = true));
      return;
    case 'openDiff':
      if (runId && d.path) post({ type: 'openDiff', runId, path: d.path });
      return;
    case 'openFile':
      if (d.path) post({ type: 'openFile', path: d.path });
      return;
    case 'checkpointDiff':
    case 'checkpointRestore':
      if (runId && d.commit) post({ type: d.action, runId, commit: d.commit });
      target.closest('details')?.removeAttribute('open');
      return;
    case 'addVerifyCommands':
      if (runId) post({ type: 'addVerifyCommands', runId });
      return;
    case 'stop':
    case 'stopAfterTask':
      post({ type: d.action });
      return;
    case 'resume':
    case 'discard':
    case 'undoDiscard':
    case 'keep':
      if (runId) post({ type: d.action, runId });
      // One click, one action: the buttons wait for the host's next controls (a second Discard would be wrong).
      controls.busy();
      return;
    case 'resumeRaised':
      resumeRaised();
      return;
    case 'tab':
      if (d.tab === 'activity' || d.tab === 'runs') showTab(d.tab);
      return;
    case 'dismissNotice':
      target.closest('.notice')?.remove();
      return;
  }
});

/** Resume with the raised limit typed (for the new run only), once it is one that lets the run go on. */
function resumeRaised(): void {
  const runId = model.runId;
  const b = controls.budget;
  const value = controls.raisedValue();
  if (!runId || !b || value === undefined) return;
  post({ type: 'resume', runId, raise: { setting: b.setting, value } });
  controls.busy();
}

controls.raiseInput.addEventListener('keydown', (e) => {
  if (e.key !== 'Enter') return;
  e.preventDefault();
  resumeRaised();
});

/** Reject, with the reason typed in the card's box when there is one. */
function reject(callId: string): void {
  const card = approvals.querySelector<HTMLElement>(`.approval-card[data-call="${CSS.escape(callId)}"]`);
  const reason = card?.querySelector<HTMLInputElement>('input.reject-reason')?.value.trim();
  post({ type: 'reject', callId, ...(reason ? { reason } : {}) });
  card?.querySelectorAll<HTMLButtonElement | HTMLInputElement>('button, input').forEach((b) => (b.disabled = true));
}

approvals.addEventListener('keydown', (e) => {
  const box = e.target;
  if (e.key !== 'Enter' || !(box instanceof HTMLInputElement) || !box.classList.contains('reject-reason') || !box.dataset.call) return;
  e.preventDefault();
  reject(box.dataset.call);
});

controls.select.addEventListener('change', () => {
  const level = controls.select.value;
  if (level === 'inherit' || level === 'cautious' || level === 'balanced' || level === 'full') post({ type: 'setAutonomy', level });
});

// Escape stops the run from anywhere in the panel, the approval cards included (DESIGN.md: Escape = Stop).
// Capture phase, so no control can swallow it first; an open <select> handles its own Escape natively.
window.addEventListener(
  'keydown',
  (e) => {
    if (e.key !== 'Escape' || e.defaultPrevented || !model.running) return;
    e.preventDefault();
    post({ type: 'stop' });
  },
  true,
);

schedule();
post({ type: 'ready' });
