import { rm } from 'node:fs/promises';
import { runDir } from './journal.js';
import { chainOf } from './runChain.js';
import { readRunHistory, type HistoryRow } from './runHistory.js';

export interface PruneResult {
  /** The runs whose folders were removed (would be, with dryRun), oldest first, with when each ended. */
  removed: Array<{ runId: string; endedAt: string }>;
  /** Their snapshot refs in the checkpoint store that were removed. */
  refs: string[];
  /** Old runs left in place, and why. */
  kept: Array<{ runId: string; why: string }>;
}

export interface PruneOptions {
  days: number;
  dryRun?: boolean;
  now?: number;
  /** The checkpoint store's git directory, to read dispositions (see readRunHistory). */
  gitDir?: string;
  /** Removes the runs' snapshots from the checkpoint store (removeRunSnapshots); returns the refs. */
  removeSnapshots?: (runIds: readonly string[], dryRun: boolean) => Promise<string[]>;
}

/** When a run ended: its last event; for a run cut short, its start (the journal's time is not in the figures). */
const endOf = (r: HistoryRow) => (r.startedAt === null ? undefined : Date.parse(r.startedAt) + (r.durationMs ?? 0));

/**
 * Removes the folders of runs that ended more than `days` ago, with their snapshots. Never a run that is running or
 * interrupted (it may still be resumed, discarded or kept: each of those closes it), and a chain (a run and the
 * runs that resumed it) goes as one: if one of its runs is too recent or unfinished, none of them is removed, so a later run never loses the run it
 * resumed from under it.
 */
export async function pruneRuns(workspace: string, o: PruneOptions): Promise<PruneResult> {
  const cutoff = (o.now ?? Date.now()) - o.days * 24 * 3600 * 1000;
  const { rows } = await readRunHistory(workspace, o.gitDir);
  const byId = new Map(rows.map((r) => [r.runId, r]));
  const links = new Map(rows.map((r) => [r.runId, r.resumedFrom ?? undefined]));
  const old = (r: HistoryRow) => {
    const end = endOf(r);
    return end !== undefined && end < cutoff;
  };
  const removed: PruneResult['removed'] = [];
  const kept: PruneResult['kept'] = [];
  // A run cut short is closed when it is resumed, discarded or kept (closeInterruptedRuns): one still interrupted
  // is waiting for that decision.
  const open = (r: HistoryRow) => r.outcome === 'running' || r.outcome === 'interrupted';
  for (const r of [...rows].reverse()) {
    if (!old(r)) continue;
    if (open(r)) {
      kept.push({ runId: r.runId, why: `it is ${r.outcome}: resume, discard or keep it first` });
      continue;
    }
    const others = chainOf(links, r.runId).members.map((m) => byId.get(m.runId)).filter((m): m is HistoryRow => m !== undefined && m.runId !== r.runId);
    const blocker = others.find((m) => open(m) || !old(m));
    if (blocker) {
      kept.push({ runId: r.runId, why: `run ${blocker.runId} of its chain is ${open(blocker) ? blocker.outcome : 'more recent'}` });
      continue;
    }
    removed.push({ runId: r.runId, endedAt: new Date(endOf(r)!).toISOString() });
  }
  const ids = removed.map((r) => r.runId);
  const refs = o.removeSnapshots && ids.length > 0 ? await o.removeSnapshots(ids, o.dryRun ?? false) : [];
  if (!o.dryRun) for (const id of ids) await rm(runDir(workspace, id), { recursive: true, force: true });
  // The index drops them at its next reading (its runs no longer match the folders).
  if (!o.dryRun && ids.length > 0) await readRunHistory(workspace);
  return { removed, refs, kept };
}
