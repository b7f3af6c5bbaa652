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
  it('finds a regex, grouped per file as line:text, in path order, honouring .gitignore', async () => {
    const { ctx } = await workspace(PROJECT);
    expect(await searchFilesTool.run({ query: 'needle' }, ctx)).toEqual({
      ok: true,
      output: 'src/a.ts\n  1:const needle = 1;\n  2:needle(2);\nsrc/b.md\n  1:a needle in prose',
      data: { matches: 3, shown: 3, files: 2 },
    });
    expect((await searchFilesTool.run({ query: '[Nn]eedle\\(' }, ctx)).output).toBe('lib/c.ts\n  1:function findNeedle() {}\nsrc/a.ts\n  2:needle(2);');
    expect((await searchFilesTool.run({ query: 'needle', glob: '*.md' }, ctx)).output).toBe('src/b.md\n  1:a needle in prose');
  });

  it('searches a query that is not a valid regex as plain text, saying so', async () => {
    const { ctx } = await workspace(PROJECT);
    expect((await searchFilesTool.run({ query: 'needle(' }, ctx)).output).toBe('(searched as plain text: the query is not a valid regex (unclosed group))\nsrc/a.ts\n  2:needle(2);');
    expect((await searchFilesTool.run({ query: 'needle(?= in)' }, ctx)).output).toBe('(searched with PCRE2 for the look-around or backreference)\nsrc/b.md\n  1:a needle in prose');
  });

  it('says when nothing matches', async () => {
    const { ctx } = await workspace(PROJECT);
    expect(await searchFilesTool.run({ query: 'haystack' }, ctx)).toEqual({ ok: true, output: 'no matches', data: { matches: 0 } });
    expect(await searchFilesTool.run({ query: 'needle', glob: '*.rs' }, ctx)).toEqual({ ok: true, output: 'no matches in files matching *.rs', data: { matches: 0 } });
  });

  it('shows the first 200 matches grouped per file, and says how many there are and where the rest are', async () => {
    const { ctx } = await workspace({
      'a.txt': Array.from({ length: 150 }, (_, i) => `hit ${i}`).join('\n'),
      'b.txt': Array.from({ length: 100 }, (_, i) => `hit ${i}`).join('\n'),
      'c.txt': 'hit\nhit\n',
      'd:colon.txt': 'hit\n',
    });
    const r = await searchFilesTool.run({ query: 'hit' }, ctx);
    const lines = r.output.split('\n');
    expect(lines[0]).toBe('a.txt');
    expect(lines[1]).toBe('  1:hit 0');
    expect(lines[151]).toBe('b.txt (50 of 100 matches shown)');
    expect(lines[201]).toBe('  50:hit 49');
    expect(lines.at(-1)).toBe('[253 matches in 4 files: the first 200 are shown; more matches in c.txt (2), d:colon.txt (1); narrow the query, the path or the glob]');
    expect(lines).toHaveLength(203);
    expect(r.data).toEqual({ matches: 253, shown: 200, files: 4 });
  });

  it('shortens very long lines', async () => {
    const { ctx } = await workspace({ 'min.js': `${'x'.repeat(1000)}needle${'y'.repeat(1000)}\n` });
    const r = await searchFilesTool.run({ query: 'needle' }, ctx);
    expect(r.output).toBe(`min.js\n  1:${'x'.repeat(300)} [... omitted end of long line]`);
  });
});
