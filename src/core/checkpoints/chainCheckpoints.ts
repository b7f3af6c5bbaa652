import type { GitStore } from './gitStore.js';
import type { RestoreResult } from './restore.js';
import { DispositionError, RunCheckpoints, type Conflict, type RunDecision } from './runCheckpoints.js';
import type { TreeChange } from './snapshot.js';

/**
 * A chain whose members were decided apart (by a version that discarded one run at a time): part discarded, part
 * not. Discarding the rest now would put files back under the discarded run's restore; the way out is named.
 */
export class MixedChainError extends Error {
  constructor(
    readonly runId: string,
    readonly discarded: string[],
    readonly open: string[],
  ) {
    super(`run ${runId}'s chain is partly discarded (${discarded.join(', ')}) and partly not (${open.join(', ')}); undo the discard first, then discard the chain as one: its runs are put back newest first`);
  }
}

export interface ChainDiscardResult extends RestoreResult {
  conflicts: Conflict[];
  /** The members discarded, in the order they were (newest first). */
  discarded: string[];
}

export interface ChainUndoResult extends RestoreResult {
  /** The members whose discard was undone, in that order (the last discarded first). */
  undone: string[];
}

/**
 * The checkpoints of a chain of runs (a run and the runs that resumed it): one piece of work for Discard, Undo
 * discard and Keep. A discard goes newest run first, so each run finds the files as it left them and puts them back
 * to what they were when it started, down to the first run's base: nothing a later run did is taken for the user's.
 * What the user changed between or after the runs is theirs in every member, so it is reported, never overwritten.
 */
export class ChainCheckpoints {
  private constructor(
    /** The run the user picked. */
    readonly runId: string,
    /** Members with checkpoints, oldest first (a run that failed before its first checkpoint has none). */
    readonly members: RunCheckpoints[],
  ) {}

  /** `ids`: the chain's runs, oldest first. Throws when the picked run itself has no checkpoints. */
  static async open(store: GitStore, runId: string, ids: readonly string[]): Promise<ChainCheckpoints> {
    const members: RunCheckpoints[] = [];
    for (const id of ids.includes(runId) ? ids : [...ids, runId]) {
      if (id === runId) members.push(await RunCheckpoints.open(store, id));
      else {
        const m = await RunCheckpoints.open(store, id).catch(() => undefined);
        if (m) members.push(m);
      }
    }
    return new ChainCheckpoints(runId, members);
  }

  get ids(): string[] {
    return this.members.map((m) => m.data.runId);
  }

  /**
   * What may be done next: discarded when any member is (Undo discard puts it back), kept when every member is,
   * else open.
   */
  get disposition(): 'open' | 'kept' | 'discarded' {
    if (this.members.some((m) => m.disposition === 'discarded')) return 'discarded';
    return this.members.every((m) => m.disposition === 'kept') ? 'kept' : 'open';
  }

  /** The user's last decision about any member: the chain's, as the history shows it for each member. */
  get decision(): RunDecision | undefined {
    let last: RunCheckpoints | undefined;
    for (const m of this.members) if (m.decidedAt !== undefined && (last === undefined || m.decidedAt >= last.decidedAt!)) last = m;
    return last?.decision;
  }

  /** What the chain's runs changed, one entry per path (for the editors with unsaved edits a discard would drop). */
  async agentChanges(): Promise<TreeChange[]> {
    const byPath = new Map<string, TreeChange>();
    for (const m of this.members) for (const c of await m.agentChanges()) byPath.set(c.path, c);
    return [...byPath.values()];
  }

  /** Puts back every member's changes, newest run first, down to what the files were before the first run. */
  async discard(): Promise<ChainDiscardResult> {
    const discarded = this.members.filter((m) => m.disposition === 'discarded');
    if (discarded.length > 0) {
      const open = this.members.filter((m) => m.disposition === 'open');
      if (open.length === 0) throw new DispositionError(this.runId, 'already-discarded');
      throw new MixedChainError(this.runId, discarded.map((m) => m.data.runId), open.map((m) => m.data.runId));
    }
    const result: ChainDiscardResult = { written: [], removed: [], skipped: [], conflicts: [], discarded: [] };
    const last = new Map<string, 'written' | 'removed'>();
    const conflicts = new Map<string, Conflict>();
    // A member kept on its own (by an older version) stays the user's.
    for (const m of [...this.members].reverse().filter((x) => x.disposition === 'open')) {
      const r = await m.discard();
      result.discarded.push(m.data.runId);
      lastAction(last, r);
      result.skipped.push(...r.skipped.filter((k) => !result.skipped.some((x) => x.path === k.path)));
      for (const c of r.conflicts) {
        // The newest run's version is the agent's last; the oldest run's `before` is the chain's.
        const seen = conflicts.get(c.path);
        conflicts.set(c.path, seen ? { ...seen, before: c.before, current: c.current } : c);
      }
    }
    result.conflicts = [...conflicts.values()];
    // A path put back by a later run and then left to the user by an earlier one is the user's: reported once, as such.
    for (const p of conflicts.keys()) last.delete(p);
    return { ...result, ...byAction(last) };
  }

  /** Undoes the discards of the chain's members, the last discarded first, back to the chain's end state. */
  async undoDiscard(): Promise<ChainUndoResult> {
    const order = this.members
      .map((m, i) => ({ m, i }))
      .filter(({ m }) => m.disposition === 'discarded')
      // A chain discard went newest first: the oldest member's discard is the last one made, undone first.
      .sort((a, b) => b.m.discardedAt! - a.m.discardedAt! || a.i - b.i)
      .map(({ m }) => m);
    if (order.length === 0) throw new DispositionError(this.runId, 'not-discarded');
    const result: ChainUndoResult = { written: [], removed: [], skipped: [], undone: [] };
    const last = new Map<string, 'written' | 'removed'>();
    for (const m of order) {
      const r = await m.undoDiscard();
      result.undone.push(m.data.runId);
      lastAction(last, r);
      result.skipped.push(...r.skipped.filter((k) => !result.skipped.some((x) => x.path === k.path)));
    }
    return { ...result, ...byAction(last) };
  }

  /** Keep changes: every member's changes are the user's. A discarded chain is refused (its files are put back). */
  async keep(): Promise<string[]> {
    if (this.disposition === 'discarded') throw new DispositionError(this.runId, 'already-discarded');
    const kept: string[] = [];
    for (const m of this.members) {
      if (m.disposition !== 'open') continue;
      await m.keep();
      kept.push(m.data.runId);
    }
    return kept;
  }
}

/** A path written by one member's restore and removed by the next (or the other way) ends as the last one left it. */
function lastAction(last: Map<string, 'written' | 'removed'>, r: RestoreResult): void {
  for (const p of r.written) last.set(p, 'written');
  for (const p of r.removed) last.set(p, 'removed');
}

function byAction(last: ReadonlyMap<string, 'written' | 'removed'>): { written: string[]; removed: string[] } {
  const entries = [...last];
  return { written: entries.filter(([, a]) => a === 'written').map(([p]) => p), removed: entries.filter(([, a]) => a === 'removed').map(([p]) => p) };
}
