import { constants } from 'node:fs';
import { open, readlink, stat, type FileHandle } from 'node:fs/promises';
import { z } from 'zod';
import { describeFsError } from './fsErrors.js';
import { countLines, formatBytes, looksBinary } from './textFiles.js';
import { defineTool, fail } from './types.js';
import { realTarget, workspacePath } from './workspacePath.js';

export const MAX_READ_BYTES = 1024 * 1024;

export const readFileTool = defineTool<{ path: string }>({
  name: 'read_file',
  description: 'Read a text file of the workspace (UTF-8, at most 1 MB); the content comes back exactly as it is on disk.',
  input: z.object({ path: z.string().describe('file path relative to the workspace root') }),
  changesFiles: false,
  async run({ path }, ctx) {
    const p = workspacePath(ctx.workspaceRoot, path);
    if ('error' in p) return fail(p.error);
    // The gate decides reads (R1); this holds even when the tool is called without it: a link never leaks.
    const real = await realTarget(ctx.workspaceRoot, p.abs);
    if (real.error) return fail(`${p.rel} ${real.error}; read_file reads only files inside the workspace`, { path: p.rel, refused: true });
    // O_NOFOLLOW: the path was resolved a moment ago; a link put in its place since is refused, not followed.
    let handle: FileHandle;
    try {
      handle = await open(real.abs, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ELOOP') return fail(`${p.rel} became a symbolic link while it was being read; read it again`, { path: p.rel, refused: true });
      return fail(describeFsError(p.rel, err) ?? `${p.rel}: ${(err as Error).message}`);
    }
    let bytes: Buffer;
    try {
      // O_NOFOLLOW guards the last component only: a folder on the path swapped for a link between the check and
      // the open would lead out. What was opened must be what was checked, else nothing of it is read.
      if (!(await openedWhatWasChecked(handle, real.abs, ctx.workspaceRoot))) {
        return fail(`${p.rel} changed (a folder on its path was moved or replaced) while it was being read; read it again`, { path: p.rel, refused: true });
      }
      const info = await handle.stat();
      if (info.isDirectory()) return fail(`${p.rel} is a folder; use list_files to see what it holds`);
      if (info.size > MAX_READ_BYTES) {
        return fail(`${p.rel} is ${formatBytes(info.size)} (${info.size} bytes), over the 1 MB that read_file reads; use search_files to find the part you need`, { path: p.rel, bytes: info.size });
      }
      bytes = await handle.readFile();
    } catch (err) {
      return fail(describeFsError(p.rel, err) ?? `${p.rel}: ${(err as Error).message}`);
    } finally {
      await handle.close();
    }
    if (looksBinary(bytes)) return fail(`${p.rel} is a binary file (${formatBytes(bytes.length)}); read_file reads text files only`, { path: p.rel, bytes: bytes.length, binary: true });
    const text = bytes.toString('utf8');
    const lines = countLines(text);
    // The content goes back untouched (edit_file needs the exact text); an empty file would be an empty answer.
    return { ok: true, output: text === '' ? `${p.rel} is empty (0 bytes)` : text, data: { path: p.rel, bytes: bytes.length, lines } };
  },
});

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
