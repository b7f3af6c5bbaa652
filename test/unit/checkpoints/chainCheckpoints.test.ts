import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChainCheckpoints, MixedChainError } from '../../../src/core/checkpoints/chainCheckpoints.js';
import { openGitStore } from '../../../src/core/checkpoints/gitStore.js';
import { DispositionError, RunCheckpoints } from '../../../src/core/checkpoints/runCheckpoints.js';
import { makeRepo } from './repo.js';

/** Run A changes shared.txt and tasks.md; run B (its resume) changes them again and adds b.txt; the user edits between. */
async function chain() {
  const { dir, git } = await makeRepo();
  const w = (p: string, c: string) => writeFile(join(dir, p), c);
  const r = (p: string) => readFile(join(dir, p), 'utf8');
  await w('shared.txt', 'v0\n');
  await w('tasks.md', '- [ ] 1. Task\n');
  await w('user.txt', 'u0\n');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'initial');
  const store = await openGitStore(dir);
  const step = async (run: RunCheckpoints, label: string, change: () => Promise<void>) => {
    await run.beforeStep(label);
    await change();
    await run.afterStep(label);
  };
  const a = await RunCheckpoints.start(store, 'run-a');
  await step(a, 'mark', () => w('tasks.md', '- [-] 1. Task\n'));
  await step(a, 'write', () => w('shared.txt', 'v1 by A\n'));
  // A crashes; the user works; B resumes A.
  await w('user.txt', 'u1 between the runs\n');
  const b = await RunCheckpoints.start(store, 'run-b');
  await step(b, 'write', () => w('shared.txt', 'v2 by B\n'));
  await step(b, 'create', () => w('b.txt', 'b\n'));
  await step(b, 'tick', () => w('tasks.md', '- [x] 1. Task\n'));
  await b.finish();
  await w('user.txt', 'u2 after the runs\n');
  return { store, r, dir };
}

describe('a chain of runs in a real repository', () => {
  it('discarded one run at a time oldest first, the resume\'s changes are blamed on the user; as a chain, newest first, none are', async () => {
    const legacy = await chain();
    const alone = await (await RunCheckpoints.open(legacy.store, 'run-a')).discard();
    expect(alone.conflicts.map((c) => c.path).sort()).toEqual(['shared.txt', 'tasks.md']);
    expect(await legacy.r('tasks.md')).toBe('- [x] 1. Task\n');

    const { store, r, dir } = await chain();
    const c = await ChainCheckpoints.open(store, 'run-a', ['run-a', 'run-b']);
    const d = await c.discard();
    expect(d).toMatchObject({ discarded: ['run-b', 'run-a'], conflicts: [], skipped: [] });
    expect(d.written.sort()).toEqual(['shared.txt', 'tasks.md']);
    expect(d.removed).toEqual(['b.txt']);
    expect([await r('shared.txt'), await r('tasks.md'), await r('user.txt'), existsSync(join(dir, 'b.txt'))]).toEqual(['v0\n', '- [ ] 1. Task\n', 'u2 after the runs\n', false]);
    const again = await ChainCheckpoints.open(store, 'run-b', ['run-a', 'run-b']);
    expect(again.disposition).toBe('discarded');
    expect(again.decision).toBe('discarded');
    await expect(again.discard()).rejects.toBeInstanceOf(DispositionError);
    await expect(again.keep()).rejects.toBeInstanceOf(DispositionError);
    const u = await again.undoDiscard();
    expect(u.undone).toEqual(['run-a', 'run-b']);
    expect([await r('shared.txt'), await r('tasks.md'), await r('user.txt'), await r('b.txt')]).toEqual(['v2 by B\n', '- [x] 1. Task\n', 'u2 after the runs\n', 'b\n']);
    expect((await ChainCheckpoints.open(store, 'run-a', ['run-a', 'run-b'])).decision).toBe('undone');
  });

  it('a chain part discarded by an older version is refused with the way out: undo, then discard the chain', async () => {
    const { store, r } = await chain();
    await (await RunCheckpoints.open(store, 'run-a')).discard();
    const c = await ChainCheckpoints.open(store, 'run-b', ['run-a', 'run-b']);
    const e = await c.discard().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MixedChainError);
    expect((e as Error).message).toBe("run run-b's chain is partly discarded (run-a) and partly not (run-b); undo the discard first, then discard the chain as one: its runs are put back newest first");
    expect((await c.undoDiscard()).undone).toEqual(['run-a']);
    const d = await (await ChainCheckpoints.open(store, 'run-b', ['run-a', 'run-b'])).discard();
    expect(d.conflicts).toEqual([]);
    expect([await r('shared.txt'), await r('tasks.md')]).toEqual(['v0\n', '- [ ] 1. Task\n']);
  });

  it('keep keeps every run of the chain', async () => {
    const { store } = await chain();
    expect(await (await ChainCheckpoints.open(store, 'run-b', ['run-a', 'run-b'])).keep()).toEqual(['run-a', 'run-b']);
    const c = await ChainCheckpoints.open(store, 'run-a', ['run-a', 'run-b']);
    expect([c.disposition, c.decision, (await RunCheckpoints.open(store, 'run-a')).decision]).toEqual(['kept', 'kept', 'kept']);
  });
});
