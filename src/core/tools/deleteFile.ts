import { lstat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { describeFsError } from './fsErrors.js';
import { defineTool, fail } from './types.js';
import { realTarget, workspacePath } from './workspacePath.js';

export const deleteFileTool = defineTool<{ path: string }>({
  name: 'delete_file',
  description: 'Delete one file of the workspace (not a folder).',
  input: z.object({ path: z.string().describe('file path relative to the workspace root') }),
  changesFiles: true,
  async run({ path }, ctx) {
    const p = workspacePath(ctx.workspaceRoot, path);
    if ('error' in p) return fail(p.error);
    if (p.rel === '.') return fail('path: "." is the workspace folder; delete_file deletes files only');
    // A symbolic link is deleted as a link, never its target: only the folder holding it must really be inside.
    const parent = await realTarget(ctx.workspaceRoot, dirname(p.abs));
    if (parent.error) return fail(`path: "${path}" ${parent.error}`);
    const abs = join(parent.abs, basename(p.abs));
    try {
      const info = await lstat(abs);
      if (info.isDirectory()) return fail(`${p.rel} is a folder; delete_file deletes files only (run_command can remove a folder)`);
      await unlink(abs);
      return { ok: true, output: `deleted ${p.rel}`, data: { path: p.rel, bytes: info.size } };
    } catch (err) {
      const why = describeFsError(p.rel, err);
      if (why) return fail(why);
      throw err;
    }
  },
});
