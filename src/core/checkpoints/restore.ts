import { chmod, lstat, mkdir, readdir, rmdir, symlink, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { atomicWrite } from '../fs/atomicWrite.js';
import { readBlobs } from './gitBatch.js';
import type { GitStore } from './gitStore.js';

export interface RestoreTarget {
  path: string;
  /** What the path must hold; null means it must not exist. */
  entry: { mode: string; blob: string } | null;
}

export interface RestoreResult {
  written: string[];
  removed: string[];
  /** Paths left as they were, with the reason. */
  skipped: Array<{ path: string; reason: string }>;
}

/**
 * Puts paths of the work tree back to given snapshot entries: regular files with their exec bit, symlinks,
 * absent files removed. Writes are atomic. A `.git` directory and nested repositories are never touched.
 */
export async function restorePaths(store: GitStore, targets: readonly RestoreTarget[], options: { removeFoldersCreatedAfter?: number } = {}): Promise<RestoreResult> {
  const result: RestoreResult = { written: [], removed: [], skipped: [] };
  const blobs = await readBlobs(store, targets.flatMap((t) => (t.entry && t.entry.mode !== '160000' ? [t.entry.blob] : [])));
  // Paths are independent, so their writes (each flushed before its rename) run a few at a time.
  await inParallel(targets, 16, async ({ path, entry }) => {
    if (path === '.git' || path.startsWith('.git/') || path.includes('/.git/')) {
      result.skipped.push({ path, reason: 'inside a .git directory' });
      return;
    }
    if (entry?.mode === '160000') {
      result.skipped.push({ path, reason: 'a nested repository: its contents are never restored' });
      return;
    }
    const abs = join(store.workTree, path);
    const current = await lstat(abs).catch(() => undefined);
    if (current?.isDirectory()) {
      if ((await readdir(abs)).length > 0) {
        result.skipped.push({ path, reason: 'a folder is there now; it was left as it is' });
        return;
      }
      await rmdir(abs);
    }
    if (!entry) {
      if (current && !current.isDirectory()) {
        await unlink(abs);
        result.removed.push(path);
      }
      return;
    }
    const content = blobs.get(entry.blob)!;
    await mkdir(dirname(abs), { recursive: true });
    if (entry.mode === '120000') {
      if (current) await unlink(abs);
      await symlink(content.toString('utf8'), abs);
    } else {
      if (current?.isSymbolicLink()) await unlink(abs);
      await atomicWrite(abs, content);
      await chmod(abs, entry.mode === '100755' ? 0o755 : 0o644);
    }
    result.written.push(path);
  });
  if (options.removeFoldersCreatedAfter !== undefined) {
    for (const path of result.removed) await removeEmptyParents(store.workTree, dirname(path), options.removeFoldersCreatedAfter);
  }
  for (const list of [result.written, result.removed]) list.sort();
  result.skipped.sort((a, b) => a.path.localeCompare(b.path));
  return result;
}

async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Folders created during the run (by birth time) that are empty once the agent's files are gone. Git does not
 * record empty folders, so a folder without a known birth time, or older, is kept: it may be the user's.
 */
async function removeEmptyParents(root: string, dir: string, createdAfter: number): Promise<void> {
  for (let d = dir; d && d !== '.' && d !== '/'; d = dirname(d)) {
    const abs = join(root, d);
    const info = await lstat(abs).catch(() => undefined);
    if (!info?.isDirectory() || !info.birthtimeMs || info.birthtimeMs < createdAfter) return;
    if ((await readdir(abs)).length > 0) return;
    await rmdir(abs).catch(() => undefined);
  }
}
