import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFileTool } from '../../../src/core/tools/readFile.js';
import { workspace } from './workspace.js';

describe('read_file', () => {
  it('returns the text exactly, with its size and line count as data', async () => {
    const { ctx } = await workspace({ 'src/a.ts': 'export const a = 1;\r\n// é\r\n', 'notes.md': 'no newline at the end' });
    expect(await readFileTool.run({ path: 'src/a.ts' }, ctx)).toEqual({ ok: true, output: 'export const a = 1;\r\n// é\r\n', data: { path: 'src/a.ts', bytes: 28, lines: 2 } });
    expect(await readFileTool.run({ path: './notes.md' }, ctx)).toMatchObject({ ok: true, data: { path: 'notes.md', lines: 1 } });
  });

  it('says when a file is empty, missing or a folder', async () => {
    const { root, ctx } = await workspace({ 'empty.txt': '' });
    await mkdir(join(root, 'src'));
    expect(await readFileTool.run({ path: 'empty.txt' }, ctx)).toMatchObject({ ok: true, output: 'empty.txt is empty (0 bytes)', data: { bytes: 0, lines: 0 } });
    expect(await readFileTool.run({ path: 'nope.txt' }, ctx)).toEqual({ ok: false, output: 'nope.txt: no such file' });
    expect(await readFileTool.run({ path: 'src' }, ctx)).toEqual({ ok: false, output: 'src is a folder; use list_files to see what it holds' });
  });

  it('refuses binary files and files over 1 MB, saying the size', async () => {
    const { root, ctx } = await workspace({ 'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]) });
    await writeFile(join(root, 'big.log'), 'x'.repeat(1024 * 1024 + 1));
    await writeFile(join(root, 'limit.log'), 'x'.repeat(1024 * 1024));
    expect(await readFileTool.run({ path: 'logo.png' }, ctx)).toMatchObject({ ok: false, output: 'logo.png is a binary file (8 bytes); read_file reads text files only' });
    expect(await readFileTool.run({ path: 'big.log' }, ctx)).toMatchObject({
      ok: false,
      output: 'big.log is 1.0 MB (1048577 bytes), over the 1 MB that read_file reads; use search_files to find the part you need',
    });
    expect(await readFileTool.run({ path: 'limit.log' }, ctx)).toMatchObject({ ok: true, data: { bytes: 1024 * 1024 } });
  });

  it('refuses paths outside the workspace', async () => {
    const { ctx } = await workspace();
    expect(await readFileTool.run({ path: '../../etc/passwd' }, ctx)).toEqual({ ok: false, output: 'path: "../../etc/passwd" is outside the workspace' });
    expect(await readFileTool.run({ path: '/etc/passwd' }, ctx)).toMatchObject({ ok: false, output: expect.stringMatching(/is absolute/) });
  });
});
