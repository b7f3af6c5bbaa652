import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { atomicWrite } from '../fs/atomicWrite.js';
import { describeFsError } from './fsErrors.js';
import { countLines } from './textFiles.js';
import { defineTool, fail } from './types.js';
import { writablePath } from './workspacePath.js';

export const writeFileTool = defineTool<{ path: string; content: string }>({
  name: 'write_file',
  description: 'Create a file (and its folders), or replace the whole content of an existing one. For a change to part of an existing file, use edit_file.',
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
    return {
      ok: true,
      output: `${before ? 'overwrote' : 'created'} ${p.rel} (${lines} line${lines === 1 ? '' : 's'}, ${bytes} bytes)`,
      data: { path: p.rel, created: !before, bytes, lines },
    };
  },
});
