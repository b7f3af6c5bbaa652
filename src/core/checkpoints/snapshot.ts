import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { convertedPaths, gitBytes, readBlobs } from './gitBatch.js';
import { writeRawTree } from './rawBlobs.js';
import type { GitStore } from './gitStore.js';

/** Untracked files larger than this are left out of snapshots, with a warning naming them. */
export const MAX_UNTRACKED_BYTES = 50 * 1024 * 1024;

export const REF_PREFIX = 'refs/spec-agent';

export interface Snapshot {
  /** The snapshot commit (in the store's object database, never on a branch). */
  commit: string;
  tree: string;
  /** Paths left out: untracked files over 50 MB. */
  skipped: Array<{ path: string; bytes: number }>;
  /** Nested repositories and submodules: recorded as such, their contents never snapshotted or restored. */
  nested: string[];
}

export interface SnapshotOptions {
  message?: string;
  parent?: string;
  /** A ref (under refs/spec-agent/) to point at the snapshot, so it is kept. */
  ref?: string;
}

/**
 * Records the whole work tree (tracked changes and untracked files; ignored files left out) as a commit,
 * through the private index: the user's index, HEAD, branches and stash are not touched. The private index
 * keeps file stat data between snapshots, so unchanged files are not hashed again.
 */
export async function snapshot(store: GitStore, options: SnapshotOptions = {}): Promise<Snapshot> {
  // One pass over the work tree (the cost of a `git status`): paths modified or deleted since the private
  // index last saw them, and untracked ones. Only those are hashed.
  const listed = (await gitBytes(store, ['ls-files', '-z', '-m', '-d', '-o', '--exclude-standard'])).toString('utf8').split('\0').filter(Boolean);
  const skipped: Snapshot['skipped'] = [];
  const nestedUntracked: string[] = [];
  const update = new Set<string>();
  await Promise.all(
    [...new Set(listed)].map(async (path) => {
      if (path.endsWith('/')) {
        // git lists a nested repository as `dir/`: recorded, never entered.
        nestedUntracked.push(path.slice(0, -1));
        return;
      }
      const info = await lstat(join(store.workTree, path)).catch(() => undefined);
      if (info?.isFile() && info.size > MAX_UNTRACKED_BYTES && !(await tracked(store, path))) skipped.push({ path, bytes: info.size });
      else update.add(path);
    }),
  );
  // update-index hashes files as git sees them, which is as they are unless their attributes ask for a conversion
  // (core.autocrlf=false, filters emptied: gitStore.ts). Those files (asked of check-attr meanwhile, so the common
  // case of none costs no time) also get their bytes hashed, and the tree has those (rawBlobs.ts).
  let converted: Promise<Set<string>> = Promise.resolve(new Set());
  if (update.size > 0) {
    const paths = [...update];
    converted = convertedPaths(store, paths);
    converted.catch(() => undefined); // awaited below; not unhandled if update-index fails first
    await gitBytes(store, ['update-index', '--add', '--remove', '--replace', '-z', '--stdin'], paths.join('\0') + '\0');
  }
  const tree = await writeRawTree(store, await converted);
  const args = ['commit-tree', tree, '-m', options.message ?? 'spec-agent snapshot'];
  if (options.parent) args.push('-p', options.parent);
  const commit = (await gitBytes(store, args)).toString('utf8').trim();
  if (options.ref) await gitBytes(store, ['update-ref', `${REF_PREFIX}/${options.ref}`, commit]);
  const nested = [...nestedUntracked, ...(await gitlinks(store))];
  return { commit, tree, skipped: skipped.sort((a, b) => a.path.localeCompare(b.path)), nested: [...new Set(nested)].sort() };
}

/** Whether the private index already holds the path (a big file the user tracks is snapshotted like any other). */
async function tracked(store: GitStore, path: string): Promise<boolean> {
  return (await gitBytes(store, ['ls-files', '-z', '--', `:(literal)${path}`])).length > 0;
}

/**
 * Submodules and nested repositories already in the index (gitlinks). Listing the index costs a pass over
 * every entry, so it is done once per store: a snapshot only adds gitlinks for paths git listed as `dir/`.
 */
async function gitlinks(store: GitStore): Promise<string[]> {
  store.cache.gitlinks ??= (await gitBytes(store, ['ls-files', '-z', '--stage']))
    .toString('utf8')
    .split('\0')
    .filter((e) => e.startsWith('160000 '))
    .map((e) => e.slice(e.indexOf('\t') + 1));
  return store.cache.gitlinks;
}

export interface TreeChange {
  path: string;
  /** Mode and blob in the first tree; null when the path was absent. */
  from: { mode: string; blob: string } | null;
  to: { mode: string; blob: string } | null;
}

/** What differs between two snapshot trees (or commits), path by path; renames are a delete and an add. */
export async function changes(store: GitStore, from: string, to: string, paths: readonly string[] = []): Promise<TreeChange[]> {
  const out = await gitBytes(store, ['diff-tree', '-r', '-z', '--no-renames', '--raw', from, to, '--', ...paths.map((p) => `:(literal)${p}`)]);
  const parts = out.toString('utf8').split('\0');
  const result: TreeChange[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const m = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])/.exec(parts[i]!);
    if (!m) continue;
    const zero = /^0+$/;
    result.push({
      path: parts[i + 1]!,
      from: m[1] === '000000' || zero.test(m[3]!) ? null : { mode: m[1]!, blob: m[3]! },
      to: m[2] === '000000' || zero.test(m[4]!) ? null : { mode: m[2]!, blob: m[4]! },
    });
  }
  return result;
}

/** The entry of one path in a snapshot, or null. */
export async function entryAt(store: GitStore, commit: string, path: string): Promise<{ mode: string; blob: string } | null> {
  const out = (await gitBytes(store, ['ls-tree', '-z', commit, '--', `:(literal)${path}`])).toString('utf8');
  const m = /^(\d{6}) \w+ ([0-9a-f]+)\t/.exec(out);
  return m ? { mode: m[1]!, blob: m[2]! } : null;
}

/** The bytes of one file in a snapshot, or null when the path was absent (or is a nested repository). */
export async function fileAt(store: GitStore, commit: string, path: string): Promise<Buffer | null> {
  const entry = await entryAt(store, commit, path);
  if (!entry || entry.mode === '160000') return null;
  return (await readBlobs(store, [entry.blob])).get(entry.blob) ?? null;
}
