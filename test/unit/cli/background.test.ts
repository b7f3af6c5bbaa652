import { execa } from 'execa';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';

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
