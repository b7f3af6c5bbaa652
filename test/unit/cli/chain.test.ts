import { execa } from 'execa';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { killAt } from '../../support/runChild.js';

const ROOT = resolve(__dirname, '../../..');
const TASKS = '.kiro/specs/todo-priorities/tasks.md';

process.env.SPEC_AGENT_CHECKPOINTS_DIR = join(tmpdir(), 'spec-agent-run-test-stores');
process.env.SPEC_AGENT_ACCEPTANCE_FILE = join(mkdtempSync(join(tmpdir(), 'spec-agent-accept-')), 'accepted.json');

const GIT_ENV = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'User', GIT_AUTHOR_EMAIL: 'user@example.com', GIT_COMMITTER_NAME: 'User', GIT_COMMITTER_EMAIL: 'user@example.com' };

/** The example app in a real git repository (committed), at full with no verifyCommands, and a command that hangs. */
async function repoWorkspace(): Promise<{ ws: string; git: (...args: string[]) => Promise<string> }> {
  const ws = await mkdtemp(join(tmpdir(), 'spec-agent-chain-'));
  cpSync(join(ROOT, 'examples/todo-app'), ws, { recursive: true });
  const settings = join(ws, '.kiro/settings.json');
  writeFileSync(settings, readFileSync(settings, 'utf8').replace('"verifyCommands": ["npm test"]', '"verifyCommands": []').replace('"autonomyLevel": "balanced"', '"autonomyLevel": "full"').replace('"allowedCommands": ["npm test", "node --test"]', '"allowedCommands": ["npm test", "node --test", "sh slow.sh"]'));
  writeFileSync(join(ws, 'slow.sh'), 'sleep 1000\n');
  const git = async (...args: string[]) => (await execa('git', args, { cwd: ws, env: GIT_ENV })).stdout;
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'initial');
  await execa('node', [inject('cliPath'), 'policy', 'accept'], { cwd: ws });
  return { ws, git };
}

const cli = (ws: string, ...args: string[]) => execa('node', [inject('cliPath'), ...args], { cwd: ws, reject: false });

/** `spec-agent run` killed with SIGKILL once it asks for `sh slow.sh`: a crash mid-command. Its run id. */
async function crashedRun(ws: string, script: string): Promise<string> {
  const child = execa('node', [inject('cliPath'), 'run', TASKS, '--task', '2.2', '--model', `replay:${script}`, '--json'], { cwd: ws, reject: false, buffer: false });
  return (await killAt(child, 'process.started')).runId;
}

describe('a crash/resume chain is one piece of work for runs discard, undo-discard and keep', () => {
  it('discarding the first run discards the one that resumed it too, newest first: tasks.md as before the first run, the user\'s edits untouched and not blamed', async () => {
    const { ws } = await repoWorkspace();
    const tasksBefore = readFileSync(join(ws, TASKS), 'utf8');
    const script = join(ws, 'script.json');
    writeFileSync(script, JSON.stringify({ turns: [
      { toolCalls: [{ tool: 'write_file', input: { path: 'a.txt', content: 'first\n' } }] },
      { toolCalls: [{ tool: 'run_command', input: { command: 'sh slow.sh' } }] },
      { toolCalls: [{ tool: 'write_file', input: { path: 'b.txt', content: 'second\n' } }] },
      { toolCalls: [{ tool: 'write_file', input: { path: 'a.txt', content: 'first, then resumed\n' } }] },
      { toolCalls: [{ tool: 'complete_task', input: { summary: 'done after a resume' } }] },
    ] }));
    writeFileSync(join(ws, '.git/info/exclude'), 'script.json\n');
    const a = await crashedRun(ws, script);
    expect(readFileSync(join(ws, TASKS), 'utf8')).toContain('- [-] 2.2 List open items by priority');
    // The user's own work between the crash and the resume, and after the resume: never the agent's.
    writeFileSync(join(ws, 'src/todo.js'), `${readFileSync(join(ws, 'src/todo.js'), 'utf8')}\n// the user's note, between the runs\n`);
    const resumed = await cli(ws, 'runs', 'resume', a, '--json');
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const b = JSON.parse(resumed.stdout.split('\n')[0]!).runId as string;
    expect(readFileSync(join(ws, 'a.txt'), 'utf8')).toBe('first, then resumed\n');
    writeFileSync(join(ws, 'mine.txt'), 'the user wrote this after the runs\n');
    const readme = readFileSync(join(ws, 'src/todo.js'), 'utf8');
    const tasksAtEnd = readFileSync(join(ws, TASKS), 'utf8');
    expect(tasksAtEnd).toContain('- [x] 2.2 List open items by priority');

    // The members show their link and the chain.
    const list = async () => JSON.parse((await cli(ws, 'runs', 'list', '--json')).stdout) as Array<{ id: string; disposition: string | null; resumedFrom: string | null; resumedBy: string[]; chain: string[] }>;
    expect((await list()).map((r) => [r.id, r.resumedFrom, r.resumedBy, r.chain])).toEqual([
      [b, a, [], [a, b]],
      [a, null, [b], [a, b]],
    ]);
    expect((await cli(ws, 'runs', 'list')).stdout).toContain(`[resumed by ${b}]`);

    // Discard the oldest: the whole chain, newest first, with no conflict blamed on the user.
    const discard = await cli(ws, 'runs', 'discard', a);
    expect(discard.exitCode, discard.stderr).toBe(0);
    expect(discard.stderr).toContain(`spec-agent: discarded run ${a} and the run that resumed it: ${b} (one piece of work, put back newest first, to the files before run ${a})`);
    expect(discard.stderr).not.toContain('changed by the agent and by you');
    expect(readFileSync(join(ws, TASKS), 'utf8')).toBe(tasksBefore);
    expect(existsSync(join(ws, 'a.txt'))).toBe(false);
    expect(existsSync(join(ws, 'b.txt'))).toBe(false);
    expect(readFileSync(join(ws, 'src/todo.js'), 'utf8')).toBe(readme);
    expect(readFileSync(join(ws, 'mine.txt'), 'utf8')).toBe('the user wrote this after the runs\n');
    expect((await list()).map((r) => r.disposition)).toEqual(['discarded', 'discarded']);
    expect((await cli(ws, 'runs', 'show', b)).stdout).toMatch(new RegExp(`^run ${b}: completed · discarded\nchain: ${a} → \\[${b}\\] \\(resumed ${a}\\); discard and keep act on all of them\n`));

    // Any member: the chain is discarded already.
    const again = await cli(ws, 'runs', 'discard', b);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toBe(`spec-agent: run ${b}'s changes are already discarded; \`spec-agent runs undo-discard ${b}\` puts them back.`);

    // Undo from the other end: the chain's end state, byte for byte.
    const undo = await cli(ws, 'runs', 'undo-discard', b, '--json');
    expect(undo.exitCode, undo.stderr).toBe(0);
    expect(JSON.parse(undo.stdout)).toMatchObject({ undone: [a, b], chain: [a, b] });
    expect(readFileSync(join(ws, TASKS), 'utf8')).toBe(tasksAtEnd);
    expect(readFileSync(join(ws, 'a.txt'), 'utf8')).toBe('first, then resumed\n');
    expect(readFileSync(join(ws, 'b.txt'), 'utf8')).toBe('second\n');
    expect(readFileSync(join(ws, 'src/todo.js'), 'utf8')).toBe(readme);
    expect((await list()).map((r) => r.disposition)).toEqual(['undone', 'undone']);

    // The user changes a file the resume changed too: a discard of the chain leaves it as they have it, and says so.
    writeFileSync(join(ws, 'b.txt'), 'second, and the user\'s line\n');
    const json = await cli(ws, 'runs', 'discard', b, '--json');
    expect(json.exitCode).toBe(3);
    const r = JSON.parse(json.stdout);
    expect(r).toMatchObject({ discarded: [b, a], chain: [a, b], conflicts: [{ path: 'b.txt', before: null }] });
    expect(r.written).toContain(TASKS);
    expect(r.removed).toEqual(['a.txt']);
    expect(readFileSync(join(ws, 'b.txt'), 'utf8')).toBe('second, and the user\'s line\n');
    expect(readFileSync(join(ws, TASKS), 'utf8')).toBe(tasksBefore);
    expect((await cli(ws, 'runs', 'undo-discard', a)).exitCode).toBe(0);

    // Keep one member: the chain is kept.
    const keep = await cli(ws, 'runs', 'keep', b);
    expect(keep.exitCode, keep.stderr).toBe(0);
    expect(keep.stdout).toBe(`kept the changes of run ${b} and the run it resumed: ${a}; the snapshots are pruned after the retention period`);
    expect((await list()).map((r) => r.disposition)).toEqual(['kept', 'kept']);
    expect(readFileSync(join(ws, TASKS), 'utf8')).toBe(tasksAtEnd);
  }, 120_000);
});
