import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { atomicWrite } from '../fs/atomicWrite.js';
import { describeFsError } from './fsErrors.js';
import { changeSnippet } from './changeSnippet.js';
import { problemsBracket } from './newProblems.js';
import { countLines, decodeUtf8 } from './textFiles.js';
import { defineTool, fail } from './types.js';
import { writablePath } from './workspacePath.js';
import { plural } from '../text/plural.js';

export const writeFileTool = defineTool<{ path: string; content: string }>({
  name: 'write_file',
  description:
    'Create a file (and its folders), or replace the whole content of an existing one. For a change to part of an existing file, use edit_file: it is cheaper and safer. Read an existing file before replacing it. The answer shows the changed lines of a replaced file, numbered, and in the editor the errors the write brought into the file.',
  input: z.object({
    path: z.string().describe('file path relative to the workspace root'),
    content: z.string().describe('the complete new content of the file'),
  }),
  changesFiles: true,
  async run({ path, content }, ctx) {
    const p = await writablePath(ctx.workspaceRoot, path);
    if ('error' in p) return fail(p.error);
    const before = await stat(p.abs).catch(() => undefined);
    if (before?.isDirectory()) return fail(`${p.rel} is a folder; give the path of a file`);
    // The old text, for the changed lines in the answer (a file too large or not text is not diffed).
    const old = before && before.size <= 2 * 1024 * 1024 ? decodeUtf8(await readFile(p.abs).catch(() => Buffer.alloc(0))) : undefined;
    const problems = await problemsBracket(ctx, p.abs);
    try {
      await mkdir(dirname(p.abs), { recursive: true });
      await atomicWrite(p.abs, content);
    } catch (err) {
      const why = describeFsError(p.rel, err);
      if (why) return fail(`${why}; nothing was written`);
      throw err;
    }
    const bytes = Buffer.byteLength(content);
    const lines = countLines(content);
    const snippet = old !== undefined ? changeSnippet(old, content) : undefined;
    const found = await problems();
    return {
      ok: true,
      output: `${before ? (old === content ? 'rewrote (unchanged)' : 'overwrote') : 'created'} ${p.rel} (${plural(lines, 'line')}, ${bytes} bytes)${snippet ? `\n${snippet}` : ''}${found}`,
      data: { path: p.rel, created: !before, bytes, lines, ...(found ? { problems: true } : {}) },
    };
  },
});
