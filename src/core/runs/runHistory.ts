import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { RunDecision } from '../checkpoints/runCheckpoints.js';
import { atomicWrite } from '../fs/atomicWrite.js';
import type { RecordedGroup } from '../tools/runProcesses.js';
import { readJournal, RUNS_DIR, runDir } from './journal.js';
import { chainOf } from './runChain.js';
import { runFigures, runFiguresSchema, type RunFigures } from './runFigures.js';
import { listRunIds } from './runIndex.js';
import { matchesFilter } from './runStats.js';
import { runIsLive } from './runLock.js';

/** `.kiro/runs/index.jsonl`: one line per run, its figures and the size and time of the journal they came from. */
export const HISTORY_INDEX = 'index.jsonl';
/** The format of the index's lines: a change of RunFigures changes it, and an index of another format is rebuilt. */
// 3: RunFigures.unpricedRequests.
const INDEX_FORMAT = 'spec-agent-runs-index/3';

const entrySchema = runFiguresSchema.extend({
  /** The journal ends with a terminal event: its figures will not change. */
  ended: z.boolean(),
  journal: z.object({ size: z.number(), mtimeMs: z.number() }),
  /**
   * The process groups its commands started (process.started), kept while the journal has no terminal event: a run
   * cut short may have left them running, and `runs list` ends them without reading the journal again.
   */
  groups: z.array(z.object({ pgid: z.number(), startTime: z.string().optional() })),
});
type Entry = z.infer<typeof entrySchema>;

/** A run as the history lists it: its figures, whether it is still live, and what the user decided about its changes. */
export interface HistoryRow extends RunFigures {
  /** Discarded, kept or discard undone, for the run's whole chain (a run and the runs that resumed it); null: none. */
  disposition: RunDecision | null;
}

export interface RunHistory {
  /** Newest first. */
  rows: HistoryRow[];
  /** Journals read this time (new, grown, or changed since the index was written); the rest came from the index. */
  read: number;
  /** The interrupted runs (no terminal event, no live process), with the process groups their commands started. */
  cutShort: Array<{ runId: string; groups: RecordedGroup[] }>;
}

/**
 * Every run of the workspace, newest first, without reading every journal: the figures come from the index, and
 * only a journal the index does not hold at its current size and time is read (a new run, one that went on, a
 * resumed one), after which the index is rewritten (temp file + rename, so a reader never sees half of it; two
 * writers at once each write a whole, valid index). A missing or damaged index is rebuilt from the journals. A run
 * without a terminal event is 'running' while a live process holds its lock, else 'interrupted' (a crash).
 *
 * `gitDir`: the checkpoint store's git directory (GitStore.gitDir), where the user's decisions about runs' changes
 * are kept; without it, no disposition is read.
 */
export async function readRunHistory(workspace: string, gitDir?: string): Promise<RunHistory> {
  const indexFile = join(workspace, RUNS_DIR, HISTORY_INDEX);
  const known = await readIndex(indexFile);
  const ids = await listRunIds(workspace);
  const entries: Entry[] = [];
  let read = 0;
  // Stats in parallel, bounded: thousands of runs, one stat each.
  const stats = await mapLimit(ids, 64, (id) => stat(join(runDir(workspace, id), 'events.jsonl')).catch(() => undefined));
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const st = stats[i];
    if (!st) continue;
    const hit = known.get(id);
    if (hit && hit.journal.size === st.size && hit.journal.mtimeMs === st.mtimeMs) {
      entries.push(hit);
      continue;
    }
    const j = await readJournal(workspace, id).catch(() => undefined);
    read++;
    if (!j || j.events[0]?.type !== 'run.started') continue;
    const groups = j.ended ? [] : j.events.flatMap((e) => (e.type === 'process.started' ? [{ pgid: e.pgid, ...(e.startTime ? { startTime: e.startTime } : {}) }] : []));
    entries.push({ ...runFigures(j.events), ended: j.ended, journal: { size: st.size, mtimeMs: st.mtimeMs }, groups });
  }
  if (read > 0 || entries.length !== known.size) await writeIndex(indexFile, entries).catch(() => undefined);
  const decisions = gitDir ? await readDecisions(gitDir, entries) : new Map<string, RunDecision>();
  const cutShort: RunHistory['cutShort'] = [];
  const rows = entries.map(({ ended, journal: _, groups, ...figures }): HistoryRow => {
    const row: HistoryRow = { ...figures, disposition: decisions.get(figures.runId) ?? null };
    if (!ended && !runIsLive(workspace, figures.runId)) {
      cutShort.push({ runId: figures.runId, groups });
      row.outcome = 'interrupted';
      row.tasks = row.tasks.map((t) => (t.outcome === 'running' ? { ...t, outcome: 'interrupted' } : t));
    }
    return row;
  });
  return { rows: rows.reverse(), read, cutShort };
}

/** The index's last line: the format, and a digest of the lines above it as written. */
const sealSchema = z.object({ seal: z.literal(INDEX_FORMAT), sha1: z.string() });

const digest = (text: string) => createHash('sha1').update(text).digest('hex');

async function writeIndex(file: string, entries: readonly Entry[]): Promise<void> {
  const body = entries.map((e) => JSON.stringify(e) + '\n').join('');
  await atomicWrite(file, body + JSON.stringify({ seal: INDEX_FORMAT, sha1: digest(body) }) + '\n');
}

/**
 * The index's entries. Lines under an intact seal are the entries this code wrote from the journals (their figures
 * typed by runFigures), taken as they are: checking 5,000 of them one by one with zod would cost more than the whole
 * rest of a look at the runs. Without the seal (damaged, edited, cut short, another format) each line is checked
 * with the schema, and a line that fails is dropped: its run's journal is read again.
 */
async function readIndex(file: string): Promise<Map<string, Entry>> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const out = new Map<string, Entry>();
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const last = lines.at(-1);
  let sealed = false;
  try {
    const seal = last !== undefined ? sealSchema.safeParse(JSON.parse(last)) : undefined;
    sealed = seal?.success === true && seal.data.sha1 === digest(text.slice(0, text.length - last!.length - 1));
  } catch {
    sealed = false;
  }
  if (sealed) lines.pop();
  for (const line of lines) {
    if (!line) continue;
    try {
      const raw: unknown = JSON.parse(line);
      if (sealed) {
        const e = raw as Entry;
        out.set(e.runId, e);
        continue;
      }
      const e = entrySchema.safeParse(raw);
      if (e.success) out.set(e.data.runId, e.data);
    } catch {
      // damaged: its run's journal is read again
    }
  }
  return out;
}

const decisionManifest = z.object({
  keptAt: z.number().optional(),
  discards: z.array(z.object({ at: z.number(), undone: z.boolean() })),
});

/**
 * The decision about each run's changes, for its whole chain (as ChainCheckpoints.decision: the member decided
 * last speaks for the chain), from the run manifests of the checkpoint store. Only runs that have one are read.
 */
async function readDecisions(gitDir: string, entries: readonly Entry[]): Promise<Map<string, RunDecision>> {
  const dir = join(gitDir, 'spec-agent', 'runs');
  const files = new Set(await readdir(dir).catch(() => [] as string[]));
  const own = new Map<string, { decision: RunDecision; at: number }>();
  const withManifest = entries.filter((e) => files.has(`${e.runId}.json`));
  await mapLimit(withManifest, 64, async (e) => {
    try {
      const m = decisionManifest.parse(JSON.parse(await readFile(join(dir, `${e.runId}.json`), 'utf8')));
      const last = m.discards.at(-1);
      const kept = m.keptAt;
      if (last && (kept === undefined || kept < last.at)) own.set(e.runId, { decision: last.undone ? 'undone' : 'discarded', at: last.at });
      else if (kept !== undefined) own.set(e.runId, { decision: 'kept', at: kept });
    } catch {
      // a manifest being written or damaged: no decision shown
    }
  });
  const out = new Map<string, RunDecision>();
  if (own.size === 0) return out;
  const links = new Map(entries.map((e) => [e.runId, e.resumedFrom ?? undefined]));
  const resumed = new Set(entries.flatMap((e) => (e.resumedFrom !== null ? [e.resumedFrom] : [])));
  for (const e of entries) {
    // Most runs are in no chain: their own decision is the chain's.
    if (e.resumedFrom === null && !resumed.has(e.runId)) {
      const d = own.get(e.runId);
      if (d) out.set(e.runId, d.decision);
      continue;
    }
    let last: { decision: RunDecision; at: number } | undefined;
    for (const m of chainOf(links, e.runId).members) {
      const d = own.get(m.runId);
      if (d && (last === undefined || d.at >= last.at)) last = d;
    }
    if (last) out.set(e.runId, last.decision);
  }
  return out;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/** What the Runs view shows of a run (activityProtocol's history row). */
export function historyRowOf(r: HistoryRow): {
  runId: string;
  spec: string;
  tasks: string;
  startedAt: string | null;
  durationMs: number | null;
  outcome: HistoryRow['outcome'];
  disposition: RunDecision | null;
  level: string | null;
  model: string | null;
  tokens: number;
  costUsd: number | null;
  unpricedRequests: number;
  selfCorrections: number;
  checks: { passed: number; failed: number };
} {
  const first = r.tasks[0];
  const label = first ? `${first.id ? `${first.id} ` : ''}${first.title}` : '(no task)';
  return {
    runId: r.runId,
    spec: r.spec,
    tasks: r.tasks.length > 1 ? `${label} + ${r.tasks.length - 1} more` : label,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    outcome: r.outcome,
    disposition: r.disposition,
    level: r.level,
    model: r.model,
    tokens: r.tokens.input + r.tokens.output,
    costUsd: r.costUsd,
    unpricedRequests: r.unpricedRequests,
    selfCorrections: r.selfCorrections,
    checks: r.checks,
  };
}

/** Rows [offset, offset + limit) of the runs the filter keeps (newest first, as listed), and how many it keeps. */
export function historyPage(rows: readonly HistoryRow[], filter: { spec?: string; outcome?: string }, offset: number, limit: number): { total: number; rows: Array<ReturnType<typeof historyRowOf>> } {
  const kept = filter.spec === undefined && filter.outcome === undefined ? rows : rows.filter((r) => matchesFilter(r, filter));
  return { total: kept.length, rows: kept.slice(offset, offset + limit).map(historyRowOf) };
}
