import { lstat, mkdir, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileTool } from '../../../src/core/tools/writeFile.js';
import { workspace } from './workspace.js';

describe('write_file', () => {
  it('creates a file with its folders, then overwrites it, saying which', async () => {
    const { root, ctx } = await workspace();
    expect(await writeFileTool.run({ path: 'src/deep/a.ts', content: 'one\ntwo\n' }, ctx)).toEqual({
      ok: true,
      output: 'created src/deep/a.ts (2 lines, 8 bytes)',
      data: { path: 'src/deep/a.ts', created: true, bytes: 8, lines: 2 },
    });
    expect(await readFile(join(root, 'src/deep/a.ts'), 'utf8')).toBe('one\ntwo\n');
    expect(await writeFileTool.run({ path: 'src/deep/a.ts', content: 'é' }, ctx)).toEqual({
      ok: true,
      output: 'overwrote src/deep/a.ts (1 line, 2 bytes)\n1\té',
      data: { path: 'src/deep/a.ts', created: false, bytes: 2, lines: 1 },
    });
    expect(await readFile(join(root, 'src/deep/a.ts'), 'utf8')).toBe('é');
    // The write is atomic: no temp file is left beside it.
    expect(await readdir(join(root, 'src/deep'))).toEqual(['a.ts']);
  });

  it('answers an overwrite with the changed lines, numbered, and the problems the host saw appear', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`);
    const { root, ctx } = await workspace({ 'big.txt': `${lines.join('\n')}\n` });
    const watched: string[] = [];
    const watchProblems = async (abs: string) => {
      watched.push(abs);
      return async () => ['line 50: error: fifty is wrong'];
    };
    const changed = lines.map((l) => (l === 'line 50' ? 'line fifty' : l));
    const r = await writeFileTool.run({ path: 'big.txt', content: `${changed.join('\n')}\n` }, { ...ctx, watchProblems });
    expect(r.output).toBe('overwrote big.txt (100 lines, 795 bytes)\n48\tline 48\n49\tline 49\n50\tline fifty\n51\tline 51\n52\tline 52\nNew problems in this file since the change (fix them before moving on):\nline 50: error: fifty is wrong');
    expect(watched).toEqual([join(root, 'big.txt')]);
  });

  it('writes through a symbolic link to its target, keeping the link', async () => {
    const { root, ctx } = await workspace({ 'config/real.json': '{}' });
    await symlink('config/real.json', join(root, 'link.json'));
    expect(await writeFileTool.run({ path: 'link.json', content: '{"a":1}' }, ctx)).toMatchObject({ ok: true, data: { created: false } });
    expect((await lstat(join(root, 'link.json'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(root, 'link.json'))).toBe('config/real.json');
    expect(await readFile(join(root, 'config/real.json'), 'utf8')).toBe('{"a":1}');
  });

  it('says what is wrong with the path', async () => {
    const { root, ctx } = await workspace({ 'file.txt': 'x' });
    await mkdir(join(root, 'dir'));
    expect(await writeFileTool.run({ path: 'dir', content: '' }, ctx)).toEqual({ ok: false, output: 'dir is a folder; give the path of a file' });
    expect(await writeFileTool.run({ path: 'file.txt/a.ts', content: '' }, ctx)).toMatchObject({ ok: false, output: expect.stringMatching(/^file\.txt\/a\.ts: .*nothing was written$/) });
    expect(await writeFileTool.run({ path: '.git/config', content: '' }, ctx)).toEqual({ ok: false, output: 'path: ".git/config" is inside .git/, which tools do not touch' });
    expect(await writeFileTool.run({ path: '../escape.txt', content: '' }, ctx)).toMatchObject({ ok: false, output: expect.stringMatching(/outside the workspace/) });
    await writeFile(join(root, 'file.txt'), 'x');
    expect((await readdir(root)).sort()).toEqual(['dir', 'file.txt']);
  });
});
