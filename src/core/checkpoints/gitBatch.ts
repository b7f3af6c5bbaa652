import { spawn } from 'node:child_process';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { GitStore } from './gitStore.js';

/** Runs git directly (not through simple-git) when bytes or streams matter: blob contents, NUL-separated output. */
export function gitBytes(store: GitStore, args: string[], input?: string | Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...store.config.flatMap((c) => ['-c', c]), ...args], { cwd: store.workTree, env: store.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`git ${args[0]} failed (${code}): ${Buffer.concat(err).toString('utf8').trim()}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });
}

/** Blob contents by id, in one `git cat-file --batch` process. */
export async function readBlobs(store: GitStore, ids: readonly string[]): Promise<Map<string, Buffer>> {
  const unique = [...new Set(ids)];
  const out = new Map<string, Buffer>();
  if (unique.length === 0) return out;
  const data = await gitBytes(store, ['cat-file', '--batch'], unique.join('\n') + '\n');
  let at = 0;
  for (const id of unique) {
    const nl = data.indexOf(10, at);
    const header = data.subarray(at, nl).toString('utf8');
    const m = /^([0-9a-f]+) (\w+) (\d+)$/.exec(header);
    if (!m) throw new Error(`git cat-file: unexpected answer for ${id}: ${header}`);
    const size = Number(m[3]);
    out.set(id, data.subarray(nl + 1, nl + 1 + size));
    at = nl + 1 + size + 1;
  }
  return out;
}

/** Attributes with which git changes a file's bytes between the work tree and the object store. */
const CONVERSION_ATTRIBUTES = ['text', 'eol', 'crlf', 'filter', 'ident', 'working-tree-encoding'];

/**
 * Of the given paths, those git would convert when hashing them (eol, clean filter, ident, encoding), by the
 * attributes of the work tree, the index and the user's attribute files. `-text` (unset) converts nothing.
 */
export async function convertedPaths(store: GitStore, paths: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  if (paths.length === 0) return out;
  const parts = (await gitBytes(store, ['check-attr', '-z', '--stdin', ...CONVERSION_ATTRIBUTES], paths.join('\0') + '\0')).toString('utf8').split('\0');
  for (let i = 0; i + 2 < parts.length; i += 3) {
    const value = parts[i + 2];
    if (value !== 'unspecified' && value !== 'unset') out.add(parts[i]!);
  }
  return out;
}

/** Ids of regular files' bytes as they are (`hash-object -w --no-filters`: no filter, no eol conversion), stored. */
export async function rawIds(store: GitStore, paths: readonly string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  // --stdin-paths reads lines (a CR before the LF dropped) and unquotes a leading `"`: such names one by one.
  const odd = (p: string) => p.includes('\n') || p.includes('\r') || p.startsWith('"');
  const batch = paths.filter((p) => !odd(p));
  if (batch.length > 0) {
    const out = (await gitBytes(store, ['hash-object', '-w', '--no-filters', '--stdin-paths'], batch.join('\n') + '\n')).toString('utf8').trim().split('\n');
    if (out.length !== batch.length) throw new Error(`git hash-object: ${out.length} ids for ${batch.length} files`);
    batch.forEach((p, i) => ids.set(p, out[i]!));
  }
  for (const p of paths.filter(odd)) ids.set(p, (await gitBytes(store, ['hash-object', '-w', '--no-filters', '--', p])).toString('utf8').trim());
  return ids;
}

/** Of the given paths, the regular files (what git converts; symlinks and folders it never does). */
export async function regularFiles(store: GitStore, paths: Iterable<string>): Promise<string[]> {
  const out: string[] = [];
  await Promise.all(
    [...paths].map(async (path) => {
      if ((await lstat(join(store.workTree, path)).catch(() => undefined))?.isFile()) out.push(path);
    }),
  );
  return out;
}
