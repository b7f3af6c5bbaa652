import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editFileTool } from '../../../src/core/tools/editFile.js';
import { workspace } from './workspace.js';

const SOURCE = ['function add(a, b) {', '  return a + b;', '}', '', 'function sub(a, b) {', '  return a - b;', '}', ''].join('\n');

describe('edit_file', () => {
  it('applies the edits in order and reports the lines added and removed', async () => {
    const { root, ctx } = await workspace({ 'src/math.js': SOURCE });
    const r = await editFileTool.run(
      {
        path: 'src/math.js',
        edits: [
          { oldText: '  return a + b;', newText: '  const sum = a + b;\n  return sum;' },
          // Sees the text as the first edit left it.
          { oldText: 'return sum;', newText: 'return sum; // checked' },
          { oldText: 'function sub(a, b) {\n  return a - b;\n}\n', newText: '' },
        ],
      },
      ctx,
    );
    expect(r).toEqual({ ok: true, output: 'edited src/math.js: 3 edits, +2 -4 lines', data: { path: 'src/math.js', edits: 3, linesAdded: 2, linesRemoved: 4, bytes: 70 } });
    expect(await readFile(join(root, 'src/math.js'), 'utf8')).toBe('function add(a, b) {\n  const sum = a + b;\n  return sum; // checked\n}\n\n');
  });

  it('refuses an oldText that is not found, quoting it, and changes nothing', async () => {
    const { root, ctx } = await workspace({ 'src/math.js': SOURCE });
    const long = `return a * b; ${'x'.repeat(100)}`;
    const r = await editFileTool.run({ path: 'src/math.js', edits: [{ oldText: 'return a + b;', newText: 'return b + a;' }, { oldText: long, newText: '' }] }, ctx);
    expect(r.ok).toBe(false);
    expect(r.output).toBe(`edits[1].oldText was not found in src/math.js (after the edits before it): "${long.slice(0, 80)}…". Nothing was changed. Read the file and copy the text exactly.`);
    expect(await readFile(join(root, 'src/math.js'), 'utf8')).toBe(SOURCE);
  });

  it('says when the text matches only if whitespace is ignored', async () => {
    const { ctx } = await workspace({ 'src/math.js': SOURCE });
    const r = await editFileTool.run({ path: 'src/math.js', edits: [{ oldText: 'function add(a, b) {\nreturn a + b;', newText: '' }] }, ctx);
    expect(r.output).toMatch(/was not found in src\/math\.js: .* It does match if whitespace is ignored: copy the indentation and line breaks exactly\.$/);
  });

  it('refuses an oldText that occurs more than once, saying how often and where, and writes nothing (all or nothing)', async () => {
    const { root, ctx } = await workspace({ 'src/math.js': SOURCE });
    const before = await stat(join(root, 'src/math.js'));
    const r = await editFileTool.run({ path: 'src/math.js', edits: [{ oldText: 'function add', newText: 'function plus' }, { oldText: '(a, b) {', newText: '(x, y) {' }] }, ctx);
    expect(r).toEqual({
      ok: false,
      output: 'edits[1].oldText appears 2 times in src/math.js (after the edits before it) (at lines 1, 5): "(a, b) {". Nothing was changed. Include more of the surrounding lines so that it matches exactly once.',
      data: { path: 'src/math.js', failedEdit: 1 },
    });
    expect(await readFile(join(root, 'src/math.js'), 'utf8')).toBe(SOURCE);
    expect((await stat(join(root, 'src/math.js'))).mtimeMs).toBe(before.mtimeMs);
    // Overlapping occurrences are just as ambiguous.
    await writeFile(join(root, 'a.txt'), 'aaa');
    expect((await editFileTool.run({ path: 'a.txt', edits: [{ oldText: 'aa', newText: 'b' }] }, ctx)).output).toMatch(/appears 2 times/);
  });

  it('keeps CRLF line endings, also when the edit is written with LF', async () => {
    const { root, ctx } = await workspace({ 'win.txt': 'one\r\ntwo\r\nthree\r\n' });
    expect(await editFileTool.run({ path: 'win.txt', edits: [{ oldText: 'one\r\ntwo', newText: 'ONE\r\nTWO' }] }, ctx)).toMatchObject({ ok: true });
    expect(await readFile(join(root, 'win.txt'), 'utf8')).toBe('ONE\r\nTWO\r\nthree\r\n');
    expect(await editFileTool.run({ path: 'win.txt', edits: [{ oldText: 'TWO\nthree\n', newText: 'two\nand a half\nthree\n' }] }, ctx)).toMatchObject({ ok: true, data: { linesAdded: 2, linesRemoved: 1 } });
    expect(await readFile(join(root, 'win.txt'), 'utf8')).toBe('ONE\r\ntwo\r\nand a half\r\nthree\r\n');
    // A one-line edit leaves the line endings around it alone.
    expect(await editFileTool.run({ path: 'win.txt', edits: [{ oldText: 'and a half', newText: '2.5' }] }, ctx)).toMatchObject({ ok: true, data: { linesAdded: 1, linesRemoved: 1 } });
    expect(await readFile(join(root, 'win.txt'), 'utf8')).toBe('ONE\r\ntwo\r\n2.5\r\nthree\r\n');
  });

  it('keeps a byte order mark and takes newText literally', async () => {
    const { root, ctx } = await workspace({ 'bom.txt': '\uFEFFvalue = 1\n' });
    expect(await editFileTool.run({ path: 'bom.txt', edits: [{ oldText: '1', newText: "$& $' $1" }] }, ctx)).toMatchObject({ ok: true });
    expect(await readFile(join(root, 'bom.txt'), 'utf8')).toBe("\uFEFFvalue = $& $' $1\n");
  });

  it('says when the file is missing, binary or not UTF-8, and when the edit changes nothing', async () => {
    const { root, ctx } = await workspace({ 'img.bin': Buffer.from([1, 0, 2]), 'latin1.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]), 'same.txt': 'same\n' });
    expect(await editFileTool.run({ path: 'nope.ts', edits: [{ oldText: 'a', newText: 'b' }] }, ctx)).toEqual({ ok: false, output: 'nope.ts: no such file; use write_file to create it' });
    expect(await editFileTool.run({ path: 'img.bin', edits: [{ oldText: 'a', newText: 'b' }] }, ctx)).toEqual({ ok: false, output: 'img.bin is a binary file; edit_file edits text files only' });
    expect((await editFileTool.run({ path: 'latin1.txt', edits: [{ oldText: 'caf', newText: 'CAF' }] }, ctx)).output).toMatch(/^latin1\.txt is not valid UTF-8 text/);
    expect(await readFile(join(root, 'latin1.txt'))).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    expect(await editFileTool.run({ path: 'same.txt', edits: [{ oldText: 'same', newText: 'same' }] }, ctx)).toMatchObject({ ok: true, output: 'same.txt unchanged: the 1 edit replaced text with the same text' });
    expect(await editFileTool.run({ path: '.git/config', edits: [{ oldText: 'a', newText: 'b' }] }, ctx)).toMatchObject({ ok: false, output: expect.stringMatching(/inside \.git/) });
  });
});
