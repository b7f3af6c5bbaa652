import { constants } from 'node:fs';
import { open, readlink, stat, type FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { describeFsError } from './fsErrors.js';
import { countLines, formatBytes, looksBinary } from './textFiles.js';
import { defineTool, fail } from './types.js';
import { realTarget, workspacePath } from './workspacePath.js';
import { plural } from '../text/plural.js';

/** Larger files are refused: a window of one would still cost reading all of it. */
export const MAX_READ_BYTES = 16 * 1024 * 1024;
/** The default window: what one answer shows of a file, in lines and in characters, whichever ends first. */
export const WINDOW_LINES = 2000;
export const WINDOW_CHARS = 48_000;
/** A line longer than this (minified code, a data line) is cut, and the cut is said. */
export const MAX_LINE_CHARS = 2000;
/** Several files in one call share this many characters. */
export const MAX_ANSWER_CHARS = 2 * WINDOW_CHARS;
export const MAX_PATHS = 10;

export interface ReadFileInput {
  path?: string;
  paths?: string[];
  offset?: number;
  limit?: number;
}

export const readFileTool = defineTool<ReadFileInput>({
  name: 'read_file',
  description: [
    'Read text files of the workspace. Each line comes back prefixed with its line number and a tab ("12\tconst a = 1;"); the number and the tab are not part of the file, so never copy them into edit_file.',
    `By default up to ${WINDOW_LINES} lines (about ${WINDOW_CHARS / 1000}k characters) from the start are shown; a footer then says which lines were shown and how to read on (offset, limit). For a large file, read the part you need (find it first with search_files) rather than all of it.`,
    `Lines over ${MAX_LINE_CHARS} characters are cut, and the cut is said. Give paths to read several files at once (up to ${MAX_PATHS}).`,
    'Binary files and images are not shown, only what they are.',
  ].join(' '),
  input: z
    .object({
      path: z.string().optional().describe('file path relative to the workspace root'),
      paths: z.array(z.string()).min(1).max(MAX_PATHS).optional().describe('several files to read in one call, instead of path'),
      offset: z.number().int().min(1).optional().describe('the line number to start at (1 is the first line); default 1'),
      limit: z.number().int().min(1).optional().describe(`how many lines to read; default ${WINDOW_LINES}`),
    })
    .refine((i) => i.path !== undefined || i.paths !== undefined, { message: 'give path (one file) or paths (several files)' }),
  changesFiles: false,
  async run({ path, paths, offset, limit }, ctx) {
    const all = [...(path !== undefined ? [path] : []), ...(paths ?? [])];
    if (all.length === 0) return fail('read_file: give path (one file) or paths (several files)');
    if (all.length === 1) {
      const r = await readOne(all[0]!, ctx.workspaceRoot);
      if ('error' in r) return fail(r.error, r.data);
      const w = window(r.bytes, r.rel, offset, limit, WINDOW_CHARS);
      return 'error' in w ? fail(w.error, w.data) : { ok: true, output: w.output, data: w.data };
    }
    // Several files: each under its own header, a failure said in its place; they share one budget.
    let budget = MAX_ANSWER_CHARS;
    const parts: string[] = [];
    const files: Array<Record<string, unknown>> = [];
    let read = 0;
    for (const one of all) {
      if (budget <= 0) {
        parts.push(`==> ${one} <==\n[not read: this answer is full; read it in a call of its own]`);
        continue;
      }
      const r = await readOne(one, ctx.workspaceRoot);
      if ('error' in r) {
        parts.push(`==> ${one} <==\n[${r.error}]`);
        files.push({ path: one, error: true });
        continue;
      }
      const w = window(r.bytes, r.rel, offset, limit, Math.min(WINDOW_CHARS, budget));
      if ('error' in w) {
        parts.push(`==> ${r.rel} <==\n[${w.error}]`);
        files.push({ path: r.rel, error: true });
        continue;
      }
      read++;
      budget -= w.output.length;
      parts.push(`==> ${r.rel} <==\n${w.output}`);
      files.push(w.data);
    }
    return { ok: read > 0, output: parts.join('\n\n'), data: { paths: all.length, read, files } };
  },
});

type Opened = { rel: string; bytes: Buffer } | { error: string; data?: Record<string, unknown> };

/** One file's bytes, read only if it is what the gate was asked about: inside the workspace, not through a link out. */
async function readOne(path: string, workspaceRoot: string): Promise<Opened> {
  const p = workspacePath(workspaceRoot, path);
  if ('error' in p) return { error: p.error };
  // The gate decides reads (R1); this holds even when the tool is called without it: a link never leaks.
  const real = await realTarget(workspaceRoot, p.abs);
  if (real.error) return { error: `${p.rel} ${real.error}; read_file reads only files inside the workspace`, data: { path: p.rel, refused: true } };
  // O_NOFOLLOW: the path was resolved a moment ago; a link put in its place since is refused, not followed.
  let handle: FileHandle;
  try {
    handle = await open(real.abs, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') return { error: `${p.rel} became a symbolic link while it was being read; read it again`, data: { path: p.rel, refused: true } };
    return { error: describeFsError(p.rel, err) ?? `${p.rel}: ${(err as Error).message}` };
  }
  try {
    // O_NOFOLLOW guards the last component only: a folder on the path swapped for a link between the check and
    // the open would lead out. What was opened must be what was checked, else nothing of it is read.
    if (!(await openedWhatWasChecked(handle, real.abs, workspaceRoot))) {
      return { error: `${p.rel} changed (a folder on its path was moved or replaced) while it was being read; read it again`, data: { path: p.rel, refused: true } };
    }
    const info = await handle.stat();
    if (info.isDirectory()) return { error: `${p.rel} is a folder; use list_files to see what it holds` };
    if (info.size > MAX_READ_BYTES) {
      return { error: `${p.rel} is ${formatBytes(info.size)} (${info.size} bytes), over the ${formatBytes(MAX_READ_BYTES)} that read_file reads; use search_files to find the part you need`, data: { path: p.rel, bytes: info.size } };
    }
    return { rel: p.rel, bytes: await handle.readFile() };
  } catch (err) {
    return { error: describeFsError(p.rel, err) ?? `${p.rel}: ${(err as Error).message}` };
  } finally {
    await handle.close();
  }
}

/**
 * The lines of a window of the file, numbered, and a footer when the file goes on: the model pays for every
 * character of a result on every later turn, so a large file is read in parts, each saying how to get the next.
 */
function window(bytes: Buffer, rel: string, offset: number | undefined, limit: number | undefined, maxChars: number): { output: string; data: Record<string, unknown> } | { error: string; data: Record<string, unknown> } {
  const image = imageKind(bytes);
  if (image) return { error: `${rel} is ${image} (${formatBytes(bytes.length)}); read_file shows text only`, data: { path: rel, bytes: bytes.length, binary: true } };
  if (looksBinary(bytes)) return { error: `${rel} is a binary file (${formatBytes(bytes.length)}); read_file reads text files only`, data: { path: rel, bytes: bytes.length, binary: true } };
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const total = countLines(text);
  if (text === '') return { output: `${rel} is empty (0 bytes)`, data: { path: rel, bytes: 0, lines: 0 } };
  const from = offset ?? 1;
  if (from > total) return { error: `offset ${from} is past the end of ${rel}, which has ${plural(total, 'line')}`, data: { path: rel, lines: total } };
  const last = Math.min(total, from - 1 + (limit ?? WINDOW_LINES));
  const lines = text.split('\n');
  const out: string[] = [];
  let chars = 0;
  let cut = 0;
  let to = from - 1;
  for (let n = from; n <= last; n++) {
    let line = lines[n - 1]!.replace(/\r$/, '');
    if (line.length > MAX_LINE_CHARS) {
      line = `${line.slice(0, MAX_LINE_CHARS)}… [line cut: ${line.length.toLocaleString('en')} characters; search_files finds text in it]`;
      cut++;
    }
    const row = `${n}\t${line}`;
    // The first line is always shown, however long: a window must move forward.
    if (out.length > 0 && chars + row.length + 1 > maxChars) break;
    out.push(row);
    chars += row.length + 1;
    to = n;
  }
  const data = { path: rel, bytes: bytes.length, lines: total, ...(from > 1 || to < total ? { from, to } : {}), ...(cut ? { linesCut: cut } : {}) };
  if (from === 1 && to === total) return { output: out.join('\n'), data };
  const full = to < last ? ` (the ${Math.round(maxChars / 1000)}k-character window is full)` : '';
  const more = to < total ? `; read on with offset=${to + 1}` : '';
  return { output: `${out.join('\n')}\n[lines ${from}–${to} of ${total}${full}${more}]`, data };
}

/** What an image is, from its first bytes, or undefined: the model is told it is an image, not shown bytes. */
function imageKind(b: Buffer): string | undefined {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString('latin1', 12, 16) === 'IHDR') return `a PNG image, ${b.readUInt32BE(16)}×${b.readUInt32BE(20)}`;
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47) return 'a PNG image';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'a JPEG image';
  if (b.length >= 10 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6))) return `a GIF image, ${b.readUInt16LE(6)}×${b.readUInt16LE(8)}`;
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'a WebP image';
  if (b.length >= 4 && b.readUInt32BE(0) === 0x00000100) return 'an icon (ICO)';
  if (b.length >= 5 && b.toString('latin1', 0, 5) === '%PDF-') return 'a PDF document';
  return undefined;
}

/**
 * Whether the open file is the one at `checked` (the real path found inside the workspace). On Linux, the kernel's
 * own name for the descriptor must be that path; elsewhere (or without /proc), the path is resolved and checked
 * again, and must lead inside the workspace to the very file (device and inode) that was opened.
 */
export async function openedWhatWasChecked(handle: FileHandle, checked: string, workspaceRoot: string, useProc = process.platform === 'linux'): Promise<boolean> {
  if (useProc) {
    const name = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
    if (name !== undefined) return name === checked;
  }
  try {
    const again = await realTarget(workspaceRoot, checked);
    if (again.error || again.abs !== checked) return false;
    const [opened, onDisk] = await Promise.all([handle.stat(), stat(again.abs)]);
    return opened.dev === onDisk.dev && opened.ino === onDisk.ino;
  } catch {
    return false;
  }
}
