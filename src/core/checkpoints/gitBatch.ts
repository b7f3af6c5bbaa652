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

/**
 * Hashes regular files as their bytes are (no filter, no eol conversion) into the private index: `hash-object
 * --no-filters`, then `--index-info`. Their stat data is then refreshed, so an unchanged file is not hashed again
 * (a file git would convert differently from its blob keeps no stat data, and is hashed at each snapshot).
 */
export async function hashRaw(store: GitStore, files: ReadonlyArray<{ path: string; executable: boolean }>): Promise<void> {
  if (files.length === 0) return;
  // --stdin-paths reads lines (a CR before the LF dropped) and unquotes a leading `"`: such names are hashed one by one.
  const odd = (p: string) => p.includes('\n') || p.includes('\r') || p.startsWith('"');
  const batch = files.filter((f) => !odd(f.path));
  const ids = new Map<string, string>();
  if (batch.length > 0) {
    const out = (await gitBytes(store, ['hash-object', '-w', '--no-filters', '--stdin-paths'], batch.map((f) => f.path).join('\n') + '\n')).toString('utf8').trim().split('\n');
    if (out.length !== batch.length) throw new Error(`git hash-object: ${out.length} ids for ${batch.length} files`);
    batch.forEach((f, i) => ids.set(f.path, out[i]!));
  }
  for (const f of files.filter((x) => odd(x.path))) ids.set(f.path, (await gitBytes(store, ['hash-object', '-w', '--no-filters', '--', f.path])).toString('utf8').trim());
  const info = files.map((f) => `${f.executable ? '100755' : '100644'} ${ids.get(f.path)!}\t${f.path}\0`).join('');
  await gitBytes(store, ['update-index', '-z', '--add', '--replace', '--index-info'], info);
  await gitBytes(store, ['update-index', '-q', '--refresh']);
}

/**
 * Of the given paths, the regular files git would convert are hashed raw (hashRaw) and returned; the others
 * (files git keeps as they are, symlinks, folders, missing paths) are left to `update-index --add`, which hashes
 * them as they are and records their stat data in one pass. `known`: the converted paths, when already asked.
 */
export async function hashConverted(store: GitStore, paths: readonly string[], known?: Promise<Set<string>>): Promise<Set<string>> {
  const converted = await (known ?? convertedPaths(store, paths));
  const files: Array<{ path: string; executable: boolean }> = [];
  await Promise.all(
    [...converted].map(async (path) => {
      const info = await lstat(join(store.workTree, path)).catch(() => undefined);
      if (info?.isFile()) files.push({ path, executable: (info.mode & 0o100) !== 0 });
    }),
  );
  await hashRaw(store, files);
  return new Set(files.map((f) => f.path));
}
