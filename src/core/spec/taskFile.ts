import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { atomicWrite } from '../fs/atomicWrite.js';
import { parseTasks } from './parseTasks.js';
import { SpecError } from './specError.js';
import { STATUS_MARKS, type Task, type TaskStatus, type TaskTree } from './types.js';

/**
 * Larger files are refused: a tasks.md is a checklist, a 50 MB one is almost surely the wrong file, and the
 * parse must stay short. This is what parses in <= 2 s CPU on the project's 2-core machine in the slowest shape,
 * a file that is one markdown block (`npm run bench parser`, "one-block": 1.7–1.9 s, 280 MB peak; a plan with blank
 * lines or tight bullet tasks, which parse block by block: 0.9-1.0 s, 120 MB).
 */
export const MAX_SPEC_FILE_BYTES = 1024 * 1024;

/** The limit as the error says it: `1 MB`. */
export const MAX_SPEC_FILE_SIZE = `${+(MAX_SPEC_FILE_BYTES / 1024 / 1024).toFixed(1)} MB`;

export interface SpecFile {
  path: string;
  text: string;
  /** sha256 of the bytes read, to detect a change before writing. */
  hash: string;
}

export function contentHash(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads a spec file as UTF-8, refusing directories, huge files and bytes that are not UTF-8. */
export async function readSpecFile(path: string): Promise<SpecFile> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new SpecError(err.code === 'ENOENT' ? 'no such file. Check the path.' : `cannot read it (${err.code ?? err.message}).`, path);
  });
  if (info.isDirectory()) throw new SpecError('is a directory, not a file. Give the path of a tasks.md file.', path);
  if (info.size > MAX_SPEC_FILE_BYTES) {
    throw new SpecError(
      `is ${(info.size / 1024 / 1024).toFixed(1)} MB, over the ${MAX_SPEC_FILE_SIZE} limit for a spec file (a larger one takes more than 2 s to parse). ` +
        'Split it into several specs, or move long notes out of it.',
      path,
    );
  }
  const bytes = await readFile(path);
  return { path, text: decodeUtf8(bytes, path), hash: contentHash(bytes) };
}

function decodeUtf8(bytes: Uint8Array, path: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, bad).reduce((n, b) => (b === 10 ? n + 1 : n), 1);
    throw new SpecError(`is not valid UTF-8 (byte ${bad} on line ${line}). Save the file as UTF-8.`, path, line);
  }
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    try {
      decoder.decode(bytes.subarray(0, mid), { stream: true });
      decoder.decode();
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  return Math.max(0, lo - 1);
}

/**
 * The single-character edit that gives a task a new status: only the mark inside `[ ]` changes, so line
 * endings, BOM, optional stars and everything else stay byte-identical. Offsets are in the text as parsed
 * (without BOM), i.e. the offsets of an editor document.
 */
export function statusEdit(task: Task, status: TaskStatus): { offset: number; length: 1; text: string } {
  return { offset: task.markerRange.start.offset + 1, length: 1, text: STATUS_MARKS[status] };
}

/**
 * Sets a task's status in a file on disk. Refused if the file no longer has the content it had when read
 * (`expectedHash`), so an edit made meanwhile, by the user or another tool, is never overwritten.
 */
export async function writeTaskStatus(path: string, expectedHash: string, task: Task, status: TaskStatus): Promise<SpecFile> {
  const bytes = await readFile(path);
  if (contentHash(bytes) !== expectedHash) {
    throw new SpecError('changed on disk since it was read; the status was not written. Read it again and retry.', path, task.range.start.line);
  }
  const text = decodeUtf8(bytes, path);
  const bom = text.charCodeAt(0) === 0xfeff;
  const body = bom ? text.slice(1) : text;
  const edit = statusEdit(task, status);
  if (!/^\[[ xX~-]\]$/.test(body.slice(edit.offset - 1, edit.offset + 2))) {
    throw new SpecError(`has no checkbox where task ${task.id ?? `on line ${task.range.start.line}`} was read. Read the file again and retry.`, path, task.range.start.line);
  }
  const byteOffset = (bom ? 3 : 0) + Buffer.byteLength(body.slice(0, edit.offset));
  const out = Buffer.from(bytes);
  out[byteOffset] = edit.text.charCodeAt(0);
  await atomicWrite(path, out);
  return { path, text: out.toString('utf8'), hash: contentHash(out) };
}

/** Reads and parses a tasks.md, with the hash needed for a later status write. */
export async function loadTasks(path: string): Promise<SpecFile & { tree: TaskTree }> {
  const file = await readSpecFile(path);
  return { ...file, tree: parseTasks(file.text) };
}
