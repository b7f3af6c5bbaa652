import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listFilesTool } from '../../../src/core/tools/listFiles.js';
import type { ToolContext } from '../../../src/core/tools/types.js';
import { workspace, writeFiles } from './workspace.js';

const PROJECT = {
  '.gitignore': 'dist/\n*.log\n',
  'README.md': '# p\n',
  'src/index.ts': '',
  'src/util/strings.ts': '',
  'src/util/strings.test.ts': '',
  'src-gen/x.ts': '',
  '.github/workflows/ci.yml': '',
  'dist/out.js': '',
  'debug.log': '',
  '.git/HEAD': 'ref: refs/heads/main\n',
};

describe('list_files', () => {
  it('lists every file under the workspace in tree order, honouring .gitignore, never .git', async () => {
    const { ctx } = await workspace(PROJECT);
    expect(await listFilesTool.run({}, ctx)).toEqual({
      ok: true,
      output: ['.github/workflows/ci.yml', '.gitignore', 'README.md', 'src/index.ts', 'src/util/strings.test.ts', 'src/util/strings.ts', 'src-gen/x.ts', '[left out, ignored by .gitignore: dist/]'].join('\n'),
      data: { path: '.', files: 7, listed: 7 },
    });
  });

  it('lists a folder, and narrows to a glob, with paths relative to the workspace', async () => {
    const { ctx } = await workspace(PROJECT);
    expect((await listFilesTool.run({ path: 'src/util' }, ctx)).output).toBe('src/util/strings.test.ts\nsrc/util/strings.ts');
    expect((await listFilesTool.run({ glob: '*.test.ts' }, ctx)).output).toBe('src/util/strings.test.ts');
    expect((await listFilesTool.run({ path: 'src', glob: 'src/**/*.ts' }, ctx)).output).toBe('src/index.ts\nsrc/util/strings.test.ts\nsrc/util/strings.ts');
    expect((await listFilesTool.run({ glob: '*.rs' }, ctx)).output).toBe('[no files in the workspace matching *.rs]');
  });

  it('past 1,000 files counts them per folder instead, and names the ignored folders it left out', async () => {
    const { root, ctx } = await workspace({
      ...Object.fromEntries(Array.from({ length: 1003 }, (_, i) => [`gen/part${i % 2}/f${i}.txt`, ''])),
      'src/a.ts': '',
      'src/lib/b.ts': '',
      'README.md': '',
      '.gitignore': 'node_modules/\n',
      'node_modules/x/index.js': '',
    });
    await mkdir(join(root, 'empty'));
    const r = await listFilesTool.run({}, ctx);
    expect(r.output).toBe(
      [
        '[1,007 files in the workspace: too many to name, so they are counted per folder; list a folder (path) or narrow with a glob]',
        'gen/ (1,003 files)',
        '  gen/part0/ (502 files)',
        '  gen/part1/ (501 files)',
        'src/ (2 files)',
        '  src/lib/ (1 file)',
        '.gitignore',
        'README.md',
        '[left out, ignored by .gitignore: node_modules/]',
      ].join('\n'),
    );
    expect(r.data).toEqual({ path: '.', files: 1007, listed: 0, folders: 7 });
    expect((await listFilesTool.run({ path: 'src' }, ctx)).output).toBe('src/a.ts\nsrc/lib/b.ts');
  });

  it('says when the folder is missing or is a file', async () => {
    const { ctx } = await workspace({ 'a.txt': '' });
    expect(await listFilesTool.run({ path: 'nope' }, ctx)).toEqual({ ok: false, output: 'nope: no such folder' });
    expect(await listFilesTool.run({ path: 'a.txt' }, ctx)).toEqual({ ok: false, output: 'a.txt is a file, not a folder; read it with read_file' });
    expect(await listFilesTool.run({ path: '..' }, ctx)).toMatchObject({ ok: false, output: expect.stringMatching(/outside the workspace/) });
  });

  it('ignores the .gitignore of folders above the workspace, in a git repository or not', async () => {
    // A home folder kept in git often has a .gitignore of `*`; it must not hide the projects below it.
    const home = await mkdtemp(join(tmpdir(), 'spec-agent-home-'));
    await writeFile(join(home, '.gitignore'), '*\n');
    await writeFiles(home, { 'plain/src/a.ts': '', 'plain/.gitignore': 'out/\n', 'plain/out/b.js': '', 'repo/src/a.ts': '', 'repo/.gitignore': 'out/\n', 'repo/out/b.js': '' });
    execFileSync('git', ['init', '-q', join(home, 'repo')]);
    const ctx = (root: string): ToolContext => ({ workspaceRoot: root, signal: new AbortController().signal, commandTimeoutSeconds: 30 });
    expect((await listFilesTool.run({}, ctx(join(home, 'plain')))).output).toBe('.gitignore\nsrc/a.ts\n[left out, ignored by .gitignore: out/]');
    expect((await listFilesTool.run({}, ctx(join(home, 'repo')))).output).toBe('.gitignore\nsrc/a.ts\n[left out, ignored by .gitignore: out/]');
    // A workspace inside a repository keeps the repository's rules.
    await mkdir(join(home, 'repo/pkg/out'), { recursive: true });
    await writeFiles(home, { 'repo/pkg/out/c.js': '', 'repo/pkg/index.ts': '' });
    expect((await listFilesTool.run({}, ctx(join(home, 'repo/pkg')))).output).toBe('index.ts\n[left out, ignored by .gitignore: out/]');
  });
});
