import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { budget } from '../../support/budget.js';
import { exampleRepo, EXAMPLE_TASKS } from '../../support/exampleRepo.js';
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

  it("leaves the snapshots of a run whose folder is kept (Discard still works after), and prunes those of a run whose folder is gone", { timeout: budget({ cli: 8, run: 2, git: 6 }) }, async () => {
    const ws = await exampleRepo('checkpoint-prune');
    const cli = (...args: string[]) => execa('node', [inject('cliPath'), ...args], { cwd: ws, reject: false });
    const settings = join(ws, '.kiro/settings.json');
    writeFileSync(settings, readFileSync(settings, 'utf8').replace('"verifyCommands": ["npm test"]', '"verifyCommands": []'));
    const script = join(mkdtempSync(join(tmpdir(), 'spec-agent-prune-script-')), 'script.json');
    writeFileSync(script, JSON.stringify({ turns: [{ toolCalls: [{ tool: 'write_file', input: { path: 'NOTES.md', content: '# notes\n' } }] }, { toolCalls: [{ tool: 'complete_task', input: { summary: 'noted' } }] }] }));
    const run = async (task: string) => {
      const r = await cli('run', EXAMPLE_TASKS, '--task', task, '--model', `replay:${script}`, '--json', '--accept-policy');
      expect(r.exitCode, r.stderr).toBe(0);
      return JSON.parse(r.stdout.split('\n')[0]!).runId as string;
    };
    const refs = async () => (await execa('git', ['for-each-ref', '--format=%(refname)', 'refs/spec-agent/runs/'], { cwd: ws })).stdout.split('\n').filter(Boolean);
    const kept = await run('2.1');

    const pruned = await cli('checkpoint', 'prune', '--days', '0');
    expect(pruned.exitCode, pruned.stderr).toBe(0);
    expect(pruned.stdout).toBe("kept the snapshots of 1 run that finished more than 0 days ago: its folder is still in .kiro/runs/ (Discard needs them); `spec-agent runs prune --days 0` removes such runs with their snapshots");
    expect(await refs()).toEqual([`refs/spec-agent/runs/${kept}`]);
    // The kept run's folder still offers Discard, and it still works.
    const discard = await cli('runs', 'discard', kept);
    expect(discard.exitCode, discard.stderr).toBe(0);
    expect(discard.stdout).toContain('removed NOTES.md');
    expect(readFileSync(join(ws, EXAMPLE_TASKS), 'utf8')).toContain('- [ ] 2.1 ');

    // A run whose folder was removed by hand: its snapshots go with the next prune.
    const gone = await run('2.1');
    rmSync(join(ws, '.kiro/runs', gone), { recursive: true });
    const json = await cli('checkpoint', 'prune', '--days', '0', '--json');
    expect(json.exitCode, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ removed: [`refs/spec-agent/runs/${gone}`], keptRuns: [kept] });
    expect(await refs()).toEqual([`refs/spec-agent/runs/${kept}`]);
  });
});
