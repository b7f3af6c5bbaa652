import { existsSync } from 'node:fs';
import { readFile, rm, unlink, utimes, writeFile } from 'node:fs/promises';
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
});
