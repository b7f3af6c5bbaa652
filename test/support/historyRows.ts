// Many runs for the Runs view and the history benchmark, made of the figures of real journals (recorded runs of the
// CLI): each copy gets its own run id, start time and spec; its figures are those of the journal it copies.
import type { RunEvent } from '../../src/core/runs/events.js';
import { runFigures } from '../../src/core/runs/runFigures.js';
import type { HistoryFilter } from '../../src/core/runs/activityProtocol.js';
import { historyPage, type HistoryRow } from '../../src/core/runs/runHistory.js';
import { runStats } from '../../src/core/runs/runStats.js';

/** The specs the copies are spread over. */
export const SPECS = ['todo-priorities', 'billing', 'search'];

/** A sortable run id for the i-th copy, `minutes` after a fixed start: `20261101-000000-00000a`. */
export function copyRunId(i: number, minutes = i * 7): string {
  const t = new Date(Date.UTC(2026, 10, 1) + minutes * 60_000);
  return `${t.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${i.toString(16).padStart(6, '0')}`;
}

/**
 * `n` history rows, newest first, made of the given journals in turn (a journal cut short, with no terminal event,
 * gives an interrupted run, as the history shows one whose process is gone); dispositions in turn too.
 */
export function historyRows(journals: readonly RunEvent[][], n: number): HistoryRow[] {
  const figures = journals.map((events) => runFigures(events));
  const dispositions = [null, null, 'kept', 'discarded', null] as const;
  const rows: HistoryRow[] = [];
  for (let i = 0; i < n; i++) {
    const f = figures[i % figures.length]!;
    const runId = copyRunId(i);
    const interrupted = f.outcome === 'running';
    rows.push({
      ...f,
      runId,
      spec: SPECS[i % SPECS.length]!,
      startedAt: new Date(Date.UTC(2026, 10, 1) + i * 7 * 60_000).toISOString(),
      outcome: interrupted ? 'interrupted' : f.outcome,
      tasks: f.tasks.map((t) => (t.outcome === 'running' ? { ...t, outcome: 'interrupted' as const } : t)),
      disposition: dispositions[i % dispositions.length]!,
    });
  }
  return rows.reverse();
}

/** The host's answer to the Runs view's `loadHistory` (what ActivityView.postHistory sends), over these rows. */
export function historyMessage(rows: readonly HistoryRow[], q: { filter: HistoryFilter; offset: number; limit: number } = { filter: {}, offset: 0, limit: 100 }) {
  const page = historyPage(rows, q.filter, q.offset, q.limit);
  return { type: 'history' as const, filter: q.filter, offset: q.offset, total: page.total, all: rows.length, rows: page.rows, stats: runStats(rows) };
}
