import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { atomicWrite } from '../fs/atomicWrite.js';
import { describeFsError } from './fsErrors.js';
import { changeSnippet } from './changeSnippet.js';
import { applyEdits, describeMatches, type Edit } from './editMatch.js';
import { lineDiffStats } from './lineDiff.js';
import { problemsBracket } from './newProblems.js';
import { decodeUtf8, formatBytes, looksBinary } from './textFiles.js';
import { defineTool, fail } from './types.js';
import { writablePath } from './workspacePath.js';
import { plural } from '../text/plural.js';

export const MAX_EDIT_BYTES = 10 * 1024 * 1024;

export type { Edit } from './editMatch.js';

export const editFileTool = defineTool<{ path: string; edits: Edit[] }>({
  name: 'edit_file',
  description: [
    'Change parts of an existing file by replacing text: each edit\'s oldText is replaced by its newText. The edits apply in order, all or none.',
    'Read the file first. Copy oldText from it exactly, with its indentation, but without the line numbers read_file puts in front of each line (the number and the tab after it are not part of the file).',
    'oldText must occur exactly once: include enough surrounding lines to make it unique, or set replaceAll to change every occurrence (e.g. to rename a variable).',
    'A near miss is forgiven only when it is unambiguous: trailing whitespace, then indentation (newText is then re-indented to the file\'s); two candidates are never guessed between. When nothing matches, the answer shows the closest lines of the file.',
    'The answer shows the changed lines, numbered, and in the editor the errors the change brought into the file. Prefer several small edits over one large one; to replace the whole file, use write_file.',
  ].join(' '),
  input: z.object({
    path: z.string().describe('file path relative to the workspace root'),
    edits: z
      .array(
        z.object({
          oldText: z.string().min(1).describe('text copied exactly from the file (with its indentation, without line numbers), enough of it to occur only once'),
          newText: z.string().describe('the text that replaces it (empty to delete it)'),
          replaceAll: z.boolean().optional().describe('replace every occurrence of oldText instead of requiring exactly one; default false'),
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
    const n = plural(edits.length, 'edit');
    const loose = applied.matches.filter((m) => m.kind !== 'exact' || m.lineNumbers).length;
    const matchData = loose ? { looseMatches: loose } : {};
    if (text === original) return { ok: true, output: `${p.rel} unchanged: the ${n} replaced text with the same text`, data: { path: p.rel, edits: edits.length, linesAdded: 0, linesRemoved: 0, ...matchData } };
    const problems = await problemsBracket(ctx, p.abs);
    await atomicWrite(p.abs, text);
    const snippet = changeSnippet(original, text);
    const found = await problems();
    return {
      ok: true,
      output: `edited ${p.rel}: ${n}, +${added} -${removed} lines${describeMatches(applied.matches)}${snippet ? `\n${snippet}` : ''}${found}`,
      data: { path: p.rel, edits: edits.length, linesAdded: added, linesRemoved: removed, bytes: Buffer.byteLength(text), ...matchData, ...(found ? { problems: true } : {}) },
    };
  },
});
