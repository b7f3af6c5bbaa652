import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFileTool } from '../../../src/core/tools/readFile.js';
import { workspace } from './workspace.js';

describe('read_file', () => {
  it('returns the lines numbered, with the size and line count as data', async () => {
    const { ctx } = await workspace({ 'src/a.ts': '\uFEFFexport const a = 1;\r\n// é\r\n', 'notes.md': 'no newline at the end' });
    expect(await readFileTool.run({ path: 'src/a.ts' }, ctx)).toEqual({ ok: true, output: '1\texport const a = 1;\n2\t// é', data: { path: 'src/a.ts', bytes: 31, lines: 2 } });
    expect(await readFileTool.run({ path: './notes.md' }, ctx)).toMatchObject({ ok: true, data: { path: 'notes.md', lines: 1 } });
  });

  it('says when a file is empty, missing or a folder', async () => {
    const { root, ctx } = await workspace({ 'empty.txt': '' });
    await mkdir(join(root, 'src'));
    expect(await readFileTool.run({ path: 'empty.txt' }, ctx)).toMatchObject({ ok: true, output: 'empty.txt is empty (0 bytes)', data: { bytes: 0, lines: 0 } });
    expect(await readFileTool.run({ path: 'nope.txt' }, ctx)).toEqual({ ok: false, output: 'nope.txt: no such file' });
    expect(await readFileTool.run({ path: 'src' }, ctx)).toEqual({ ok: false, output: 'src is a folder; use list_files to see what it holds' });
  });

  it('says what a binary file or an image is instead of showing it, and refuses files over 16 MB', async () => {
    const png = Buffer.alloc(33);
    png.writeUInt32BE(0x89504e47, 0);
    png.write('IHDR', 12, 'latin1');
    png.writeUInt32BE(120, 16);
    png.writeUInt32BE(40, 20);
    const { root, ctx } = await workspace({ 'logo.png': png, 'data.bin': Buffer.from([1, 0, 2]), 'doc.pdf': '%PDF-1.7\n' });
    await writeFile(join(root, 'big.log'), 'x'.repeat(16 * 1024 * 1024 + 1));
    expect(await readFileTool.run({ path: 'logo.png' }, ctx)).toMatchObject({ ok: false, output: 'logo.png is a PNG image, 120×40 (33 bytes); read_file shows text only' });
    expect(await readFileTool.run({ path: 'doc.pdf' }, ctx)).toMatchObject({ ok: false, output: 'doc.pdf is a PDF document (9 bytes); read_file shows text only' });
    expect(await readFileTool.run({ path: 'data.bin' }, ctx)).toMatchObject({ ok: false, output: 'data.bin is a binary file (3 bytes); read_file reads text files only' });
    expect(await readFileTool.run({ path: 'big.log' }, ctx)).toMatchObject({
      ok: false,
      output: 'big.log is 16.0 MB (16777217 bytes), over the 16.0 MB that read_file reads; use search_files to find the part you need',
    });
  });

  it('shows a window of a large file with a footer that says how to read on', async () => {
    const lines = Array.from({ length: 5400 }, (_, i) => `line ${i + 1}`);
    const { ctx } = await workspace({ 'big.txt': `${lines.join('\n')}\n` });
    const first = await readFileTool.run({ path: 'big.txt' }, ctx);
    expect(first.output.split('\n').slice(0, 2)).toEqual(['1\tline 1', '2\tline 2']);
    expect(first.output.split('\n').at(-2)).toBe('2000\tline 2000');
    expect(first.output.split('\n').at(-1)).toBe('[lines 1–2000 of 5400; read on with offset=2001]');
    expect(first.data).toEqual({ path: 'big.txt', bytes: expect.any(Number), lines: 5400, from: 1, to: 2000 });
    const next = await readFileTool.run({ path: 'big.txt', offset: 5390 }, ctx);
    expect(next.output).toBe(`${lines.slice(5389).map((l, i) => `${5390 + i}\t${l}`).join('\n')}\n[lines 5390–5400 of 5400]`);
    const some = await readFileTool.run({ path: 'big.txt', offset: 10, limit: 2 }, ctx);
    expect(some.output).toBe('10\tline 10\n11\tline 11\n[lines 10–11 of 5400; read on with offset=12]');
    expect(await readFileTool.run({ path: 'big.txt', offset: 6000 }, ctx)).toMatchObject({ ok: false, output: 'offset 6000 is past the end of big.txt, which has 5400 lines' });
  });

  it('ends the window at ~48k characters and cuts a huge minified line, saying both', async () => {
    const wide = Array.from({ length: 100 }, (_, i) => `${i}:${'w'.repeat(999)}`).join('\n');
    const { ctx } = await workspace({ 'wide.txt': wide, 'min.js': `${'a;'.repeat(100_000)}\nsecond\n` });
    const r = await readFileTool.run({ path: 'wide.txt' }, ctx);
    expect(r.output.length).toBeLessThanOrEqual(48_000 + 100);
    expect(r.output).toMatch(/\n\[lines 1–47 of 100 \(the 48k-character window is full\); read on with offset=48\]$/);
    const m = await readFileTool.run({ path: 'min.js' }, ctx);
    expect(m.output).toBe(`1\t${'a;'.repeat(1000)}… [line cut: 200,000 characters; search_files finds text in it]\n2\tsecond`);
    expect(m.data).toMatchObject({ linesCut: 1 });
  });

  it('reads several files in one call, each under its header, a failure said in its place', async () => {
    const { ctx } = await workspace({ 'a.ts': 'const a = 1;\n', 'b.ts': 'const b = 2;\n' });
    const r = await readFileTool.run({ paths: ['a.ts', 'nope.ts', 'b.ts'] }, ctx);
    expect(r).toEqual({
      ok: true,
      output: '==> a.ts <==\n1\tconst a = 1;\n\n==> nope.ts <==\n[nope.ts: no such file]\n\n==> b.ts <==\n1\tconst b = 2;',
      data: { paths: 3, read: 2, files: [{ path: 'a.ts', bytes: 13, lines: 1 }, { path: 'nope.ts', error: true }, { path: 'b.ts', bytes: 13, lines: 1 }] },
    });
    expect(await readFileTool.run({ paths: ['../x', 'nope.ts'] }, ctx)).toMatchObject({ ok: false });
  });

  it('refuses paths outside the workspace', async () => {
    const { ctx } = await workspace();
    expect(await readFileTool.run({ path: '../../etc/passwd' }, ctx)).toEqual({ ok: false, output: 'path: "../../etc/passwd" is outside the workspace' });
    expect(await readFileTool.run({ path: '/etc/passwd' }, ctx)).toMatchObject({ ok: false, output: expect.stringMatching(/is absolute/) });
  });
});
