import { execa, type ResultPromise } from 'execa';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { type RunEvent } from '../../../src/core/runs/events.js';
import { groupAlive } from '../../../src/core/tools/processGroup.js';
import { budget } from '../../support/budget.js';
import { running } from '../tools/workspace.js';
import { firstEvent, journalOf } from '../../support/runChild.js';

const ROOT = resolve(__dirname, '../../..');
const TASKS = '.kiro/specs/todo-priorities/tasks.md';

process.env.SPEC_AGENT_CHECKPOINTS_DIR = join(tmpdir(), 'spec-agent-run-test-stores');
process.env.SPEC_AGENT_ACCEPTANCE_FILE = join(mkdtempSync(join(tmpdir(), 'spec-agent-accept-')), 'accepted.json');

/**
 * The example app at full with no verifyCommands, its policy accepted, and a replay script of `turns`. `unconfined`:
 * sandbox.mode "off", as on a machine without a sandbox, where the run itself must find what its commands left
 * (full then decides as balanced: the commands of these tests are allowlisted).
 */
async function workspace(turns: unknown[], opts: { unconfined?: boolean } = {}): Promise<{ ws: string; script: string }> {
  const ws = await mkdtemp(join(tmpdir(), 'spec-agent-stop-'));
  cpSync(join(ROOT, 'examples/todo-app'), ws, { recursive: true });
  const settings = join(ws, '.kiro/settings.json');
  const verify = opts.unconfined ? '"verifyCommands": [], "sandbox": { "mode": "off" }' : '"verifyCommands": []';
  const allowed = opts.unconfined ? '"allowedCommands": ["npm test", "node --test", "setsid sh daemon.sh", "sh daemon.sh", "sh slow.sh"]' : '"allowedCommands": ["npm test", "node --test"]';
  writeFileSync(settings, readFileSync(settings, 'utf8').replace('"verifyCommands": ["npm test"]', verify).replace('"autonomyLevel": "balanced"', '"autonomyLevel": "full"').replace('"allowedCommands": ["npm test", "node --test"]', allowed));
  await execa('node', [inject('cliPath'), 'policy', 'accept'], { cwd: ws });
  const script = join(ws, 'script.json');
  writeFileSync(script, JSON.stringify({ turns }));
  return { ws, script };
}

const command = (cmd: string) => ({ toolCalls: [{ tool: 'run_command', input: { command: cmd } }] });
const complete = { toolCalls: [{ tool: 'complete_task', input: { summary: 'done' } }] };

/** `spec-agent run --json` in the background, and the first event of `type` once it is journaled. */
function runUntil(ws: string, script: string, type: RunEvent['type']): { child: ResultPromise; event: Promise<RunEvent>; stderr: () => string } {
  // forceKillAfterDelay: false, or execa sends SIGKILL 5 s after a SIGTERM it was asked to send: on a loaded machine
  // the CLI's own stop (the command ended, the marker put back, the journal written) can take longer than that.
  const child = execa('node', [inject('cliPath'), 'run', TASKS, '--task', '2.2', '--model', `replay:${script}`, '--json'], { cwd: ws, reject: false, buffer: false, forceKillAfterDelay: false });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return { child, event: firstEvent(child, type), stderr: () => stderr };
}

describe('stopping spec-agent run', () => {
  it.each([
    ['SIGTERM', 143, 'stopped by SIGTERM'],
    ['SIGHUP', 129, 'stopped by SIGHUP (the terminal closed)'],
  ] as const)('%s stops it as Ctrl+C does: the command ended, the marker back, run.stopped journaled; exit %i', { timeout: budget({ cli: 1, run: 1 }) }, async (signal, code, reason) => {
    const { ws, script } = await workspace([command('sh slow.sh')]);
    writeFileSync(join(ws, 'slow.sh'), 'sleep 1000\n');
    const { child, event, stderr } = runUntil(ws, script, 'process.started');
    const started = await event;
    if (started.type !== 'process.started') throw new Error('unreachable');
    expect(readFileSync(join(ws, TASKS), 'utf8')).toContain('- [-] 2.2 List open items by priority');
    child.kill(signal);
    const r = await child;
    expect(r.exitCode).toBe(code);
    expect(stderr()).toContain(`spec-agent: stopping: got ${signal}`);
    expect(groupAlive(started.pgid)).toBe(false);
    expect(readFileSync(join(ws, TASKS), 'utf8')).toContain('- [ ] 2.2 List open items by priority');
    expect(journalOf(ws, started.runId).at(-1)).toMatchObject({ type: 'run.stopped', reason });
    expect(JSON.parse(readFileSync(join(ws, '.kiro/runs', started.runId, 'summary.json'), 'utf8'))).toMatchObject({ status: 'stopped', reason });
  });

  // Unconfined: a confined command cannot outlast the first SIGTERM (the sandbox ends with it, SIGKILL inside).
  it('unconfined: a second SIGTERM quits at once, and the command, which ignores SIGTERM, is killed on the way out', { timeout: budget({ cli: 1, run: 1 }) }, async () => {
    const { ws, script } = await workspace([command('sh slow.sh')], { unconfined: true });
    writeFileSync(join(ws, 'slow.sh'), 'trap "" TERM\nsleep 1000\n');
    const { child, event, stderr } = runUntil(ws, script, 'process.started');
    const started = await event;
    if (started.type !== 'process.started') throw new Error('unreachable');
    child.kill('SIGTERM');
    await expect.poll(stderr).toContain('stopping: got SIGTERM');
    child.kill('SIGTERM');
    const r = await child;
    expect(r.exitCode).toBe(143);
    // The CLI is gone (its own 2 s SIGKILL timer with it): only its exit handler can have killed the group.
    await expect.poll(() => groupAlive(started.pgid)).toBe(false);
    // Quit before the run could end: the journal has no terminal event.
    expect(journalOf(ws, started.runId).some((e) => e.type === 'run.stopped')).toBe(false);
  });

  it('unconfined: ends a daemon that left its command\'s process group (setsid) when the run ends, and says so', { timeout: budget({ cli: 2, run: 1 }) }, async () => {
    const { ws, script } = await workspace([command('setsid sh daemon.sh > /dev/null 2>&1 &'), complete], { unconfined: true });
    writeFileSync(join(ws, 'daemon.sh'), 'echo $$ > daemon.pid\nexec sleep 1000\n');
    const r = await execa('node', [inject('cliPath'), 'run', TASKS, '--task', '2.2', '--model', `replay:${script}`], { cwd: ws, reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const pid = Number(readFileSync(join(ws, 'daemon.pid'), 'utf8'));
    expect(running(pid)).toBe(false);
    expect(r.stdout).toContain(`ended 1 process the run left behind (pid ${pid}: sleep 1000)`);
    const runId = /run (\S+): completed/.exec(r.stdout)![1]!;
    const events = journalOf(ws, runId);
    expect(events.at(-1)!.type).toBe('run.completed');
    expect(events.find((e) => e.type === 'processes.ended')).toMatchObject({ count: 1, processes: [{ pid, command: 'sleep 1000' }] });
    expect(JSON.parse(readFileSync(join(ws, '.kiro/runs', runId, 'summary.json'), 'utf8')).processesEnded).toEqual([{ pid, command: 'sleep 1000' }]);
    expect((await execa('node', [inject('cliPath'), 'runs', 'show', runId], { cwd: ws })).stdout).toContain(`ended at its end: 1 process its commands left running (pid ${pid}: sleep 1000)`);
  });

  it('confined: a daemon that left its group ends with its command (its own process namespace), before the run ends', { timeout: budget({ cli: 1, run: 1 }) }, async () => {
    const marker = 765_000 + Math.floor(Math.random() * 999);
    const { ws, script } = await workspace([command(`setsid sleep ${marker} > /dev/null 2>&1 &`), command('true'), complete]);
    const r = await execa('node', [inject('cliPath'), 'run', TASKS, '--task', '2.2', '--model', `replay:${script}`], { cwd: ws, reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('commands run sandboxed');
    expect(r.stdout).not.toContain('left behind');
    expect((await execa('ps', ['-eo', 'args'])).stdout).not.toContain(`sleep ${marker}`);
  });

  it('confined: after a SIGKILL of the CLI nothing of its command is left (the sandbox dies with its parent)', { timeout: budget({ cli: 2, run: 1 }) }, async () => {
    const marker = 764_000 + Math.floor(Math.random() * 999);
    const { ws, script } = await workspace([command(`sleep ${marker}`)]);
    const { child, event } = runUntil(ws, script, 'process.started');
    await event;
    const ps = async () => (await execa('ps', ['-eo', 'args'])).stdout.includes(`sleep ${marker}`);
    // The command may still be starting inside the sandbox: wait until it runs, then kill the CLI.
    while (!(await ps())) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await child;
    while (await ps()) await new Promise((r) => setTimeout(r, 20));
    const list = await execa('node', [inject('cliPath'), 'runs', 'list'], { cwd: ws, reject: false });
    expect(list.stderr).toBe('');
  });

  it('unconfined: after a SIGKILL of the CLI, `runs list` finds the command still running from the journal, ends it and says so', { timeout: budget({ cli: 3, run: 1 }) }, async () => {
    const { ws, script } = await workspace([command('sh slow.sh')], { unconfined: true });
    writeFileSync(join(ws, 'slow.sh'), 'sleep 1000\n');
    const { child, event } = runUntil(ws, script, 'process.started');
    const started = await event;
    if (started.type !== 'process.started') throw new Error('unreachable');
    expect(started).toMatchObject({ pgid: started.pid, marker: `SPEC_AGENT_RUN=${started.runId}` });
    child.kill('SIGKILL');
    await child;
    expect(groupAlive(started.pgid)).toBe(true);

    const list = await execa('node', [inject('cliPath'), 'runs', 'list'], { cwd: ws, reject: false });
    expect(list.exitCode, list.stderr).toBe(0);
    expect(list.stdout).toContain(`${started.runId}  interrupted`);
    expect(list.stderr).toMatch(new RegExp(`^spec-agent: run ${started.runId} left \\d+ process(es)? running \\(pid ${started.pid}: [^)]*\\): ended$`, 'm'));
    expect(groupAlive(started.pgid)).toBe(false);
    // Nothing left, nothing said.
    expect((await execa('node', [inject('cliPath'), 'runs', 'list'], { cwd: ws })).stderr).toBe('');
  });
});
