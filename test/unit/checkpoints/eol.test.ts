import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCheckpoint, restoreCheckpoint } from '../../../src/core/checkpoints/checkpoints.js';
import { openGitStore } from '../../../src/core/checkpoints/gitStore.js';
import { RunCheckpoints } from '../../../src/core/checkpoints/runCheckpoints.js';
import { makeRepo, treeState } from './repo.js';

// Discard, undo discard and checkpoint restore put back the work tree's bytes as they were, whatever git is
// configured to convert: no eol conversion, no clean/smudge filter, either way. The user's index and
// `git status` are as before.

const POINTER = 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n';

/** Files in every case: CRLF, LF, mixed, no final newline, lone CR, binary, filtered, LFS pointer and smudged content. */
const FILES: Record<string, Buffer> = {
  'crlf.txt': Buffer.from('a\r\nb\r\n'),
  'lf.txt': Buffer.from('a\nb\n'),
  'mixed.txt': Buffer.from('one\r\ntwo\nthree\r\n'),
  'nofinal.txt': Buffer.from('a\r\nb'),
  'lonecr.txt': Buffer.from('a\rb\r\n'),
  'bin.dat': Buffer.from([0, 13, 10, 255, 13, 10, 0]),
  'filtered.flt': Buffer.from('x marks\r\nx\n'),
  'pointer.lfs': Buffer.from(POINTER),
  'smudged.lfs': Buffer.from('large\r\nsmudged content\r\n\0'),
  'ident.txt': Buffer.from('$Id: 0123456789abcdef $\r\n'),
};

interface Case {
  name: string;
  attributes?: string;
  config?: Record<string, string>;
}

const CASES: Case[] = [
  { name: '* text=auto', attributes: '* text=auto\n' },
  { name: 'eol=crlf', attributes: '* text eol=crlf\n' },
  { name: 'eol=lf', attributes: '* eol=lf\n' },
  { name: '-text', attributes: '* -text\n' },
  { name: 'core.autocrlf=true', config: { 'core.autocrlf': 'true' } },
  { name: 'core.autocrlf=input', config: { 'core.autocrlf': 'input' } },
  { name: 'core.autocrlf=false', config: { 'core.autocrlf': 'false' } },
  { name: 'core.autocrlf=true with text=auto and ident', attributes: '* text=auto\nident.txt ident\n', config: { 'core.autocrlf': 'true' } },
  { name: 'a clean/smudge filter (required)', attributes: '*.flt filter=sed\n' },
  { name: 'LFS pointers and smudged files', attributes: '*.lfs filter=lfs diff=lfs merge=lfs -text\n' },
];

describe('discard and restore are byte-exact under every git conversion', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const { dir, git } = await makeRepo();
      const marker = join(dir, '..', `${dir.split('/').pop()}-filter-ran`);
      const w = (p: string, b: Buffer | string) => writeFile(join(dir, p), b);
      // Filters that would change bytes and leave a marker if run; LFS's driver as git-lfs configures it.
      await git('config', 'filter.sed.clean', `touch '${marker}'; sed s/x/CLEANED/`);
      await git('config', 'filter.sed.smudge', `touch '${marker}'; sed s/CLEANED/x/`);
      await git('config', 'filter.sed.required', 'true');
      await git('config', 'filter.lfs.clean', `touch '${marker}'; echo cleaned`);
      await git('config', 'filter.lfs.smudge', `touch '${marker}'; echo smudged`);
      await git('config', 'filter.lfs.required', 'true');
      for (const [k, v] of Object.entries(c.config ?? {})) await git('config', k, v);
      if (c.attributes) await w('.gitattributes', c.attributes);
      for (const [p, b] of Object.entries(FILES)) await w(p, b);
      await git('add', '-A');
      await git('commit', '-q', '-m', 'initial');
      // A fresh checkout, as a clone leaves it: the files as git writes them (converted, smudged), and an index whose
      // stat data says they are unchanged (not racily clean). Then an uncommitted CRLF edit and an untracked CRLF file.
      for (const p of Object.keys(FILES)) await unlink(join(dir, p));
      await git('checkout', '--', '.');
      const past = new Date(Date.now() - 60_000);
      for (const p of Object.keys(FILES)) await utimes(join(dir, p), past, past);
      await git('update-index', '-q', '--refresh');
      await w('crlf.txt', 'a\r\nb\r\nuser edit\r\n');
      await w('untracked.txt', 'mine\r\nonly\r\n');

      const state = async () => ({
        files: await treeState(dir),
        index: await git('ls-files', '-s', '--eol'),
        status: await git('status', '--porcelain', '--untracked-files=all'),
      });
      // Our calls only: the user's own git (add, status) may run their filters.
      const ours = async <T>(fn: () => Promise<T>): Promise<T> => {
        await rm(marker, { force: true });
        const v = await fn();
        expect(existsSync(marker), 'a filter command ran').toBe(false);
        return v;
      };
      const before = await state();

      const store = await ours(() => openGitStore(dir));
      const run = await ours(() => RunCheckpoints.start(store, 'run-eol'));
      await ours(() => run.beforeStep('rewrite'));
      for (const [p, b] of Object.entries(FILES)) await w(p, Buffer.concat([b, Buffer.from('agent\n')]));
      await w('crlf.txt', 'agent\nwith LF\n');
      await unlink(join(dir, 'mixed.txt'));
      await w('new.txt', 'agent\r\nnew\r\n');
      await ours(() => run.afterStep('rewrite'));
      const agent = await state();

      await ours(() => run.discard());
      expect(await state(), 'after discard').toEqual(before);
      await ours(() => run.undoDiscard());
      expect(await state(), 'after undo discard').toEqual(agent);
      await ours(() => run.discard());
      expect(await state(), 'after a second discard').toEqual(before);

      // The repro: checkpoint create, change, checkpoint restore.
      const cp = await ours(() => createCheckpoint(store));
      await w('crlf.txt', 'changed\n');
      await w('nofinal.txt', 'changed');
      await ours(() => restoreCheckpoint(store, cp.commit));
      expect(await state(), 'after checkpoint restore').toEqual(before);
      for (const p of ['crlf.txt', 'untracked.txt', 'nofinal.txt']) expect((await readFile(join(dir, p))).equals(Buffer.from(Buffer.from(before.files[p]!.content, 'base64'))), p).toBe(true);
    }, 30_000);
  }

  /** A discard of a run that rewrote `paths` gives back every file's bytes. */
  async function discardRoundTrip(dir: string, paths: string[]): Promise<void> {
    const before = await treeState(dir);
    const run = await RunCheckpoints.start(await openGitStore(dir), `run-${Math.random().toString(36).slice(2)}`);
    await run.beforeStep('rewrite');
    for (const p of paths) await writeFile(join(dir, p), 'agent\n');
    await run.afterStep('rewrite');
    await run.discard();
    expect(await treeState(dir)).toEqual(before);
  }

  it('keeps tracked files that .gitignore matches when core.autocrlf=true (the private index is still seeded)', async () => {
    const { dir, git } = await makeRepo();
    await git('config', 'core.autocrlf', 'true');
    await writeFile(join(dir, 'build.log'), 'tracked\r\nthough ignored\r\n');
    await git('add', 'build.log');
    await git('commit', '-q', '-m', 'initial');
    await writeFile(join(dir, '.gitignore'), '*.log\n');
    await discardRoundTrip(dir, ['build.log']);
  });

  it('hashes again an index seeded by an earlier version, which trusted the converted blobs', async () => {
    const { dir, git } = await makeRepo();
    await writeFile(join(dir, '.gitattributes'), '* text=auto\n');
    await writeFile(join(dir, 'f.txt'), 'a\r\nb\r\n');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'initial');
    const past = new Date(Date.now() - 60_000);
    await utimes(join(dir, 'f.txt'), past, past);
    await git('update-index', '-q', '--refresh');
    // What an earlier version left: a copy of the user's index (f.txt as LF, stat data current) and its marker.
    await mkdir(join(dir, '.git', 'spec-agent'), { recursive: true });
    await copyFile(join(dir, '.git', 'index'), join(dir, '.git', 'spec-agent', 'index'));
    await writeFile(join(dir, '.git', 'spec-agent', 'seeded'), '');
    await discardRoundTrip(dir, ['f.txt']);
  });

  it('is byte-exact in a folder that is not a repository, with eol attributes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spec-agent-plain-eol-'));
    process.env.SPEC_AGENT_CHECKPOINTS_DIR = await mkdtemp(join(tmpdir(), 'spec-agent-store-'));
    try {
      await writeFile(join(dir, '.gitattributes'), '* text eol=crlf\n');
      await writeFile(join(dir, 'f.txt'), 'a\r\nb\r\n');
      await writeFile(join(dir, 'g.txt'), 'mixed\r\nends\n');
      await discardRoundTrip(dir, ['f.txt', 'g.txt']);
      await discardRoundTrip(dir, ['f.txt']);
    } finally {
      delete process.env.SPEC_AGENT_CHECKPOINTS_DIR;
    }
  });
});
