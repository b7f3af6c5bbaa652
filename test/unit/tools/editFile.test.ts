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
    // The answer shows the file around the change, numbered as read_file numbers it.
    expect(r).toEqual({ ok: true, output: 'edited src/math.js: 3 edits, +2 -4 lines\n1\tfunction add(a, b) {\n2\t  const sum = a + b;\n3\t  return sum; // checked\n4\t}\n5\t', data: { path: 'src/math.js', edits: 3, linesAdded: 2, linesRemoved: 4, bytes: 70 } });
    expect(await readFile(join(root, 'src/math.js'), 'utf8')).toBe('function add(a, b) {\n  const sum = a + b;\n  return sum; // checked\n}\n\n');
  });

  it('refuses an oldText that is not found, quoting it, and changes nothing', async () => {
    const { root, ctx } = await workspace({ 'src/math.js': SOURCE });
    const long = `return a * b; ${'x'.repeat(100)}`;
    const r = await editFileTool.run({ path: 'src/math.js', edits: [{ oldText: 'return a + b;', newText: 'return b + a;' }, { oldText: long, newText: '' }] }, ctx);
    expect(r.ok).toBe(false);
    expect(r.output).toBe(`edits[1].oldText was not found in src/math.js (after the edits before it): "${long.slice(0, 80)}…". Nothing was changed. Nothing in the file resembles it. Read the file (read_file) and copy the text exactly, without the line numbers.`);
    expect(await readFile(join(root, 'src/math.js'), 'utf8')).toBe(SOURCE);
  });

  it('forgives lost indentation when one place matches, re-indenting newText, and says so', async () => {
    const { root, ctx } = await workspace({ 'src/math.js': SOURCE });
    const r = await editFileTool.run({ path: 'src/math.js', edits: [{ oldText: 'function add(a, b) {\nreturn a + b;', newText: 'function add(a, b) {\nreturn b + a;' }] }, ctx);
    expect(r).toMatchObject({ ok: true, data: { looseMatches: 1, linesAdded: 1, linesRemoved: 1 } });
    expect(r.output).toMatch(/^edited src\/math\.js: 1 edit, \+1 -1 lines \(edits\[0\] matched ignoring indentation \(newText re-indented to the file's\)\)\n/);
    expect(await readFile(join(root, 'src/math.js'), 'utf8')).toBe(SOURCE.replace('a + b', 'b + a'));
  });

  it('shows the closest lines and what differs when nothing matches', async () => {
    const { root, ctx } = await workspace({ 'src/math.js': SOURCE });
    const r = await editFileTool.run({ path: 'src/math.js', edits: [{ oldText: 'function sub(a, b) {\n  return a-b;\n}', newText: 'x' }] }, ctx);
    expect(r.ok).toBe(false);
    expect(r.output).toContain('The closest text is at lines 5–7');
    expect(r.output).toContain('line 6 (whitespace inside the line): the file has "  return a - b;", oldText has "  return a-b;"');
    expect(r.output).toContain('5\tfunction sub(a, b) {\n6\t  return a - b;\n7\t}');
    expect(await readFile(join(root, 'src/math.js'), 'utf8')).toBe(SOURCE);
  });

  it('replaces every occurrence with replaceAll, and says how many', async () => {
    const { root, ctx } = await workspace({ 'src/math.js': SOURCE });
    const r = await editFileTool.run({ path: 'src/math.js', edits: [{ oldText: '(a, b)', newText: '(x, y)', replaceAll: true }] }, ctx);
    expect(r.output).toMatch(/^edited src\/math\.js: 1 edit, \+2 -2 lines \(edits\[0\] replaced in 2 places\)/);
    expect(await readFile(join(root, 'src/math.js'), 'utf8')).toBe(SOURCE.replaceAll('(a, b)', '(x, y)'));
  });

  it('says the new problems of the file when the host watches them, and only the new ones', async () => {
    const { root, ctx } = await workspace({ 'src/math.js': SOURCE });
    const seen: string[] = [];
    // A host that reports a problem per line holding "bug", before and after: only the difference is new.
    const problemsOf = async (abs: string) => (await readFile(abs, 'utf8')).split('\n').flatMap((l, i) => (l.includes('bug') ? [`line ${i + 1}: error: ${l.trim()}`] : []));
    const watchProblems = async (abs: string) => {
      seen.push(abs);
      const before = await problemsOf(abs);
      return async () => (await problemsOf(abs)).filter((p) => !before.includes(p));
    };
    const r = await editFileTool.run({ path: 'src/math.js', edits: [{ oldText: 'return a - b;', newText: 'return a - b; // bug' }] }, { ...ctx, watchProblems });
    expect(seen).toEqual([join(root, 'src/math.js')]);
    expect(r.output).toMatch(/\nNew problems in this file since the change \(fix them before moving on\):\nline 6: error: return a - b; \/\/ bug$/);
    const again = await editFileTool.run({ path: 'src/math.js', edits: [{ oldText: 'return a + b;', newText: 'return a + b; // fine' }] }, { ...ctx, watchProblems });
    expect(again.output).not.toContain('New problems');
    // A watch that fails does not fail the edit that was written.
    const broken = await editFileTool.run({ path: 'src/math.js', edits: [{ oldText: '// fine', newText: '// ok' }] }, { ...ctx, watchProblems: () => Promise.reject(new Error('no host')) });
    expect(broken).toMatchObject({ ok: true });
  });

  it('refuses an oldText that occurs more than once, saying how often and where, and writes nothing (all or nothing)', async () => {
    const { root, ctx } = await workspace({ 'src/math.js': SOURCE });
    const before = await stat(join(root, 'src/math.js'));
    const r = await editFileTool.run({ path: 'src/math.js', edits: [{ oldText: 'function add', newText: 'function plus' }, { oldText: '(a, b) {', newText: '(x, y) {' }] }, ctx);
    expect(r).toEqual({
      ok: false,
      output: 'edits[1].oldText appears 2 times in src/math.js (after the edits before it) (at lines 1, 5): "(a, b) {". Nothing was changed. Include more of the surrounding lines so that it matches exactly once, or set replaceAll to change every one.',
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
