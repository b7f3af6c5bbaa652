import { DISPOSITION_LABEL, STATE_LABEL, type Header, type RunState } from './activityModel.js';
import { formatCount, formatDuration, h, icon } from './dom.js';
import { plural } from '../core/text/plural.js';
import { formatUsd } from '../core/models/prices.js';
import { waitText } from '../core/runs/usageText.js';

const STATE_ICON: Record<RunState, string> = {
  idle: 'circle-slash',
  running: 'loading',
  waiting: 'shield',
  paused: 'debug-pause',
  stopped: 'debug-stop',
  failed: 'error',
  completed: 'pass',
};

/** The run's header. Its nodes are made once and their text updated, so the one-second tick is a few text writes. */
export class HeaderView {
  private readonly task = h('span', { class: 'header-task' });
  private readonly stateIcon = h('span', { 'aria-hidden': 'true' });
  private readonly stateText = h('span');
  private readonly state = h('span', { class: 'badge state', role: 'status' }, this.stateIcon, ' ', this.stateText);
  private readonly level = h('span', { class: 'header-level' });
  private readonly elapsed = h('span', { class: 'header-elapsed', title: 'elapsed' });
  private readonly tokens = h('span', { class: 'header-tokens', title: 'tokens in (the whole prompt of each request) / of those, read from the provider cache / out' });
  private readonly cost = h('span', { class: 'header-cost' });
  /** The model client waiting to retry (rate limit): counted down each second by tick(). */
  private readonly wait = h('div', { class: 'header-line header-wait warning', role: 'status', hidden: true });
  /** Said once when the run started: maxCostPerRun cannot be held (no price known). */
  private readonly pricing = h('div', { class: 'header-line header-pricing warning', hidden: true });
  private readonly steps = h('span', { class: 'header-steps', title: 'model steps' });
  private readonly sandboxIcon = h('span', { 'aria-hidden': 'true' });
  private readonly sandbox = h('span', { class: 'header-sandbox' });
  private readonly sandboxPart = h('span', { class: 'header-sandbox-part' }, h('span', { class: 'sep' }, '·'), this.sandboxIcon, this.sandbox);
  /** The user's words for the run (from the chat), under the task: what they asked for, in their words. */
  private readonly note = h('div', { class: 'header-line header-note' });
  private last: Header | null = null;

  constructor(root: HTMLElement) {
    root.append(
      h('div', { class: 'header-line' }, this.task, this.state),
      h(
        'div',
        { class: 'header-line header-meta' },
        icon('shield'),
        this.level,
        h('span', { class: 'sep' }, '·'),
        icon('clock'),
        this.elapsed,
        h('span', { class: 'sep' }, '·'),
        this.steps,
        h('span', { class: 'sep' }, '·'),
        this.tokens,
        this.cost,
        this.sandboxPart,
      ),
      this.wait,
      this.pricing,
      this.note,
    );
  }

  update(hd: Header): void {
    this.last = hd;
    this.task.textContent = hd.task ? `${hd.task.id ? `${hd.task.id} ` : ''}${hd.task.title}` : hd.runId ? 'Run' : 'Agent Activity';
    this.task.title = this.task.textContent;
    this.stateIcon.className = `codicon codicon-${STATE_ICON[hd.state]}${hd.state === 'running' ? ' codicon-modifier-spin' : ''}`;
    // A run whose changes were discarded says so: "completed" alone would read as work still in the files.
    this.stateText.textContent = `${STATE_LABEL[hd.state]}${hd.disposition ? ` · ${DISPOSITION_LABEL[hd.disposition]}` : ''}`;
    this.state.className = `badge state state-${hd.state}`;
    this.state.dataset.state = hd.state;
    this.level.textContent = hd.level ? `${hd.level}${hd.levelSource ? ` (from ${hd.levelSource})` : ''}` : '—';
    this.steps.textContent = plural(hd.steps, 'step');
    this.tokens.textContent = `${formatCount(hd.inputTokens)} in / ${formatCount(hd.cachedInputTokens)} cached / ${formatCount(hd.outputTokens)} out tokens`;
    // A cost no one knew is said to be unknown, never shown as $0; a partly known one says what it leaves out.
    const unpriced = hd.unpricedRequests > 0 ? `no price known${hd.pricedRequests > 0 ? ` for ${plural(hd.unpricedRequests, 'request')}` : ''}` : '';
    this.cost.textContent = hd.pricedRequests > 0 ? ` · ${formatUsd(hd.costUsd)}${unpriced ? ` + ${unpriced}` : ''}` : unpriced ? ` · ${unpriced}` : '';
    this.cost.title = unpriced ? `${hd.model ?? 'The model'} is not in the price table and its provider reports no cost: tokens only.` : "The provider's reported cost, else the price table's (cached input at the cached rate).";
    this.cost.classList.toggle('unknown', unpriced !== '' && hd.pricedRequests === 0);
    this.pricing.hidden = !hd.pricingWarning;
    this.pricing.textContent = hd.pricingWarning ?? '';
    // RULES.md §4 S6: a run whose commands are not confined says so, and why, where the level is shown.
    const sb = hd.sandbox;
    this.sandboxPart.hidden = sb === null;
    this.sandboxIcon.className = `codicon codicon-${sb?.confined ? 'lock' : 'unlock'}`;
    this.sandbox.textContent = sb === null ? '' : sb.confined ? 'sandboxed' : `not sandboxed: ${sb.why ?? 'unknown reason'}`;
    this.sandbox.className = `header-sandbox${sb && !sb.confined ? ' warning' : ''}`;
    this.sandbox.title = sb === null ? '' : sb.confined ? `Commands run confined (${sb.backend ?? 'sandbox'}): they write only in the workspace, reach only the package registries and sandbox.allowedDomains, and see no credentials.` : `Commands run with your full access: ${sb.why ?? ''}. The full level decides commands as balanced does.`;
    this.note.hidden = !hd.note;
    this.note.textContent = hd.note ? `Your note: ${hd.note}` : '';
    this.note.title = this.note.textContent;
    this.tick();
  }

  /** The elapsed time and a wait's countdown; called every second while the run is under way. */
  tick(): void {
    const hd = this.last;
    const w = hd?.wait;
    this.wait.hidden = !w;
    if (w) this.wait.textContent = waitText({ host: w.host, status: w.status, until: new Date(w.untilMs).toISOString(), retryAfter: w.retryAfter });
    if (!hd || hd.startMs === null) {
      this.elapsed.textContent = '—';
      return;
    }
    const end = hd.endMs ?? Date.now();
    this.elapsed.textContent = formatDuration(Math.max(0, end - hd.startMs));
  }
}
