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
  for (const { path, entry } of targets) {
    if (path === '.git' || path.startsWith('.git/') || path.includes('/.git/')) {
      result.skipped.push({ path, reason: 'inside a .git directory' });
      continue;
    }
    if (entry?.mode === '160000') {
      result.skipped.push({ path, reason: 'a nested repository: its contents are never restored' });
      continue;
    }
    const abs = join(store.workTree, path);
    const current = await lstat(abs).catch(() => undefined);
    if (current?.isDirectory()) {
      if ((await readdir(abs)).length > 0) {
        result.skipped.push({ path, reason: 'a folder is there now; it was left as it is' });
        continue;
      }
      await rmdir(abs);
    }
    if (!entry) {
      if (current && !current.isDirectory()) {
        await unlink(abs);
        result.removed.push(path);
        if (options.removeFoldersCreatedAfter !== undefined) await removeEmptyParents(store.workTree, dirname(path), options.removeFoldersCreatedAfter);
      }
      continue;
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
  }
  return result;
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
