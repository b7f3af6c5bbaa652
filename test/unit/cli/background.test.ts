import { execa, type ResultPromise } from 'execa';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { type RunEvent } from '../../../src/core/runs/events.js';
import { firstEvent, journalOf } from '../../support/runChild.js';

const ROOT = resolve(__dirname, '../../..');
const TASKS = '.kiro/specs/todo-priorities/tasks.md';
process.env.SPEC_AGENT_CHECKPOINTS_DIR = join(tmpdir(), 'spec-agent-run-test-stores');
process.env.SPEC_AGENT_ACCEPTANCE_FILE = join(mkdtempSync(join(tmpdir(), 'spec-agent-accept-')), 'accepted.json');

/** The pids of live (not zombie) processes whose command line is exactly `argv`. */
function processesRunning(argv: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        return !'ZX'.includes(stat.slice(stat.lastIndexOf(')') + 2)[0]!) && readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') === argv;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('spec-agent run, with a background process', () => {
  it('says where it runs and its output goes, ends it at the end of its task (sandboxed), and `runs show` lists it', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'spec-agent-bg-cli-'));
    cpSync(join(ROOT, 'examples/todo-app'), ws, { recursive: true });
    const settings = join(ws, '.kiro/settings.json');
    writeFileSync(settings, readFileSync(settings, 'utf8').replace('"verifyCommands": ["npm test"]', '"verifyCommands": []').replace('"autonomyLevel": "balanced"', '"autonomyLevel": "full"'));
    const seconds = 3000 + Math.floor(Math.random() * 999);
    const script = join(ws, 'script.json');
    writeFileSync(script, JSON.stringify({ turns: [{ toolCalls: [{ tool: 'run_command', input: { command: `echo up; exec sleep ${seconds}`, background: true } }] }, { toolCalls: [{ tool: 'complete_task', input: { summary: 'done' } }] }] }));
    const cli = (...args: string[]) => execa('node', [inject('cliPath'), ...args], { cwd: ws, reject: false });
    expect((await cli('policy', 'accept')).exitCode).toBe(0);
    const r = await cli('run', TASKS, '--task', '2.1', '--model', `replay:${script}`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('commands run sandboxed (bubblewrap)');
    expect(r.stdout).toMatch(/running in the background as bg-1 \(pid \d+\), output in \.kiro\/runs\/[\w-]+\/outputs\/1\.log/);
    expect(r.stdout).toContain(`background bg-1 (echo up; exec sleep ${seconds}) ended at the end of its task`);
    expect(processesRunning(`sleep ${seconds}`)).toEqual([]);
    const [run] = JSON.parse((await cli('runs', 'list', '--json')).stdout) as Array<{ id: string }>;
    const shown = await cli('runs', 'show', run!.id);
    expect(shown.stdout, shown.stderr).toMatch(new RegExp(`ended at its end: 1 process .*echo up; exec sleep ${seconds}`));
  });
});

/** The example app at full, unconfined (sandbox.mode "off": the run itself must end what its commands leave), allowing `allowed`. */
async function unconfined(turns: unknown[], allowed: string[]): Promise<{ ws: string; script: string }> {
  const ws = await mkdtemp(join(tmpdir(), 'spec-agent-bg-cli-'));
  cpSync(join(ROOT, 'examples/todo-app'), ws, { recursive: true });
  const settings = join(ws, '.kiro/settings.json');
  writeFileSync(
    settings,
    readFileSync(settings, 'utf8')
      .replace('"verifyCommands": ["npm test"]', '"verifyCommands": [], "sandbox": { "mode": "off" }')
      .replace('"autonomyLevel": "balanced"', '"autonomyLevel": "full"')
      .replace('"allowedCommands": ["npm test", "node --test"]', `"allowedCommands": ${JSON.stringify(allowed)}`),
  );
  await execa('node', [inject('cliPath'), 'policy', 'accept'], { cwd: ws });
  const script = join(ws, 'script.json');
  writeFileSync(script, JSON.stringify({ turns }));
  return { ws, script };
}

/** `spec-agent run --json` under way, and the first event of `type` once it is journaled. */
function runUntil(ws: string, script: string, type: RunEvent['type']): { child: ResultPromise; event: Promise<RunEvent> } {
  const child = execa('node', [inject('cliPath'), 'run', TASKS, '--task', '2.2', '--model', `replay:${script}`, '--json'], { cwd: ws, reject: false, buffer: false, forceKillAfterDelay: false });
  // (No SIGKILL 5 s after our SIGTERM: on a loaded machine the CLI may take that long to exit, with or without background processes.)
  return { child, event: firstEvent(child, type) };
}

describe('the host of a run with a background process goes away', () => {
  const background = (cmd: string) => ({ toolCalls: [{ tool: 'run_command', input: { command: cmd, background: true } }] });
  const foreground = (cmd: string) => ({ toolCalls: [{ tool: 'run_command', input: { command: cmd } }] });

  it('SIGTERM stops the run and ends the background process (journaled as ended by Stop)', async () => {
    const seconds = 4000 + Math.floor(Math.random() * 999);
    const { ws, script } = await unconfined([background(`exec sleep ${seconds}`), foreground('sleep 1000')], [`exec sleep ${seconds}`, 'sleep 1000']);
    const { child, event } = runUntil(ws, script, 'background.started');
    const started = await event;
    if (started.type !== 'background.started') throw new Error('unreachable');
    child.kill('SIGTERM');
    const r = await child;
    expect(r.exitCode, `${r.signal} ${r.stderr}`).toBe(143);
    expect(processesRunning(`sleep ${seconds}`)).toEqual([]);
    const events = journalOf(ws, started.runId);
    expect(events.find((e) => e.type === 'background.ended')).toMatchObject({ id: 'bg-1', pid: started.pid, endedBy: 'stop' });
    expect(events.at(-1)).toMatchObject({ type: 'run.stopped' });
  });

  it('after a SIGKILL of the CLI, `runs list` finds the background process from the journal and ends it', async () => {
    const seconds = 5000 + Math.floor(Math.random() * 999);
    const { ws, script } = await unconfined([background(`exec sleep ${seconds}`), foreground('sleep 1000')], [`exec sleep ${seconds}`, 'sleep 1000']);
    const { child, event } = runUntil(ws, script, 'background.started');
    const started = await event;
    if (started.type !== 'background.started') throw new Error('unreachable');
    child.kill('SIGKILL');
    await child;
    expect(processesRunning(`sleep ${seconds}`)).toEqual([started.pid]);
    const list = await execa('node', [inject('cliPath'), 'runs', 'list'], { cwd: ws, reject: false });
    expect(list.stderr).toMatch(new RegExp(`run ${started.runId} left \\d+ process(es)? running \\(pid ${started.pid}: sleep ${seconds}[^)]*\\): ended`));
    expect(processesRunning(`sleep ${seconds}`)).toEqual([]);
  });
});
