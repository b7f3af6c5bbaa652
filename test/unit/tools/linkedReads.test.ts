import { rmSync, symlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFilesTool } from '../../../src/core/tools/listFiles.js';
import { readFileTool } from '../../../src/core/tools/readFile.js';
import { searchFilesTool } from '../../../src/core/tools/searchFiles.js';
import { writablePath } from '../../../src/core/tools/workspacePath.js';
import type { ToolContext } from '../../../src/core/tools/types.js';
import { KEY_TEXT, leakyRepo } from '../../support/leakyRepo.js';
import { writeFiles } from './workspace.js';

// The tools hold even when called without the gate: no link leads them out of the workspace, no search reads a secret.
let repo: ReturnType<typeof leakyRepo>;
let ctx: ToolContext;
beforeAll(() => {
  repo = leakyRepo();
  ctx = { workspaceRoot: repo.root, signal: new AbortController().signal, commandTimeoutSeconds: 30 };
});
afterAll(() => rmSync(repo.base, { recursive: true, force: true }));

describe('read_file through links', () => {
  it('refuses a link leading outside, dangling or not, without a word of its target', async () => {
    for (const path of ['notes.md', 'docs/plan.md', 'dangling-out.md']) {
      const r = await readFileTool.run({ path }, ctx);
      expect(r).toMatchObject({ ok: false, output: `${path} leads outside the workspace through a symbolic link; read_file reads only files inside the workspace` });
      expect(JSON.stringify(r)).not.toContain(KEY_TEXT);
    }
  });

  it('reads through links that stay inside; a dangling one is a missing file', async () => {
    expect(await readFileTool.run({ path: 'app-link.ts' }, ctx)).toMatchObject({ ok: true, output: '1\texport const app = 1;', data: { path: 'app-link.ts' } });
    expect(await readFileTool.run({ path: 'src-link/app.ts' }, ctx)).toMatchObject({ ok: true, output: '1\texport const app = 1;' });
    expect(await readFileTool.run({ path: 'dangling.md' }, ctx)).toMatchObject({ ok: false, output: expect.stringMatching(/^dangling\.md: no such file/) });
    expect(await readFileTool.run({ path: '.kiro/steering/x.md' }, ctx)).toMatchObject({ ok: true, output: '1\t# Steering\n2\tuse tabs' });
  });
});

describe('list_files and links', () => {
  it('marks links and does not enter one leading outside', async () => {
    const r = await listFilesTool.run({}, ctx);
    expect(r.ok).toBe(true);
    const lines = r.output.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '.env',
        'config/.env.local',
        '.kiro/steering/x.md',
        'src/app.ts',
        'notes.md -> (outside the workspace)',
        'docs -> (outside the workspace)',
        'dangling-out.md -> (outside the workspace)',
        'app-link.ts -> src/app.ts',
        'src-link -> src/',
        'dangling.md -> gone.md (missing: the link is broken)',
      ]),
    );
    expect(lines.at(-1)).toBe('[6 entries are symbolic links, shown as link -> target; links are not followed]');
    expect(r.output).not.toContain('plan.md');
    expect(r.output).not.toContain(repo.home);
    expect(r.data).toMatchObject({ links: 6 });
  });

  it('refuses to list a folder link leading outside; lists one leading inside', async () => {
    expect(await listFilesTool.run({ path: 'docs' }, ctx)).toMatchObject({ ok: false, output: 'docs leads outside the workspace through a symbolic link; list_files lists only folders inside the workspace' });
    expect(await listFilesTool.run({ path: 'src-link' }, ctx)).toMatchObject({ ok: true, output: 'src-link/app.ts' });
  });

  it('applies the glob to links too', async () => {
    expect((await listFilesTool.run({ glob: '*.ts' }, ctx)).output.split('\n')).toEqual(['app-link.ts -> src/app.ts', 'src/app.ts', '[one entry is a symbolic link, shown as link -> target; links are not followed]']);
  });
});

describe('search_files, links and secrets', () => {
  it('does not follow links out, skips secret files and says which', async () => {
    const r = await searchFilesTool.run({ query: 'KEY|TOKEN|plan|app' }, ctx);
    expect(r.output).toBe('src/app.ts\n  1:export const app = 1;\n[2 secret files were not searched: .env, config/.env.local]');
    expect(r.data).toEqual({ matches: 1, shown: 1, files: 1, secretsSkipped: 2 });
    expect(r.output).not.toContain(KEY_TEXT);
    expect(r.output).not.toContain('hunter');
  });

  it('a glob or a path naming a secret does not bring it back; the result says so', async () => {
    expect((await searchFilesTool.run({ query: 'TOKEN', glob: '.env*' }, ctx)).output).toBe('no matches in files matching .env*\n[2 secret files were not searched: .env, config/.env.local]');
    expect((await searchFilesTool.run({ query: 'TOKEN', path: '.env' }, ctx)).output).toBe('no matches\n[1 secret file was not searched: .env]');
    expect((await searchFilesTool.run({ query: 'TOKEN', path: 'config' }, ctx)).output).toBe('no matches\n[1 secret file was not searched: config/.env.local]');
  });

  it('skips protectedPaths too, and a secret reached through a link by another name', async () => {
    await writeFiles(repo.root, { 'private/plan.txt': 'TOKEN in a private plan\n' });
    const r = await searchFilesTool.run({ query: 'TOKEN', path: 'private' }, { ...ctx, protectedPaths: ['private/'] });
    expect(r.output).toBe('no matches\n[1 secret file was not searched: private/plan.txt]');
    symlinkSync('.env', `${repo.root}/cfg`);
    expect((await searchFilesTool.run({ query: 'TOKEN', path: 'cfg' }, ctx)).output).toBe('no matches\n[1 secret file was not searched: cfg]');
  });

  it('refuses a search rooted at a link leading outside', async () => {
    for (const path of ['docs', 'notes.md']) {
      const r = await searchFilesTool.run({ query: 'PRIVATE', path }, ctx);
      expect(r).toMatchObject({ ok: false, output: `${path} leads outside the workspace through a symbolic link; search_files searches only inside the workspace` });
      expect(r.output).not.toContain(KEY_TEXT);
    }
  });

  it('searches a single file, named above its matches; a missing place says so', async () => {
    expect((await searchFilesTool.run({ query: 'app', path: 'src/app.ts' }, ctx)).output).toBe('src/app.ts\n  1:export const app = 1;');
    expect(await searchFilesTool.run({ query: 'app', path: 'lib' }, ctx)).toMatchObject({ ok: false, output: 'lib: no such file or folder' });
  });
});

describe('writablePath and dangling links', () => {
  it('follows a dangling link to where a write would land: outside is refused, inside is the target', async () => {
    expect(await writablePath(repo.root, 'dangling-out.md')).toEqual({ error: 'path: "dangling-out.md" leads outside the workspace through a symbolic link' });
    expect(await writablePath(repo.root, 'dangling.md')).toEqual({ abs: `${repo.root}/gone.md`, rel: 'dangling.md' });
  });
});
