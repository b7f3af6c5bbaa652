import { chmod, mkdir, readFile, rename, rm, symlink, truncate, unlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openGitStore } from '../../../src/core/checkpoints/gitStore.js';
import { DispositionError, RunCheckpoints } from '../../../src/core/checkpoints/runCheckpoints.js';
import { makeRepo, treeState } from './repo.js';

describe('run checkpoints in a real repository', () => {
  it('discards exactly the agent\'s changes and never touches the user\'s index, HEAD, stash or other work', async () => {
    const { dir, git } = await makeRepo();
    const w = (p: string, c: string | Buffer) => writeFile(join(dir, p), c);
    await git('config', 'core.autocrlf', 'true');
    await w('.gitignore', '*.log\n');
    await w('a.txt', 'a v1\n');
    await w('b.bin', Buffer.from([0, 1, 2, 255, 254, 0, 10, 13]));
    await w('run.sh', '#!/bin/sh\necho hi\n');
    await chmod(join(dir, 'run.sh'), 0o755);
    await symlink('a.txt', join(dir, 'link'));
    await w('crlf.txt', 'line one\r\nline two\r\n');
    await w('to-delete.txt', 'delete me\n');
    await w('to-rename.txt', 'rename me\n');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'initial');
    // The user's own state before the run: a stash, a staged change, an unstaged change, untracked and ignored files.
    await w('a.txt', 'stashed work\n');
    await git('stash', '-q');
    await w('a.txt', 'a v2 staged\n');
    await git('add', 'a.txt');
    await w('a.txt', 'a v3 unstaged on top\n');
    await w('crlf.txt', 'line one\r\nline two changed\r\n');
    await w('notes.md', 'my notes\n');
    await w('debug.log', 'ignored\n');

    const status = () => git('status', '--porcelain=v1', '--untracked-files=all');
    const before = { status: await status(), stash: await git('stash', 'list'), cached: await git('diff', '--cached'), files: await treeState(dir) };

    const store = await openGitStore(dir);
    expect(store.userRepo).toBe(true);
    const run = await RunCheckpoints.start(store, 'run-1');

    // Step 1: the agent edits, deletes, renames, flips a mode, retargets a link, writes binary, creates files.
    await run.beforeStep('write files');
    await w('a.txt', 'agent rewrote a\n');
    await unlink(join(dir, 'to-delete.txt'));
    await rename(join(dir, 'to-rename.txt'), join(dir, 'renamed.txt'));
    await chmod(join(dir, 'run.sh'), 0o644);
    await unlink(join(dir, 'link'));
    await symlink('b.bin', join(dir, 'link'));
    await w('b.bin', Buffer.from([9, 9, 9]));
    await mkdir(join(dir, 'gen'));
    await w('gen/new.ts', 'export {};\n');
    await w('notes.md', 'agent appended\n');
    await w('debug.log', 'agent log\n');
    await run.afterStep('write files');

    // Between steps, the user commits unrelated work and edits a file the agent also changed.
    await w('user.txt', 'user work\n');
    await git('add', 'user.txt');
    await git('commit', '-q', '-m', 'user commit during the run', '--', 'user.txt');
    await w('notes.md', 'my notes, edited by me while the agent ran\n');

    await run.beforeStep('npm run format');
    await w('crlf.txt', 'agent LF only\n');
    await run.afterStep('npm run format');

    const head = await git('rev-parse', 'HEAD');
    const indexBytes = await readFile(join(dir, '.git/index'));
    const beforeDiscard = await treeState(dir);
    const result = await run.discard();

    // The agent's paths are back to their bytes (and modes, link targets) before the run.
    const after = await treeState(dir);
    for (const p of ['a.txt', 'b.bin', 'run.sh', 'link', 'crlf.txt', 'to-delete.txt', 'to-rename.txt']) expect(after[p], p).toEqual(before.files[p]);
    expect(after['renamed.txt']).toBeUndefined();
    expect(after['gen/new.ts']).toBeUndefined();
    expect(existsSync(join(dir, 'gen'))).toBe(false);
    // Both changed notes.md: the user's version stays, reported as a conflict with both versions.
    expect(await readFile(join(dir, 'notes.md'), 'utf8')).toBe('my notes, edited by me while the agent ran\n');
    expect(result.conflicts.map((c) => c.path)).toEqual(['notes.md']);
    expect(result.conflicts[0]!.agent).not.toBeNull();
    // Ignored files are not the checkpoints' business; the user's commit stays; nothing of git's state moved.
    expect(await readFile(join(dir, 'debug.log'), 'utf8')).toBe('agent log\n');
    expect(await readFile(join(dir, 'user.txt'), 'utf8')).toBe('user work\n');
    expect(await git('rev-parse', 'HEAD')).toBe(head);
    expect(await readFile(join(dir, '.git/index'))).toEqual(indexBytes);
    expect(await git('stash', 'list')).toBe(before.stash);
    expect(await git('diff', '--cached')).toBe(before.cached);
    expect(await git('log', '--format=%s', '-1')).toBe('user commit during the run\n');
    expect(await status()).toBe(before.status);

    // Undo puts the tree back exactly as it was before the discard.
    await run.undoDiscard();
    expect(await treeState(dir)).toEqual(beforeDiscard);
    expect(await git('rev-parse', 'HEAD')).toBe(head);
    expect(await git('stash', 'list')).toBe(before.stash);
  });

  it('skips nested repositories and untracked files over 50 MB, and says so', async () => {
    const { dir, git } = await makeRepo();
    await writeFile(join(dir, 'a.txt'), 'a\n');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'initial');
    await mkdir(join(dir, 'nested'));
    const nested = await makeRepo();
    await rm(join(dir, 'nested'), { recursive: true });
    await rename(nested.dir, join(dir, 'nested'));
    await writeFile(join(dir, 'nested/inner.txt'), 'inner v1\n');
    await writeFile(join(dir, 'big.bin'), '');
    await truncate(join(dir, 'big.bin'), 51 * 1024 * 1024);

    const run = await RunCheckpoints.start(await openGitStore(dir), 'run-2');
    expect(run.data.skipped).toEqual([{ path: 'big.bin', bytes: 51 * 1024 * 1024 }]);
    expect(run.data.nested).toEqual(['nested']);
    await run.beforeStep('edit');
    await writeFile(join(dir, 'a.txt'), 'agent\n');
    await writeFile(join(dir, 'nested/inner.txt'), 'inner v2\n');
    await run.afterStep('edit');
    await run.discard();
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('a\n');
    // The nested repository's own files and .git are left alone.
    expect(await readFile(join(dir, 'nested/inner.txt'), 'utf8')).toBe('inner v2\n');
    expect(existsSync(join(dir, 'nested/.git/HEAD'))).toBe(true);
  });

  it('gives the same guarantees in a folder that is not a repository, with a store outside it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spec-agent-plain-'));
    process.env.SPEC_AGENT_CHECKPOINTS_DIR = await mkdtemp(join(tmpdir(), 'spec-agent-store-'));
    try {
      await writeFile(join(dir, 'keep.txt'), 'original\n');
      await writeFile(join(dir, '.gitignore'), 'out/\n');
      const store = await openGitStore(dir);
      expect(store.userRepo).toBe(false);
      expect(store.gitDir.startsWith(process.env.SPEC_AGENT_CHECKPOINTS_DIR)).toBe(true);
      const run = await RunCheckpoints.start(store, 'run-3');
      await run.beforeStep('edit');
      await writeFile(join(dir, 'keep.txt'), 'changed\n');
      await writeFile(join(dir, 'added.txt'), 'new\n');
      await run.afterStep('edit');
      expect(run.disposition).toBe('open');
      expect(run.decision).toBeUndefined();
      await run.discard();
      expect(await readFile(join(dir, 'keep.txt'), 'utf8')).toBe('original\n');
      expect(existsSync(join(dir, 'added.txt'))).toBe(false);
      expect(existsSync(join(dir, '.git'))).toBe(false);
      // The user's decision about the run is kept with it: the panel offers what still makes sense.
      expect((await RunCheckpoints.open(store, 'run-3')).disposition).toBe('discarded');
      await run.undoDiscard();
      expect(await readFile(join(dir, 'keep.txt'), 'utf8')).toBe('changed\n');
      expect((await RunCheckpoints.open(store, 'run-3')).disposition).toBe('open');
      // The history still says a discard was undone (the runs list and the panel show it).
      expect((await RunCheckpoints.open(store, 'run-3')).decision).toBe('undone');
      await run.keep();
      expect((await RunCheckpoints.open(store, 'run-3')).disposition).toBe('kept');
      expect((await RunCheckpoints.open(store, 'run-3')).decision).toBe('kept');
    } finally {
      delete process.env.SPEC_AGENT_CHECKPOINTS_DIR;
    }
  });
});

describe('discard and undo discard, twice', () => {
  it('refuses a second discard and an undo without a discard, so the way back to the agent\'s work is kept', async () => {
    const { dir, git } = await makeRepo();
    await writeFile(join(dir, 'a.txt'), 'before\n');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'initial');
    const store = await openGitStore(dir);
    const run = await RunCheckpoints.start(store, 'run-twice');
    await run.beforeStep('write a');
    await writeFile(join(dir, 'a.txt'), 'agent\n');
    await run.afterStep('write a');

    await expect(run.undoDiscard()).rejects.toThrow(new DispositionError('run-twice', 'not-discarded'));
    await run.discard();
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('before\n');
    const again = await run.discard().catch((e: unknown) => e);
    expect(again).toBeInstanceOf(DispositionError);
    expect((again as Error).message).toBe("run run-twice's changes are already discarded; Undo discard puts them back");
    // Still one discard to undo, a reopened run's too, and it brings the agent's work back.
    const reopened = await RunCheckpoints.open(store, 'run-twice');
    expect(reopened.data.discards).toHaveLength(1);
    await reopened.undoDiscard();
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('agent\n');
    await expect(reopened.undoDiscard()).rejects.toThrow("run run-twice's changes are not discarded, so there is no discard to undo; Discard changes puts back what the run changed");
    // Discarded again after the undo: allowed.
    await reopened.discard();
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('before\n');
  });
});

describe('a repository in an unusual state', () => {
  it('snapshots during a merge conflict and sees files the user marked assume-unchanged', async () => {
    const { dir, git } = await makeRepo();
    await writeFile(join(dir, 'a.txt'), 'base\n');
    await writeFile(join(dir, 'quiet.txt'), 'quiet v1\n');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'base');
    await git('checkout', '-q', '-b', 'other');
    await writeFile(join(dir, 'a.txt'), 'other\n');
    await git('commit', '-q', '-am', 'other');
    await git('checkout', '-q', 'main');
    await writeFile(join(dir, 'a.txt'), 'main\n');
    await git('commit', '-q', '-am', 'main');
    await git('merge', 'other').catch(() => undefined);
    await git('update-index', '--assume-unchanged', 'quiet.txt');
    const conflicted = await readFile(join(dir, 'a.txt'), 'utf8');
    expect(conflicted).toContain('<<<<<<<');

    const run = await RunCheckpoints.start(await openGitStore(dir), 'run-4');
    await run.beforeStep('edit');
    await writeFile(join(dir, 'a.txt'), 'agent resolved it its own way\n');
    await writeFile(join(dir, 'quiet.txt'), 'agent\n');
    await run.afterStep('edit');
    await run.discard();
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe(conflicted);
    expect(await readFile(join(dir, 'quiet.txt'), 'utf8')).toBe('quiet v1\n');
    // The user's merge is still in progress, untouched.
    expect(await git('status', '--porcelain')).toContain('UU a.txt');
  });
});
