import { rm, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gitBytes } from './gitBatch.js';
import type { GitStore } from './gitStore.js';
import { restorePaths, type RestoreResult } from './restore.js';
import { changes, REF_PREFIX, snapshot, type Snapshot, type TreeChange } from './snapshot.js';

export interface CheckpointInfo {
  /** Short commit id, as printed and accepted by the CLI. */
  id: string;
  commit: string;
  ref: string;
  time: string;
  message: string;
}

export const ID_LENGTH = 12;

/** A named checkpoint of the whole work tree (`spec-agent checkpoint create`). */
export async function createCheckpoint(store: GitStore, message = 'spec-agent checkpoint'): Promise<CheckpointInfo & Pick<Snapshot, 'skipped' | 'nested'>> {
  const s = await snapshot(store, { message });
  const id = s.commit.slice(0, ID_LENGTH);
  const ref = `${REF_PREFIX}/checkpoints/${id}`;
  await gitBytes(store, ['update-ref', ref, s.commit]);
  return { id, commit: s.commit, ref, time: new Date().toISOString(), message, skipped: s.skipped, nested: s.nested };
}

/** Every checkpoint and run snapshot head, newest first. */
export async function listCheckpoints(store: GitStore): Promise<CheckpointInfo[]> {
  const out = (await gitBytes(store, ['for-each-ref', '--sort=-committerdate', '--format=%(objectname)%00%(refname)%00%(committerdate:iso-strict)%00%(subject)', REF_PREFIX])).toString('utf8');
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [commit, ref, time, message] = line.split('\0') as [string, string, string, string];
      return { id: commit.slice(0, ID_LENGTH), commit, ref, time, message };
    });
}

/** A checkpoint id (a commit prefix) or a run id, to its snapshot commit. */
export async function resolveCheckpoint(store: GitStore, id: string): Promise<string> {
  if (!/^[A-Za-z0-9._-]+$/.test(id)) throw new Error(`"${id}" is not a checkpoint id; run \`spec-agent checkpoint list\`.`);
  for (const candidate of [`${REF_PREFIX}/runs/${id}`, `${REF_PREFIX}/checkpoints/${id}`, id]) {
    const out = await gitBytes(store, ['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`]).catch(() => undefined);
    if (out) return out.toString('utf8').trim();
  }
  throw new Error(`no checkpoint "${id}"; run \`spec-agent checkpoint list\` to see them.`);
}

/** What differs between a checkpoint and the work tree now. */
export async function diffCheckpoint(store: GitStore, commit: string): Promise<TreeChange[]> {
  const now = await snapshot(store, { message: 'spec-agent: for diff' });
  return changes(store, commit, now.commit);
}

/**
 * Puts the work tree back to a checkpoint: every path, or only those given. A checkpoint of the current state
 * is taken first (its id is returned), so the restore can itself be undone. HEAD, branches, the index, the
 * stash and ignored files are left as they are.
 */
export async function restoreCheckpoint(store: GitStore, commit: string, paths: readonly string[] = []): Promise<RestoreResult & { safety: CheckpointInfo }> {
  const safety = await createCheckpoint(store, `spec-agent: before restoring ${commit.slice(0, ID_LENGTH)}`);
  const diffs = await changes(store, safety.commit, commit, paths);
  const result = await restorePaths(store, diffs.map((c) => ({ path: c.path, entry: c.to })));
  return { ...result, safety };
}

export interface PruneCheckpointsResult {
  /** The refs removed: named checkpoints, and the snapshots of runs whose folders are gone. */
  removed: string[];
  /** Runs finished that long ago whose snapshots were left, because their folders are still there. */
  keptRuns: string[];
}

/**
 * Removes checkpoint refs older than `maxAgeDays`, and the refs and manifests of runs finished that long ago whose
 * folders are gone. A run whose folder is still in `.kiro/runs/` (`runFolders`: their ids) keeps its snapshots
 * whatever their age: the folder offers Discard and Undo discard, which need them, so a run and its snapshots go
 * together (`runs prune`, removeRunSnapshots). The user's repository is never garbage-collected by us: its own gc
 * reclaims the objects in time. A private store (a folder that is not a repository) is ours, so it is collected here.
 */
export async function pruneCheckpoints(store: GitStore, o: { maxAgeDays: number; runFolders: ReadonlySet<string>; now?: number }): Promise<PruneCheckpointsResult> {
  const cutoff = (o.now ?? Date.now()) - o.maxAgeDays * 24 * 3600 * 1000;
  const removed: string[] = [];
  const keptRuns: string[] = [];
  for (const c of await listCheckpoints(store)) {
    if (!c.ref.startsWith(`${REF_PREFIX}/checkpoints/`) || Date.parse(c.time) >= cutoff) continue;
    await gitBytes(store, ['update-ref', '-d', c.ref]);
    removed.push(c.ref);
  }
  const runsDir = join(store.gitDir, 'spec-agent', 'runs');
  for (const file of (await readdir(runsDir).catch(() => [] as string[])).sort()) {
    if (!file.endsWith('.json')) continue;
    const manifest = JSON.parse(await readFile(join(runsDir, file), 'utf8')) as { runId: string; finishedAt?: number };
    if (manifest.finishedAt === undefined || manifest.finishedAt >= cutoff) continue;
    if (o.runFolders.has(manifest.runId)) {
      keptRuns.push(manifest.runId);
      continue;
    }
    await gitBytes(store, ['update-ref', '-d', `${REF_PREFIX}/runs/${manifest.runId}`]).catch(() => undefined);
    await rm(join(runsDir, file));
    removed.push(`${REF_PREFIX}/runs/${manifest.runId}`);
  }
  if (!store.userRepo && removed.length > 0) await gitBytes(store, ['gc', '--prune=now', '--quiet']);
  return { removed, keptRuns };
}

/**
 * Removes the snapshots of the given runs (their refs and manifests), whatever their age: `runs prune` removes a
 * run's folder and these together. Returns the refs that were there (all of them with `dryRun`, none removed).
 */
export async function removeRunSnapshots(store: GitStore, runIds: readonly string[], dryRun = false): Promise<string[]> {
  const wanted = new Set(runIds.map((id) => `${REF_PREFIX}/runs/${id}`));
  const present = (await listCheckpoints(store)).map((c) => c.ref).filter((ref) => wanted.has(ref));
  if (dryRun) return present;
  for (const ref of present) await gitBytes(store, ['update-ref', '-d', ref]);
  for (const id of runIds) await rm(join(store.gitDir, 'spec-agent', 'runs', `${id}.json`), { force: true });
  if (!store.userRepo && present.length > 0) await gitBytes(store, ['gc', '--prune=now', '--quiet']);
  return present;
}
