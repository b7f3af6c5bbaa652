import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openGitStore } from '../../../src/core/checkpoints/gitStore.js';
import { RunCheckpoints } from '../../../src/core/checkpoints/runCheckpoints.js';
import { fileAt } from '../../../src/core/checkpoints/snapshot.js';
import { makeRepo } from './repo.js';

describe("a run's changes, for View changes", () => {
  it("lists the paths the agent's steps changed (not the user's), and reads their content before the run", async () => {
    const { dir, git } = await makeRepo();
    const w = (p: string, c: string) => writeFile(join(dir, p), c);
    await w('a.txt', 'a before\n');
    await w('b.txt', 'b before\n');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'initial');
    const run = await RunCheckpoints.start(await openGitStore(dir), 'r1');
    await run.beforeStep('write a');
    await w('a.txt', 'a by the agent\n');
    await w('new.txt', 'new\n');
    await run.afterStep('write a');
    await w('b.txt', 'b by the user between steps\n');
    await run.beforeStep('noop');
    await run.afterStep('noop');

    const opened = await RunCheckpoints.open(await openGitStore(dir), 'r1');
    const changes = await opened.agentChanges();
    expect(changes.map((c) => [c.path, c.from === null, c.to === null])).toEqual([
      ['a.txt', false, false],
      ['new.txt', true, false],
    ]);
    const store = await openGitStore(dir);
    expect((await fileAt(store, opened.data.base, 'a.txt'))?.toString()).toBe('a before\n');
    expect(await fileAt(store, opened.data.base, 'new.txt')).toBeNull();
  });
});
