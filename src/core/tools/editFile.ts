import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { atomicWrite } from '../fs/atomicWrite.js';
import { describeFsError } from './fsErrors.js';
import { lineDiffStats } from './lineDiff.js';
import { decodeUtf8, formatBytes, looksBinary } from './textFiles.js';
import { defineTool, fail } from './types.js';
import { writablePath } from './workspacePath.js';

export const MAX_EDIT_BYTES = 10 * 1024 * 1024;

export interface Edit {
  oldText: string;
  newText: string;
}

export const editFileTool = defineTool<{ path: string; edits: Edit[] }>({
  name: 'edit_file',
  description: 'Change parts of an existing file: each oldText must appear exactly once in the file and is replaced by its newText; the edits apply in order, all or none.',
  input: z.object({
    path: z.string().describe('file path relative to the workspace root'),
    edits: z
      .array(
        z.object({
          oldText: z.string().min(1).describe('text copied exactly from the file (with its indentation), enough of it to occur only once'),
          newText: z.string().describe('the text that replaces it'),
        }),
      )
      .min(1),
  }),
  changesFiles: true,
  async run({ path, edits }, ctx) {
    const p = await writablePath(ctx.workspaceRoot, path);
    if ('error' in p) return fail(p.error);
    let bytes: Buffer;
    try {
      const info = await stat(p.abs);
      if (info.isDirectory()) return fail(`${p.rel} is a folder; edit_file edits files`);
      if (info.size > MAX_EDIT_BYTES) return fail(`${p.rel} is ${formatBytes(info.size)}, over the ${formatBytes(MAX_EDIT_BYTES)} that edit_file edits`);
      bytes = await readFile(p.abs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fail(`${p.rel}: no such file; use write_file to create it`);
      const why = describeFsError(p.rel, err);
      if (why) return fail(why);
      throw err;
    }
    if (looksBinary(bytes)) return fail(`${p.rel} is a binary file; edit_file edits text files only`);
    const original = decodeUtf8(bytes);
    if (original === undefined) return fail(`${p.rel} is not valid UTF-8 text, so edit_file cannot keep the rest of it byte for byte; nothing was changed`);

    const applied = applyEdits(original, edits, p.rel);
    if ('error' in applied) return fail(applied.error, { path: p.rel, failedEdit: applied.index });
    const { text } = applied;
    // The whole file's diffstat, exact where edits overlap; the sum over the edits when that would be slow.
    const { added, removed } = lineDiffStats(original, text) ?? applied;
    const n = `${edits.length} edit${edits.length === 1 ? '' : 's'}`;
    if (text === original) return { ok: true, output: `${p.rel} unchanged: the ${n} replaced text with the same text`, data: { path: p.rel, edits: edits.length, linesAdded: 0, linesRemoved: 0 } };
    await atomicWrite(p.abs, text);
    return {
      ok: true,
      output: `edited ${p.rel}: ${n}, +${added} -${removed} lines`,
      data: { path: p.rel, edits: edits.length, linesAdded: added, linesRemoved: removed, bytes: Buffer.byteLength(text) },
    };
  },
});

/**
 * The edits applied in order to the text in memory, or the first that cannot apply (then nothing is written).
 * Line endings stay the file's: an edit written with `\n` for a file of `\r\n` lines is matched and written in
 * `\r\n`, since models rarely reproduce a carriage return.
 */
export function applyEdits(original: string, edits: Edit[], rel: string): { text: string; added: number; removed: number } | { error: string; index: number } {
  let text = original;
  let added = 0;
  let removed = 0;
  for (const [i, edit] of edits.entries()) {
    let { oldText, newText } = edit;
    let count = occurrences(text, oldText);
    if (count === 0 && text.includes('\r\n') && oldText.includes('\n') && !oldText.includes('\r')) {
      const crlf = toCrlf(oldText);
      const crlfCount = occurrences(text, crlf);
      if (crlfCount > 0) {
        oldText = crlf;
        newText = toCrlf(newText);
        count = crlfCount;
      }
    }
    const which = `edits[${i}].oldText`;
    const quote = JSON.stringify(oldText.length > 80 ? `${oldText.slice(0, 80)}…` : oldText);
    const after = i > 0 ? ' (after the edits before it)' : '';
    if (count === 0) {
      const hint = squash(text).includes(squash(oldText)) ? ' It does match if whitespace is ignored: copy the indentation and line breaks exactly.' : ' Read the file and copy the text exactly.';
      return { index: i, error: `${which} was not found in ${rel}${after}: ${quote}. Nothing was changed.${hint}` };
    }
    if (count > 1) {
      const lines = lineNumbers(text, oldText, 10);
      return { index: i, error: `${which} appears ${count} times in ${rel}${after} (at lines ${lines.join(', ')}${count > lines.length ? ', ...' : ''}): ${quote}. Nothing was changed. Include more of the surrounding lines so that it matches exactly once.` };
    }
    const at = text.indexOf(oldText);
    const end = at + oldText.length;
    // The whole lines around the edit, before and after, for an estimate of the diffstat.
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    const nl = text.indexOf('\n', end);
    const lineEnd = nl === -1 ? text.length : nl + 1;
    const oldLines = text.slice(lineStart, lineEnd);
    const newLines = text.slice(lineStart, at) + newText + text.slice(end, lineEnd);
    const stats = lineDiffStats(oldLines, newLines) ?? { added: newLines.split('\n').length, removed: oldLines.split('\n').length };
    added += stats.added;
    removed += stats.removed;
    text = text.slice(0, at) + newText + text.slice(end);
  }
  return { text, added, removed };
}

/** Overlapping occurrences count: `aa` in `aaa` is ambiguous, so it is not "exactly once". */
function occurrences(text: string, part: string): number {
  let n = 0;
  for (let i = text.indexOf(part); i !== -1; i = text.indexOf(part, i + 1)) n++;
  return n;
}

function lineNumbers(text: string, part: string, max: number): number[] {
  const out: number[] = [];
  let line = 1;
  let scanned = 0;
  for (let i = text.indexOf(part); i !== -1 && out.length < max; i = text.indexOf(part, i + 1)) {
    for (let j = text.indexOf('\n', scanned); j !== -1 && j < i; j = text.indexOf('\n', j + 1)) line++;
    scanned = i;
    out.push(line);
  }
  return out;
}

const toCrlf = (s: string) => s.replace(/\r?\n/g, '\r\n');
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
