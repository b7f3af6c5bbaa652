import { spawn } from 'node:child_process';
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
