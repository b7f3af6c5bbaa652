import { execa } from 'execa';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { budget } from '../../support/budget.js';
import { makeRepo } from '../checkpoints/repo.js';

// A test here starts the CLI up to seven times, between git commands.
describe('spec-agent checkpoint', { timeout: budget({ cli: 7, git: 10 }) }, () => {
  it('creates, lists, diffs and restores, leaving HEAD, the index and the stash alone', async () => {
    const { dir, git } = await makeRepo();
    const cli = (...args: string[]) => execa('node', [inject('cliPath'), ...args], { cwd: dir, reject: false });
    await writeFile(join(dir, 'a.txt'), 'one\n');
    await writeFile(join(dir, 'b.txt'), 'bee\n');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'init');
    await writeFile(join(dir, 'a.txt'), 'staged\n');
    await git('add', 'a.txt');
    const state = async () => ({ head: await git('rev-parse', 'HEAD'), index: await readFile(join(dir, '.git/index')), stash: await git('stash', 'list') });
    const before = await state();

    const created = await cli('checkpoint', 'create');
    expect(created.exitCode).toBe(0);
    const id = created.stdout;
    expect(id).toMatch(/^[0-9a-f]{12}$/);

    await writeFile(join(dir, 'a.txt'), 'changed after the checkpoint\n');
    await writeFile(join(dir, 'c.txt'), 'new\n');
    expect((await cli('checkpoint', 'diff', id)).stdout.split('\n')).toEqual(['M a.txt', 'A c.txt']);
    const listed = JSON.parse((await cli('checkpoint', 'list', '--json')).stdout);
    expect(listed.map((c: { id: string }) => c.id)).toContain(id);

    const partial = await cli('checkpoint', 'restore', id, '--paths', 'c.txt');
    expect(partial.exitCode).toBe(0);
    expect(partial.stdout).toBe('removed c.txt');
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('changed after the checkpoint\n');

    const full = await cli('checkpoint', 'restore', id, '--json');
    const result = JSON.parse(full.stdout);
    expect(result.written).toEqual(['a.txt']);
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('staged\n');
    expect(await state()).toEqual(before);

    // The restore took a checkpoint first: restoring that one undoes the restore.
    await cli('checkpoint', 'restore', result.safety.id);
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('changed after the checkpoint\n');
  });

  it('exits 2 with a clear message for an unknown id', async () => {
    const { dir } = await makeRepo();
    const r = await execa('node', [inject('cliPath'), 'checkpoint', 'restore', 'deadbeef'], { cwd: dir, reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('spec-agent: no checkpoint "deadbeef"; run `spec-agent checkpoint list` to see them.');
  });

  it('prunes checkpoints older than --days', async () => {
    const { dir } = await makeRepo();
    await writeFile(join(dir, 'a.txt'), 'a\n');
    const cli = (...args: string[]) => execa('node', [inject('cliPath'), ...args], { cwd: dir, reject: false });
    const id = (await cli('checkpoint', 'create')).stdout;
    expect((await cli('checkpoint', 'prune', '--days', '1')).stdout).toBe('');
    expect((await cli('checkpoint', 'prune', '--days', '0')).stdout).toBe(`pruned refs/spec-agent/checkpoints/${id}`);
    expect(JSON.parse((await cli('checkpoint', 'list', '--json')).stdout)).toEqual([]);
  });
});
