import { describe, expect, it } from 'vitest';
import { searchFilesTool } from '../../../src/core/tools/searchFiles.js';
import { workspace } from './workspace.js';

const PROJECT = {
  '.gitignore': 'dist/\n',
  'dist/bundle.js': 'needle()\n',
  'src/a.ts': 'const needle = 1;\nneedle(2);\n',
  'src/b.md': 'a needle in prose\n',
  'lib/c.ts': 'function findNeedle() {}\n',
};

describe('search_files', () => {
  it('finds a regex as path:line:text, in path order, honouring .gitignore', async () => {
    const { ctx } = await workspace(PROJECT);
    expect(await searchFilesTool.run({ query: 'needle' }, ctx)).toEqual({
      ok: true,
      output: 'src/a.ts:1:const needle = 1;\nsrc/a.ts:2:needle(2);\nsrc/b.md:1:a needle in prose',
      data: { matches: 3, shown: 3 },
    });
    expect((await searchFilesTool.run({ query: '[Nn]eedle\\(' }, ctx)).output).toBe('lib/c.ts:1:function findNeedle() {}\nsrc/a.ts:2:needle(2);');
    expect((await searchFilesTool.run({ query: 'needle', glob: '*.md' }, ctx)).output).toBe('src/b.md:1:a needle in prose');
  });

  it('searches a query that is not a valid regex as plain text, saying so', async () => {
    const { ctx } = await workspace(PROJECT);
    expect((await searchFilesTool.run({ query: 'needle(' }, ctx)).output).toBe('(searched as plain text: the query is not a valid regex (unclosed group))\nsrc/a.ts:2:needle(2);');
    expect((await searchFilesTool.run({ query: 'needle(?= in)' }, ctx)).output).toBe('(searched with PCRE2 for the look-around or backreference)\nsrc/b.md:1:a needle in prose');
  });

  it('says when nothing matches', async () => {
    const { ctx } = await workspace(PROJECT);
    expect(await searchFilesTool.run({ query: 'haystack' }, ctx)).toEqual({ ok: true, output: 'no matches', data: { matches: 0 } });
    expect(await searchFilesTool.run({ query: 'needle', glob: '*.rs' }, ctx)).toEqual({ ok: true, output: 'no matches in files matching *.rs', data: { matches: 0 } });
  });

  it('shows the first 200 matches and says how many there are', async () => {
    const { ctx } = await workspace({ 'many.txt': Array.from({ length: 250 }, (_, i) => `hit ${i}`).join('\n') });
    const r = await searchFilesTool.run({ query: 'hit' }, ctx);
    const lines = r.output.split('\n');
    expect(lines).toHaveLength(201);
    expect(lines[199]).toBe('many.txt:200:hit 199');
    expect(lines[200]).toBe('[250 matches: the first 200 are shown; narrow the query or the glob]');
    expect(r.data).toEqual({ matches: 250, shown: 200 });
  });

  it('shortens very long lines', async () => {
    const { ctx } = await workspace({ 'min.js': `${'x'.repeat(1000)}needle${'y'.repeat(1000)}\n` });
    const r = await searchFilesTool.run({ query: 'needle' }, ctx);
    expect(r.output).toBe(`min.js:1:${'x'.repeat(300)} [... omitted end of long line]`);
  });
});
