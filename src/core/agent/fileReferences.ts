import { open, realpath } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { secretTest } from '../policy/secrets.js';
import { realTarget, workspacePath } from '../tools/workspacePath.js';

/**
 * Kiro's `#[[file:relative/path]]` in steering and spec files: the file's text is quoted in the prompt where the
 * reference stands. The prompt goes to the model provider like a read_file result, so the read rules hold: a path
 * outside the workspace, a link out of it, or a secret is refused and said so; a missing file is said so too.
 */

/** Per file and per task prompt: a reference to a 5 MB log must not swallow the context window. */
export const FILE_REF_MAX_BYTES = 32 * 1024;
export const FILE_REFS_TOTAL_BYTES = 128 * 1024;

/** What is left of the bytes the references of one task may quote; shared by every document of the task. */
export interface FileRefBudget {
  remaining: number;
}

export const fileRefBudget = (): FileRefBudget => ({ remaining: FILE_REFS_TOTAL_BYTES });

const REFERENCE = /#\[\[file:([^\]\n]*)\]\]/g;

/** The text with each `#[[file:…]]` followed by the file's content, or by why it is not there. */
export async function resolveFileRefs(text: string, workspace: string, budget: FileRefBudget): Promise<string> {
  const refs = [...text.matchAll(REFERENCE)];
  if (refs.length === 0) return text;
  let out = '';
  let last = 0;
  for (const m of refs) {
    out += text.slice(last, m.index + m[0].length);
    last = m.index + m[0].length;
    out += await quote(m[1]!.trim(), workspace, budget);
  }
  return out + text.slice(last);
}

const isSecret = secretTest([], process.platform === 'darwin' || process.platform === 'win32');

async function quote(path: string, workspace: string, budget: FileRefBudget): Promise<string> {
  const said = (why: string) => ` (${path}: ${why})`;
  const where = workspacePath(workspace, path);
  if ('error' in where) return said(`not included, ${where.error.replace(/^path: "[^"]*" /, '').replace(/^path: /, '')}`);
  const real = await realTarget(workspace, where.abs).catch(() => ({ abs: where.abs, error: 'cannot be resolved' }));
  if (real.error) return said(`not included, it ${real.error}`);
  const rel = relative(await realpath(workspace), real.abs).split(sep).join('/');
  const secret = isSecret(rel) ?? isSecret(where.rel);
  if (secret) return said(`not included, ${secret}`);
  if (budget.remaining <= 0) return said(`not included: the file references of this task already quote ${FILE_REFS_TOTAL_BYTES / 1024} KB`);
  const limit = Math.min(FILE_REF_MAX_BYTES, budget.remaining);
  let bytes: Buffer;
  let size: number;
  try {
    const handle = await open(real.abs, 'r');
    try {
      const st = await handle.stat();
      if (st.isDirectory()) return said('not included: it is a folder');
      size = st.size;
      bytes = Buffer.alloc(Math.min(limit, size));
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
      bytes = bytes.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') return said('not included: it is a folder');
    return said(code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file in the workspace' : `not readable (${code ?? (err as Error).message})`);
  }
  if (bytes.includes(0)) return said('not included: it is a binary file');
  // Cut at a character boundary: a split UTF-8 sequence would show as a replacement character.
  let text = bytes.toString('utf8');
  if (bytes.length < size && text.endsWith('\uFFFD')) text = text.slice(0, -1);
  budget.remaining -= bytes.length;
  const cut = bytes.length < size ? `\n[cut: the first ${bytes.length} of ${size} bytes of ${path} are quoted${bytes.length < FILE_REF_MAX_BYTES ? ` (the ${FILE_REFS_TOTAL_BYTES / 1024} KB for file references of this task are used up)` : ` (${FILE_REF_MAX_BYTES / 1024} KB per reference)`}]` : '';
  const fence = '`'.repeat(Math.max(3, ...[...text.matchAll(/`{3,}/g)].map((f) => f[0].length + 1)));
  return `\n${fence}\n${text.replace(/\r?\n$/, '')}\n${fence}${cut}\n`;
}
