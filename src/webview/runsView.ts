import type { HistoryFilter, HistoryRowWire, HostMessage, WebviewMessage } from '../core/runs/activityProtocol.js';
import type { RunStats, StatsBlock } from '../core/runs/historySchema.js';
import { plural } from '../core/text/plural.js';
import { formatCount, formatDuration, h, icon } from './dom.js';
import { costKnownText, runCostText } from '../core/runs/usageText.js';

/** Every row is this tall (two lines), so the list can place and window thousands of rows without measuring them. */
export const RUN_ROW_HEIGHT = 44;
/** Rows built beyond the visible ones, above and below, so a scroll shows built rows before the next frame. */
const OVERSCAN = 10;

const OUTCOME_ICON: Record<HistoryRowWire['outcome'], string> = {
  completed: 'pass',
  failed: 'error',
  paused: 'debug-pause',
  stopped: 'debug-stop',
  interrupted: 'warning',
  running: 'loading',
};
const OUTCOMES = Object.keys(OUTCOME_ICON) as Array<HistoryRowWire['outcome']>;
const DISPOSITION: Record<NonNullable<HistoryRowWire['disposition']>, string> = { discarded: 'discarded', kept: 'kept', undone: 'discard undone' };

const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`);
const dur = (ms: number | null) => (ms === null ? '–' : formatDuration(ms));

/** "Dec 7, 13:05": the start of a run, in the user's locale and time zone. */
const when = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/** Rows asked of the host at a time. */
export const RUNS_PAGE = 100;

/**
 * The Runs view: the stats of the workspace's runs (of the spec picked, or all) above a list of every run, newest
 * first, filtered by spec and outcome. The host sends pages of rows as the list needs them (the first when the tab
 * opens or a filter changes, the next as the user scrolls), and the list is windowed: only the rows in sight (and a
 * few more) are in the DOM. 5,000 runs cost what 30 do, in the message and on the page. Picking a run asks the host
 * to show its timeline.
 */
export class RunsView {
  /** The rows received for the current filter, by their index in the filtered list. */
  private rows = new Map<number, HistoryRowWire>();
  /** Pages asked for and not yet received (by first index). */
  private asked = new Set<number>();
  private total = 0;
  private all = 0;
  private stats: RunStats | null = null;
  private loaded = false;
  /** The next first page comes from a new look (the tab opened, a filter changed), not a refresh. */
  private fromTop = false;
  private readonly specSelect = h('select', { class: 'runs-filter', 'aria-label': 'Spec', 'data-filter': 'spec' });
  private readonly outcomeSelect = h('select', { class: 'runs-filter', 'aria-label': 'Outcome', 'data-filter': 'outcome' });
  private readonly statsBox = h('div', { class: 'runs-stats', 'aria-label': 'Run statistics' });
  private readonly count = h('span', { class: 'runs-count' });
  private readonly list = h('div', { class: 'runs-list', role: 'list', 'aria-label': 'Runs' });
  private readonly spacer = h('div', { class: 'runs-spacer' });
  private readonly empty = h('p', { class: 'empty runs-empty' }, 'No runs in this workspace yet.');
  private frame = 0;
  /** The window of rows in the DOM: [first, end). */
  private built: [number, number] = [0, 0];

  constructor(
    private readonly root: HTMLElement,
    private readonly post: (m: WebviewMessage) => void,
  ) {
    this.specSelect.append(h('option', { value: '' }, 'All specs'));
    this.outcomeSelect.append(h('option', { value: '' }, 'All outcomes'), ...OUTCOMES.map((o) => h('option', { value: o }, o)));
    this.list.append(this.spacer);
    this.empty.hidden = true;
    root.append(h('div', { class: 'runs-filters' }, this.specSelect, this.outcomeSelect, this.count), this.statsBox, this.empty, this.list);
    this.specSelect.addEventListener('change', () => this.load());
    this.outcomeSelect.addEventListener('change', () => this.load());
    this.list.addEventListener('scroll', () => this.schedule());
    this.list.addEventListener('click', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('[data-run]');
      if (row?.dataset.run) this.post({ type: 'showRun', runId: row.dataset.run });
    });
  }

  private filter(): HistoryFilter {
    const spec = this.specSelect.value;
    const outcome = OUTCOMES.find((o) => o === this.outcomeSelect.value);
    return { ...(spec ? { spec } : {}), ...(outcome ? { outcome } : {}) };
  }

  /** Asks for the first page of the current filter (the tab opened, a filter changed): the list starts over. */
  load(): void {
    this.fromTop = true;
    this.asked = new Set([0]);
    this.post({ type: 'loadHistory', filter: this.filter(), offset: 0, limit: RUNS_PAGE });
  }

  /** A page from the host. The first page of a filter starts the list over (runs may have come or gone since). */
  update(m: Extract<HostMessage, { type: 'history' }>): void {
    const f = this.filter();
    // A page of a filter the user has left since.
    if (m.filter.spec !== f.spec || m.filter.outcome !== f.outcome) return;
    this.asked.delete(m.offset);
    if (m.offset === 0) {
      this.rows.clear();
      this.clearBuilt();
    }
    m.rows.forEach((r, i) => this.rows.set(m.offset + i, r));
    this.loaded = true;
    this.total = m.total;
    this.all = m.all;
    this.stats = m.stats;
    // The specs of every run, whichever is picked.
    const specs = m.stats.bySpec.map((b) => b.spec);
    if (specs.join('\n') !== [...this.specSelect.options].slice(1).map((o) => o.value).join('\n')) {
      const picked = this.specSelect.value;
      this.specSelect.replaceChildren(h('option', { value: '' }, 'All specs'), ...specs.map((s) => h('option', { value: s }, s)));
      this.specSelect.value = specs.includes(picked) ? picked : '';
    }
    const block = f.spec ? m.stats.bySpec.find((b) => b.spec === f.spec)?.stats : m.stats.overall;
    this.statsBox.replaceChildren(...(block ? statsLines(block) : []));
    this.count.textContent = this.total === this.all ? plural(this.all, 'run') : `${this.total} of ${plural(this.all, 'run')}`;
    this.empty.hidden = this.all > 0;
    this.spacer.style.height = `${this.total * RUN_ROW_HEIGHT}px`;
    // A new look starts at the top; the host's refresh after a run ended keeps the user where they were.
    if (m.offset === 0 && this.fromTop) {
      this.list.scrollTop = 0;
      this.fromTop = false;
    }
    // Rows that were waiting for this page, shown as they come.
    for (const el of [...this.list.querySelectorAll<HTMLElement>('.run-row-loading')]) {
      const i = Number(el.dataset.index);
      const r = this.rows.get(i);
      if (r) el.replaceWith(runRow(r, i));
    }
    this.render();
  }

  private clearBuilt(): void {
    this.built = [0, 0];
    for (const el of [...this.list.querySelectorAll('.run-row')]) el.remove();
  }

  private schedule(): void {
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.render());
  }

  /** Builds the rows in sight (and OVERSCAN more each way), drops the others, and asks for the pages it lacks. */
  private render(): void {
    this.frame = 0;
    // Hidden (the Activity tab is shown): nothing to lay out; the tab's return renders.
    if (this.root.hidden || !this.loaded) return;
    const height = this.list.clientHeight || 600;
    const first = Math.max(0, Math.floor(this.list.scrollTop / RUN_ROW_HEIGHT) - OVERSCAN);
    const end = Math.min(this.total, Math.ceil((this.list.scrollTop + height) / RUN_ROW_HEIGHT) + OVERSCAN);
    for (let page = Math.floor(first / RUNS_PAGE) * RUNS_PAGE; page < end; page += RUNS_PAGE) {
      if (this.rows.has(page) || this.asked.has(page)) continue;
      this.asked.add(page);
      this.post({ type: 'loadHistory', filter: this.filter(), offset: page, limit: RUNS_PAGE });
    }
    const [oldFirst, oldEnd] = this.built;
    if (first === oldFirst && end === oldEnd) return;
    for (const el of [...this.list.querySelectorAll<HTMLElement>('.run-row')]) {
      const i = Number(el.dataset.index);
      if (i < first || i >= end) el.remove();
    }
    const fresh = document.createDocumentFragment();
    for (let i = first; i < end; i++) {
      if (i >= oldFirst && i < oldEnd) continue;
      const r = this.rows.get(i);
      fresh.append(r ? runRow(r, i) : loadingRow(i));
    }
    this.list.append(fresh);
    this.built = [first, end];
  }

  /** The tab was shown: a fresh look at the runs. */
  shownAgain(): void {
    this.load();
  }
}

function loadingRow(index: number): HTMLElement {
  const row = h('div', { class: 'run-row run-row-loading', 'data-index': index, 'aria-busy': 'true' }, h('span', { class: 'run-line run-meta' }, '…'));
  row.style.top = `${index * RUN_ROW_HEIGHT}px`;
  return row;
}

function runRow(r: HistoryRowWire, index: number): HTMLElement {
  const started = r.startedAt ? when.format(new Date(r.startedAt)) : 'start unknown';
  const checks = r.checks.passed + r.checks.failed;
  const meta = [
    started,
    dur(r.durationMs),
    r.level,
    r.model,
    `${formatCount(r.tokens)} tokens`,
    // As the header and the CLI write it (a run under a cent keeps its digits).
    runCostText(r.costUsd, r.unpricedRequests),
    r.selfCorrections > 0 ? plural(r.selfCorrections, 'self-correction') : null,
    checks > 0 ? `checks ${r.checks.passed}/${checks}` : null,
  ].filter((x): x is string => x !== null);
  const outcome = `${r.outcome}${r.disposition ? ` · ${DISPOSITION[r.disposition]}` : ''}`;
  const row = h(
    'button',
    { class: `run-row outcome-${r.outcome}`, role: 'listitem', 'data-run': r.runId, 'data-index': index, title: `run ${r.runId}: ${outcome}; show its timeline` },
    h('span', { class: 'run-line' }, icon(OUTCOME_ICON[r.outcome], `run-icon${r.outcome === 'running' ? ' codicon-modifier-spin' : ''}`), h('span', { class: 'run-tasks' }, r.tasks), h('span', { class: 'run-outcome' }, outcome)),
    h('span', { class: 'run-line run-meta' }, h('span', { class: 'run-spec' }, r.spec), ...meta.flatMap((m) => [h('span', { class: 'sep' }, '·'), h('span', null, m)])),
  );
  row.style.top = `${index * RUN_ROW_HEIGHT}px`;
  return row;
}

/** The figures of `runs stats`, a few lines. */
export function statsLines(s: StatsBlock): HTMLElement[] {
  const t = s.tasks;
  const known = costKnownText(s.costKnown, s.runs);
  const line = (...parts: Array<string | Node>) => h('div', { class: 'runs-stats-line' }, ...parts);
  const byRule = s.gate.byRule.map((r) => `${r.rule}: ${[r.allow && `${r.allow} allow`, r.ask && `${r.ask} ask`, r.deny && `${r.deny} deny`].filter(Boolean).join(', ')}`).join('\n');
  return [
    line(h('strong', null, plural(s.runs, 'run')), ` · tasks ${t.completed} completed, ${t.failed} failed, ${t.paused} paused, ${t.stopped} stopped, ${t.interrupted} interrupted`),
    line(`verified ${pct(s.verifiedShare)} · checks pass ${pct(s.checks.passRate)} (${s.checks.passed}/${s.checks.passed + s.checks.failed}) · self-corrections per task ${s.selfCorrections.perTask === null ? '–' : s.selfCorrections.perTask.toFixed(2)} (max ${s.selfCorrections.max})`),
    line(`task time median ${dur(s.taskTimeMs.median)}, p90 ${dur(s.taskTimeMs.p90)} · per completed task ${s.tokensPerCompletedTask === null ? '–' : formatCount(Math.round(s.tokensPerCompletedTask))} tokens${s.costPerCompletedTask !== null ? `, $${s.costPerCompletedTask.toFixed(4)}` : ''}${known ? ` (cost ${known})` : ''}`),
    line(
      h('span', { title: byRule || 'no gate decisions' }, `gate ${s.gate.allow} allow, ${s.gate.ask} ask, ${s.gate.deny} deny`),
      ` · approvals ${s.approvals.asked} asked, ${s.approvals.approved} approved, ${s.approvals.rejected} rejected, ${s.approvals.alwaysAllowed} always allowed`,
    ),
  ];
}
