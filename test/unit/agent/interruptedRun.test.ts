import { build } from 'esbuild';
import { execa } from 'execa';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { recoverInterruptedRun } from '../../../src/core/agent/interruptedRun.js';
import { planResume } from '../../../src/core/agent/resumePlan.js';
import { endInterruptedRunProcesses } from '../../../src/core/runs/interruptedRuns.js';
import { runEventSchema } from '../../../src/core/runs/events.js';
import { VSCODE_CLOSED } from '../../../src/core/runs/interruption.js';
import { readJournal } from '../../../src/core/runs/journal.js';
import { NODE_BUNDLE } from '../../support/nodeBundle.js';
import { summarise } from '../../../src/core/runs/summary.js';
import { killAt } from '../../support/runChild.js';

const ROOT = resolve(__dirname, '../../..');
const TASKS = '.kiro/specs/todo-priorities/tasks.md';
const GIT_ENV = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'User', GIT_AUTHOR_EMAIL: 'user@example.com', GIT_COMMITTER_NAME: 'User', GIT_COMMITTER_EMAIL: 'user@example.com' };

process.env.SPEC_AGENT_ACCEPTANCE_FILE = join(mkdtempSync(join(tmpdir(), 'spec-agent-accept-')), 'accepted.json');

/** The example app in a real git repository, with a replay script of `turns`; `full`: accepted at full, slow.sh allowed. */
async function workspace(turns: unknown[], opts: { full?: boolean } = {}): Promise<{ ws: string; script: string }> {
  const ws = await mkdtemp(join(tmpdir(), 'spec-agent-interrupted-'));
  cpSync(join(ROOT, 'examples/todo-app'), ws, { recursive: true });
  if (opts.full) {
    const settings = join(ws, '.kiro/settings.json');
    writeFileSync(settings, readFileSync(settings, 'utf8').replace('"verifyCommands": ["npm test"]', '"verifyCommands": []').replace('"autonomyLevel": "balanced"', '"autonomyLevel": "full"').replace('"allowedCommands": ["npm test", "node --test"]', '"allowedCommands": ["npm test", "node --test", "sh slow.sh"]'));
  }
  writeFileSync(join(ws, 'slow.sh'), 'sleep 1000\n');
  const script = join(mkdtempSync(join(tmpdir(), 'spec-agent-script-')), 'script.json');
  writeFileSync(script, JSON.stringify({ turns }));
  const git = (...args: string[]) => execa('git', args, { cwd: ws, env: GIT_ENV });
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'initial');
  if (opts.full) await execa('node', [inject('cliPath'), 'policy', 'accept'], { cwd: ws });
  return { ws, script };
}

let hostRun = '';
beforeAll(async () => {
  // Beside the CLI bundle of the global setup, where the shell grammar and the sandbox host are.
  hostRun = join(dirname(inject('cliPath')), 'hostRun.cjs');
  await build({
    ...NODE_BUNDLE,
    entryPoints: [join(__dirname, 'fixtures/hostRun.ts')],
    outfile: hostRun,
  });
}, 60_000);

describe('a run cut short, set right at the next start', () => {
  it('the extension host killed while a write waits for approval: [-] back to [ ], the card cancelled because VS Code closed (not by Stop), run.stopped with that cause; Resume marks it again', async () => {
    const { ws, script } = await workspace([{ toolCalls: [{ tool: 'write_file', input: { path: 'a.txt', content: 'first\n' } }] }, { toolCalls: [{ tool: 'complete_task', input: { summary: 'done' } }] }]);
    const before = readFileSync(join(ws, TASKS), 'utf8');
    // Not accepted: cautious, so the write asks, and the answer never comes.
    const child = execa('node', [hostRun, ws, join(ws, TASKS), '2.2', script], { cwd: ws, reject: false, buffer: false });
    const asked = await killAt(child, 'approval.requested');
    if (asked.type !== 'approval.requested') throw new Error('unreachable');
    expect(readFileSync(join(ws, TASKS), 'utf8')).toContain('- [-] 2.2 List open items by priority');
    expect((await readJournal(ws, asked.runId)).ended).toBe(false);

    const r = await recoverInterruptedRun(ws, asked.runId);
    expect(r).toEqual({ runId: asked.runId, cause: VSCODE_CLOSED, marks: [{ id: '2.2', title: 'List open items by priority', status: 'todo' }], cancelled: [asked.callId] });
    expect(readFileSync(join(ws, TASKS), 'utf8')).toBe(before);
    const journal = await readJournal(ws, asked.runId);
    expect(journal.ended).toBe(true);
    expect(journal.events.slice(-2)).toMatchObject([
      { type: 'approval.resolved', callId: asked.callId, approved: false, by: 'closed', reason: 'VS Code closed during the run' },
      { type: 'run.stopped', reason: 'VS Code closed during the run', recovered: true },
    ]);
    const s = summarise(journal.events);
    expect(s).toMatchObject({ status: 'stopped', reason: 'VS Code closed during the run', approvals: { approved: 0, rejected: 0, unanswered: 1 } });
    expect(s.refused).toMatchObject([{ tool: 'write_file', what: 'a.txt', by: 'closed', cause: 'VS Code closed during the run' }]);
    // Once only: the next start finds a run that ended.
    expect(await recoverInterruptedRun(ws, asked.runId)).toBeUndefined();

    // Resume starts the task again (it marks it again), and the marker put back is the run's: discarding the chain
    // puts tasks.md back exactly, with no conflict blamed on the user.
    const resumed = await execa('node', [inject('cliPath'), 'runs', 'resume', asked.runId, '--json'], { cwd: ws, reject: false });
    const events = resumed.stdout.split('\n').filter(Boolean).map((l) => runEventSchema.parse(JSON.parse(l)));
    expect(events[0]).toMatchObject({ type: 'run.started', resumedFrom: asked.runId, client: 'cli' });
    expect(events.find((e) => e.type === 'task.started')).toMatchObject({ task: { id: '2.2' } });
    const discard = await execa('node', [inject('cliPath'), 'runs', 'discard', asked.runId], { cwd: ws, reject: false });
    expect(discard.exitCode, discard.stderr).toBe(0);
    expect(discard.stderr).not.toContain('changed by the agent and by you');
    expect(readFileSync(join(ws, TASKS), 'utf8')).toBe(before);
  }, 120_000);

  it('spec-agent run killed with SIGKILL mid-command: the marker back, the cause names the CLI, the journal ends; runs list says stopped', async () => {
    const { ws, script } = await workspace([{ toolCalls: [{ tool: 'write_file', input: { path: 'a.txt', content: 'first\n' } }] }, { toolCalls: [{ tool: 'run_command', input: { command: 'sh slow.sh' } }] }], { full: true });
    const before = readFileSync(join(ws, TASKS), 'utf8');
    const child = execa('node', [inject('cliPath'), 'run', TASKS, '--task', '2.2', '--model', `replay:${script}`, '--json'], { cwd: ws, reject: false, buffer: false });
    const started = await killAt(child, 'process.started');
    expect(readFileSync(join(ws, TASKS), 'utf8')).toContain('- [-] 2.2 List open items by priority');
    // What `runs list` does first: the command the run left running is ended.
    await execa('node', [inject('cliPath'), 'runs', 'list'], { cwd: ws });

    const r = await recoverInterruptedRun(ws, started.runId);
    expect(r).toMatchObject({ cause: 'the spec-agent process ended during the run (killed or crashed)', cancelled: [], marks: [{ id: '2.2', status: 'todo' }] });
    expect(readFileSync(join(ws, TASKS), 'utf8')).toBe(before);
    expect(readFileSync(join(ws, 'a.txt'), 'utf8')).toBe('first\n');
    const journal = await readJournal(ws, started.runId);
    expect(journal.events.at(-1)).toMatchObject({ type: 'run.stopped', reason: 'the spec-agent process ended during the run (killed or crashed)', completedSteps: ['write_file a.txt'], recovered: true });
    const [row] = JSON.parse((await execa('node', [inject('cliPath'), 'runs', 'list', '--json'], { cwd: ws })).stdout);
    expect(row).toMatchObject({ id: started.runId, status: 'stopped', reason: 'the spec-agent process ended during the run (killed or crashed)' });
    // The marker put back is a step of the run: a discard restores the rest without a conflict on tasks.md.
    const discard = await execa('node', [inject('cliPath'), 'runs', 'discard', started.runId], { cwd: ws, reject: false });
    expect(discard.exitCode, discard.stderr).toBe(0);
    expect(readFileSync(join(ws, TASKS), 'utf8')).toBe(before);
  }, 120_000);

  it('runs keep and runs discard of a crashed CLI run close it first, as a resume or the next start would: runs list, runs stats and runs prune read it as stopped, not interrupted for good', async () => {
    const turns = [{ toolCalls: [{ tool: 'write_file', input: { path: 'a.txt', content: 'first\n' } }] }, { toolCalls: [{ tool: 'run_command', input: { command: 'sh slow.sh' } }] }];
    const { ws, script } = await workspace(turns, { full: true });
    const before = readFileSync(join(ws, TASKS), 'utf8');
    const cli = (...args: string[]) => execa('node', [inject('cliPath'), ...args], { cwd: ws, reject: false });
    const crash = async () => (await killAt(execa('node', [inject('cliPath'), 'run', TASKS, '--task', '2.2', '--model', `replay:${script}`, '--json'], { cwd: ws, reject: false, buffer: false }), 'process.started')).runId;
    const cause = 'the spec-agent process ended during the run (killed or crashed)';

    const kept = await crash();
    expect(JSON.parse((await cli('runs', 'list', '--json')).stdout)[0]).toMatchObject({ id: kept, status: 'interrupted' });
    const keep = await cli('runs', 'keep', kept);
    expect(keep.exitCode, keep.stderr).toBe(0);
    expect(keep.stderr).toContain(`spec-agent: run ${kept} was cut short (${cause}): closed; 1 task marker put back, 0 waiting approvals cancelled`);
    expect((await readJournal(ws, kept)).events.at(-1)).toMatchObject({ type: 'run.stopped', reason: cause, recovered: true });
    expect(readFileSync(join(ws, TASKS), 'utf8')).toBe(before);
    expect(JSON.parse((await cli('runs', 'list', '--json')).stdout)[0]).toMatchObject({ id: kept, status: 'stopped', disposition: 'kept', reason: cause });
    expect(JSON.parse((await cli('runs', 'stats', '--json')).stdout).overall.tasks).toMatchObject({ stopped: 1, interrupted: 0 });
    const prune = JSON.parse((await cli('runs', 'prune', '--days', '0', '--dry-run', '--json')).stdout);
    expect(prune).toMatchObject({ removed: [{ runId: kept }], kept: [] });

    const discarded = await crash();
    const discard = await cli('runs', 'discard', discarded);
    expect(discard.exitCode, discard.stderr).toBe(0);
    expect(discard.stderr).toContain(`spec-agent: run ${discarded} was cut short (${cause}): closed; 1 task marker put back`);
    expect(discard.stderr).not.toContain('changed by the agent and by you');
    expect(readFileSync(join(ws, TASKS), 'utf8')).toBe(before);
    expect(JSON.parse((await cli('runs', 'list', '--json')).stdout)[0]).toMatchObject({ id: discarded, status: 'stopped', disposition: 'discarded' });
    // Closed once: a second look finds nothing to close.
    expect(await recoverInterruptedRun(ws, discarded)).toBeUndefined();
  }, 120_000);

  it("planResume, the plan of the CLI's `runs resume` and the panel's Resume alike, closes a crashed run before planning: the plan says so, once", async () => {
    const { ws, script } = await workspace([{ toolCalls: [{ tool: 'write_file', input: { path: 'a.txt', content: 'first\n' } }] }, { toolCalls: [{ tool: 'run_command', input: { command: 'sh slow.sh' } }] }], { full: true });
    const child = execa('node', [inject('cliPath'), 'run', TASKS, '--task', '2.2', '--model', `replay:${script}`, '--json'], { cwd: ws, reject: false, buffer: false });
    const { runId } = await killAt(child, 'process.started');
    await endInterruptedRunProcesses(ws, [runId]);
    const plan = await planResume(ws, runId);
    expect(plan.closed).toMatchObject({ runId, cause: 'the spec-agent process ended during the run (killed or crashed)', marks: [{ id: '2.2', status: 'todo' }] });
    expect(plan.tasks.map((t) => t.id)).toEqual(['2.2']);
    expect((await readJournal(ws, runId)).events.at(-1)).toMatchObject({ type: 'run.stopped', recovered: true });
    expect((await planResume(ws, runId)).closed).toBeUndefined();
  }, 120_000);
});
