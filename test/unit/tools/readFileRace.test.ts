import { spawn } from 'node:child_process';
import { mkdir, open, realpath, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openedWhatWasChecked, readFileTool } from '../../../src/core/tools/readFile.js';
import { workspace } from './workspace.js';

// An unconfined process flipping a folder on the path between a real folder and a link out of the workspace,
// as fast as it can, while read_file reads a file below it: read_file checks the path, then opens it.
const RACER = `
const fs = require('node:fs');
const [dir, held, outside] = process.argv.slice(1);
for (;;) {
  try { fs.renameSync(dir, held); } catch {}
  try { fs.symlinkSync(outside, dir); } catch {}
  try { fs.unlinkSync(dir); } catch {}
  try { fs.renameSync(held, dir); } catch {}
}
`;

describe('read_file against a folder swapped for a link while it reads', () => {
  it('never returns what is outside the workspace (2000 reads against a racing process)', async () => {
    const { root, ctx } = await workspace({ 'ws/dir/f.txt': 'inside\n' });
    const outside = join(root, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'f.txt'), 'SECRET outside the workspace\n');
    const ws = join(root, 'ws');
    const racer = spawn(process.execPath, ['-e', RACER, join(ws, 'dir'), join(ws, 'held'), outside], { stdio: 'ignore' });
    const seen = { inside: 0, refused: 0, other: 0, leaked: 0 };
    try {
      for (let i = 0; i < 2000; i++) {
        const r = await readFileTool.run({ path: 'dir/f.txt' }, { ...ctx, workspaceRoot: ws });
        if (r.output.includes('SECRET')) seen.leaked++;
        else if (r.ok) seen.inside++;
        else if (r.data?.refused) seen.refused++;
        else seen.other++;
      }
    } finally {
      racer.kill('SIGKILL');
    }
    expect(seen.leaked).toBe(0);
    // The race ran: some reads got the file, some were refused or found nothing there.
    expect(seen.inside).toBeGreaterThan(0);
    expect(seen.refused + seen.other).toBeGreaterThan(0);
  }, 60_000);
});

describe('the check after the open, without /proc (macOS)', () => {
  it('accepts the file that was checked, and refuses one reached through a folder swapped for a link', async () => {
    const { root } = await workspace({ 'ws/dir/f.txt': 'inside\n', 'outside/f.txt': 'SECRET\n' });
    const ws = await realpath(join(root, 'ws'));
    const checked = join(ws, 'dir/f.txt');
    const same = await open(checked, 'r');
    // Opened through the swapped folder: the path checked now leads to another file.
    await rename(join(ws, 'dir'), join(ws, 'held'));
    await symlink(join(root, 'outside'), join(ws, 'dir'));
    const swapped = await open(checked, 'r');
    try {
      expect(await openedWhatWasChecked(swapped, checked, ws, false)).toBe(false);
      expect(await openedWhatWasChecked(same, checked, ws, false)).toBe(false);
      await rename(join(ws, 'dir'), join(ws, 'link'));
      await rename(join(ws, 'held'), join(ws, 'dir'));
      expect(await openedWhatWasChecked(same, checked, ws, false)).toBe(true);
      expect(await openedWhatWasChecked(swapped, checked, ws, false)).toBe(false);
      // And with /proc: the kernel's name for what was opened.
      expect(await openedWhatWasChecked(same, checked, ws)).toBe(true);
      expect(await openedWhatWasChecked(swapped, checked, ws)).toBe(false);
    } finally {
      await same.close();
      await swapped.close();
    }
  });
});
