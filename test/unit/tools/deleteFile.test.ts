import { existsSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deleteFileTool } from '../../../src/core/tools/deleteFile.js';
import { workspace } from './workspace.js';

describe('delete_file', () => {
  it('deletes a file', async () => {
    const { root, ctx } = await workspace({ 'src/old.ts': 'x' });
    expect(await deleteFileTool.run({ path: 'src/old.ts' }, ctx)).toEqual({ ok: true, output: 'deleted src/old.ts', data: { path: 'src/old.ts', bytes: 1 } });
    expect(existsSync(join(root, 'src/old.ts'))).toBe(false);
    expect(existsSync(join(root, 'src'))).toBe(true);
  });

  it('deletes a symbolic link as a link, leaving its target', async () => {
    const { root, ctx } = await workspace({ 'target.txt': 'keep' });
    await symlink('target.txt', join(root, 'link.txt'));
    expect(await deleteFileTool.run({ path: 'link.txt' }, ctx)).toMatchObject({ ok: true });
    expect(existsSync(join(root, 'link.txt'))).toBe(false);
    expect(existsSync(join(root, 'target.txt'))).toBe(true);
  });

  it('refuses folders and says when the file is missing', async () => {
    const { root, ctx } = await workspace();
    await mkdir(join(root, 'src'));
    expect(await deleteFileTool.run({ path: 'src' }, ctx)).toEqual({ ok: false, output: 'src is a folder; delete_file deletes files only (run_command can remove a folder)' });
    expect(await deleteFileTool.run({ path: '.' }, ctx)).toMatchObject({ ok: false, output: expect.stringMatching(/is the workspace folder/) });
    expect(await deleteFileTool.run({ path: 'gone.txt' }, ctx)).toEqual({ ok: false, output: 'gone.txt: no such file' });
    expect(await deleteFileTool.run({ path: '.git/index' }, ctx)).toMatchObject({ ok: false, output: expect.stringMatching(/inside \.git/) });
    expect(existsSync(join(root, 'src'))).toBe(true);
  });
});
