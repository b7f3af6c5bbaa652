import { execa } from 'execa';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { openGitStore } from '../../../src/core/checkpoints/index.js';
import { readJournal } from '../../../src/core/runs/journal.js';
import { HISTORY_INDEX, readRunHistory, type HistoryRow } from '../../../src/core/runs/runHistory.js';
import { runFigures } from '../../../src/core/runs/runFigures.js';
import { runStats, statsOf } from '../../../src/core/runs/runStats.js';
import { budget } from '../../support/budget.js';
import { exampleRepo, EXAMPLE_TASKS } from '../../support/exampleRepo.js';
import { killAt } from '../../support/runChild.js';

const ROOT = resolve(__dirname, '../../..');
const DEMO = join(ROOT, 'examples/demo/replay-priorities.json');
const OTHER = '.kiro/specs/other/tasks.md';

process.env.SPEC_AGENT_ACCEPTANCE_FILE = join(mkdtempSync(join(tmpdir(), 'spec-agent-accept-')), 'accepted.json');

const cli = (ws: string, ...args: string[]) => execa('node', [inject('cliPath'), ...args], { cwd: ws, reject: false });

/** A replay script in a folder of its own (outside the workspace, so no run sees it as a change). */
const scripts = mkdtempSync(join(tmpdir(), 'spec-agent-history-scripts-'));
function script(name: string, turns: unknown[]): string {
  const file = join(scripts, `${name}.json`);
  writeFileSync(file, JSON.stringify({ turns }));
  return file;
}

/** `spec-agent run` killed with SIGKILL once its command started: a crash mid-command. Its run id. */
async function crashedRun(ws: string, tasks: string, task: string, file: string): Promise<string> {
  const child = execa('node', [inject('cliPath'), 'run', tasks, '--task', task, '--model', `replay:${file}`, '--json', '--accept-policy'], { cwd: ws, reject: false, buffer: false });
  return (await killAt(child, 'process.started')).runId;
}

const runIdOf = (stdout: string) => JSON.parse(stdout.split('\n')[0]!).runId as string;

/**
 * One workspace (a real git repository), with runs made by the real CLI and the replay model: A completes 2.1 after a
 * self-correction and a denied command; D completes task 3 of a second spec, then is discarded; E (cautious, no one
 * to ask) fails; B crashes in 2.2 and C resumes it to completion; F crashes last and is left interrupted.
 */
const ws = { dir: '', a: '', b: '', c: '', d: '', e: '', f: '' };

beforeAll(async () => {
  const dir = await exampleRepo('history');
  ws.dir = dir;
  expect((await cli(dir, 'policy', 'accept')).exitCode).toBe(0);
  const a = await cli(dir, 'run', EXAMPLE_TASKS, '--task', '2.1', '--model', `replay:${DEMO}`, '--json');
  expect(a.exitCode, a.stderr).toBe(0);
  ws.a = runIdOf(a.stdout);

  // The rest without checks (quicker), and with a command that runs until it is killed.
  const settings = join(dir, '.kiro/settings.json');
  writeFileSync(settings, readFileSync(settings, 'utf8').replace('"verifyCommands": ["npm test"]', '"verifyCommands": []').replace('"allowedCommands": ["npm test", "node --test"]', '"allowedCommands": ["npm test", "node --test", "sh slow.sh"]'));
  writeFileSync(join(dir, 'slow.sh'), 'sleep 1000\n');
  mkdirSync(join(dir, '.kiro/specs/other'), { recursive: true });
  cpSync(join(dir, '.kiro/specs/todo-priorities'), join(dir, '.kiro/specs/other'), { recursive: true });
  await execa('git', ['add', '-A'], { cwd: dir });
  await execa('git', ['-c', 'user.name=u', '-c', 'user.email=u@x', 'commit', '-q', '-m', 'second spec'], { cwd: dir });

  const d = await cli(dir, 'run', OTHER, '--task', '3', '--model', `replay:${script('d', [
    { toolCalls: [{ tool: 'write_file', input: { path: 'NOTES.md', content: '# Priorities\n' } }] },
    { toolCalls: [{ tool: 'complete_task', input: { summary: 'documented' } }] },
  ])}`, '--json', '--accept-policy');
  expect(d.exitCode, d.stderr).toBe(0);
  ws.d = runIdOf(d.stdout);
  const discarded = await cli(dir, 'runs', 'discard', ws.d);
  expect(discarded.exitCode, discarded.stderr).toBe(0);

  const e = await cli(dir, 'run', OTHER, '--task', '2.2', '--level', 'cautious', '--model', `replay:${script('e', [{ toolCalls: [{ tool: 'run_command', input: { command: 'node --version' } }] }])}`, '--json', '--accept-policy');
  expect(e.exitCode, e.stderr).toBe(1);
  ws.e = runIdOf(e.stdout);

  ws.b = await crashedRun(dir, EXAMPLE_TASKS, '2.2', script('b', [
    { toolCalls: [{ tool: 'write_file', input: { path: 'a.txt', content: 'first\n' } }] },
    { toolCalls: [{ tool: 'run_command', input: { command: 'sh slow.sh' } }] },
    { toolCalls: [{ tool: 'complete_task', input: { summary: 'done after a resume' } }] },
  ]));
  const c = await cli(dir, 'runs', 'resume', ws.b, '--json', '--accept-policy');
  expect(c.exitCode, c.stderr).toBe(0);
  ws.c = runIdOf(c.stdout);

  ws.f = await crashedRun(dir, OTHER, '2.2', script('f', [{ toolCalls: [{ tool: 'run_command', input: { command: 'sh slow.sh' } }] }]));
}, budget({ cli: 10, verifiedRun: 1, run: 5 }));

const rowOf = (rows: HistoryRow[], id: string) => rows.find((r) => r.runId === id)!;

describe('run history: figures of real runs, an index, stats, prune', () => {
  it('lists every run newest first with its figures: outcome, disposition, tasks, self-corrections, checks, gate, approvals', async () => {
    const store = await openGitStore(ws.dir);
    const { rows } = await readRunHistory(ws.dir, store.gitDir);
    expect(rows.map((r) => r.runId)).toEqual([ws.a, ws.d, ws.e, ws.b, ws.c, ws.f].sort().reverse());
    const a = rowOf(rows, ws.a);
    expect(a).toMatchObject({ spec: 'todo-priorities', outcome: 'completed', disposition: null, model: expect.stringContaining('replay'), level: 'balanced', selfCorrections: 1, checks: { passed: 1, failed: 1 } });
    expect(a.tasks).toEqual([expect.objectContaining({ id: '2.1', outcome: 'completed', verified: true, selfCorrections: 1 })]);
    expect(a.tasks[0]!.durationMs).toBeGreaterThan(0);
    expect(a.gate.deny).toBe(1);
    expect(Object.entries(a.gate.byRule).find(([, c]) => c.deny === 1)?.[0]).toBe('C5');
    expect(rowOf(rows, ws.d)).toMatchObject({ spec: 'other', outcome: 'completed', disposition: 'discarded', tasks: [expect.objectContaining({ id: '3', outcome: 'completed', verified: false })] });
    // Cautious, and no one to ask in a CLI that is not a terminal: asked, unanswered; then the replay ran out.
    expect(rowOf(rows, ws.e)).toMatchObject({ outcome: 'failed', level: 'cautious', approvals: { asked: 1, unanswered: 1, approved: 0, rejected: 0 }, tasks: [expect.objectContaining({ id: '2.2', outcome: 'failed' })] });
    // The crashed run was closed by the resume (run.stopped with the cause, as VS Code's start-up closes one): stopped,
    // not interrupted for good; C, which resumed it, completed 2.2 and ticked its parent 2, which is not a task of the
    // figures (it was not worked on itself).
    expect(rowOf(rows, ws.b)).toMatchObject({ outcome: 'stopped', reason: 'the spec-agent process ended during the run (killed or crashed)', tasks: [expect.objectContaining({ id: '2.2', outcome: 'stopped' })] });
    expect((await readJournal(ws.dir, ws.b)).events.at(-1)).toMatchObject({ type: 'run.stopped', recovered: true });
    expect(rowOf(rows, ws.c)).toMatchObject({ outcome: 'completed', resumedFrom: ws.b, tasks: [expect.objectContaining({ id: '2.2', outcome: 'completed' })] });
    // F has no terminal event and no live process: interrupted, with its task.
    expect(rowOf(rows, ws.f)).toMatchObject({ outcome: 'interrupted', durationMs: null, tasks: [expect.objectContaining({ id: '2.2', outcome: 'interrupted' })] });
  });

  it('the index answers the next reading without a journal; a run that went on, a damaged line, or no index at all is read again', async () => {
    await readRunHistory(ws.dir);
    const again = await readRunHistory(ws.dir);
    expect(again.read).toBe(0);
    const index = join(ws.dir, '.kiro/runs', HISTORY_INDEX);
    // One line per run, and the seal: the digest of those lines as written.
    const lines = readFileSync(index, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(7);
    expect(JSON.parse(lines[6]!)).toEqual({ seal: 'spec-agent-runs-index/3', sha1: expect.stringMatching(/^[0-9a-f]{40}$/) });
    writeFileSync(index, [lines[0]!.slice(0, 40), ...lines.slice(1)].join('\n') + '\n');
    expect((await readRunHistory(ws.dir)).read).toBe(1);
    rmSync(index);
    const rebuilt = await readRunHistory(ws.dir);
    expect(rebuilt.read).toBe(6);
    expect(readFileSync(index, 'utf8').trim().split('\n')).toHaveLength(7);
    // An index edited by hand breaks the seal: every line is checked against the schema, a line that fails is read again.
    const edited = readFileSync(index, 'utf8').split('\n');
    edited[1] = JSON.stringify({ ...JSON.parse(edited[1]!), outcome: 'exploded' });
    writeFileSync(index, edited.join('\n'));
    expect((await readRunHistory(ws.dir)).read).toBe(1);
    // The figures in the index are the journal's own.
    const j = await readJournal(ws.dir, ws.a);
    const { disposition: _, ...fromIndex } = rowOf(rebuilt.rows, ws.a);
    expect(fromIndex).toEqual(runFigures(j.events));
  });

  it('adds the runs up, overall and per spec: tasks by outcome, verified share, pass rate, self-corrections, task times, gate and approvals', async () => {
    const { rows } = await readRunHistory(ws.dir);
    const s = runStats(rows);
    expect(s.overall).toMatchObject({
      runs: 6,
      tasks: { completed: 3, failed: 1, paused: 0, stopped: 1, interrupted: 1 },
      checks: { passed: 1, failed: 1, passRate: 0.5 },
      selfCorrections: { total: 1, max: 1 },
      approvals: { asked: 1, unanswered: 1 },
    });
    // 2.1 verified; 2.2 (C) and 3 (D) completed with no checks.
    expect(s.overall.verifiedShare).toBeCloseTo(1 / 3);
    expect(s.overall.selfCorrections.perTask).toBeCloseTo(1 / 6);
    expect(s.overall.taskTimeMs.median).toBeGreaterThan(0);
    expect(s.overall.taskTimeMs.p90).toBeGreaterThanOrEqual(s.overall.taskTimeMs.median!);
    expect(s.overall.gate.byRule.find((r) => r.rule === 'C5')).toMatchObject({ deny: 1 });
    expect(s.overall.tokensPerCompletedTask).not.toBeNull();
    expect(s.overall.costPerCompletedTask).toBeNull();
    expect(s.bySpec.map((b) => [b.spec, b.stats.runs])).toEqual([['other', 3], ['todo-priorities', 3]]);
    expect(runStats(rows, { spec: 'other' }).overall.tasks).toMatchObject({ completed: 1, failed: 1, interrupted: 1 });
    expect(runStats(rows, { since: Date.now() + 60_000 }).overall.runs).toBe(0);
    expect(runStats(rows, { model: 'no-such-model' }).overall.runs).toBe(0);
    expect(statsOf([]).verifiedShare).toBeNull();
  });

  it('`runs stats` prints the same figures, as JSON and as text, and says what is wrong with a bad --since', { timeout: budget({ cli: 4 }) }, async () => {
    const json = await cli(ws.dir, 'runs', 'stats', '--json');
    expect(json.exitCode, json.stderr).toBe(0);
    const { rows } = await readRunHistory(ws.dir);
    expect(JSON.parse(json.stdout)).toEqual({ filter: { spec: null, since: null, model: null }, ...runStats(rows) });
    const text = await cli(ws.dir, 'runs', 'stats', '--spec', 'todo-priorities');
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain('3 runs; tasks: 2 completed, 0 failed, 0 paused, 1 stopped, 0 interrupted');
    expect(text.stdout).toContain('checks: 1 passed, 1 failed (pass rate 50%)');
    expect(text.stdout).toContain('C5 1 deny');
    const bad = await cli(ws.dir, 'runs', 'stats', '--since', 'last tuesday');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--since must be a date such as 2026-12-01');
    const help = await cli(ws.dir, 'runs', 'stats', '--help');
    expect(help.stdout).toContain('A self-correction: a check');
  });

  it('`runs list` lists from the index, as each journal would (status, tasks as ticked, reason, disposition, links); a journal the index holds at its size and time is not read', { timeout: budget({ cli: 3 }) }, async () => {
    const list = async () => {
      const r = await cli(ws.dir, 'runs', 'list', '--json');
      expect(r.exitCode, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as Array<{ id: string; status: string; startedAt: string | null; disposition: string | null; tasks: string[]; reason: string | null; resumedFrom: string | null; resumedBy: string[]; chain: string[] }>;
    };
    const rows = await list();
    expect(rows.map((r) => r.id)).toEqual([ws.a, ws.d, ws.e, ws.b, ws.c, ws.f].sort().reverse());
    const row = (id: string) => rows.find((r) => r.id === id)!;
    for (const r of rows) {
      const j = await readJournal(ws.dir, r.id);
      expect(r.startedAt).toBe(j.events[0]!.time);
      expect(Object.keys(r)).toEqual(['id', 'status', 'startedAt', 'disposition', 'tasks', 'reason', 'resumedFrom', 'resumedBy', 'chain']);
    }
    expect(row(ws.a)).toMatchObject({ status: 'completed', disposition: null, tasks: ['2.1 ✓'], reason: null, resumedFrom: null, resumedBy: [], chain: [ws.a] });
    expect(row(ws.d)).toMatchObject({ status: 'completed', disposition: 'discarded', tasks: ['3 ✓'] });
    expect(row(ws.e)).toMatchObject({ status: 'failed', tasks: ['2.2'] });
    expect(row(ws.b)).toMatchObject({ status: 'stopped', reason: 'the spec-agent process ended during the run (killed or crashed)', tasks: ['2.2'], resumedBy: [ws.c], chain: [ws.b, ws.c] });
    // The parent ticked with its last sub-task is listed as the journal has it (the figures' tasks leave it out).
    expect(row(ws.c)).toMatchObject({ status: 'completed', tasks: ['2.2 ✓', '2 ✓'], resumedFrom: ws.b, chain: [ws.b, ws.c] });
    expect(row(ws.f)).toMatchObject({ status: 'interrupted', tasks: ['2.2'], reason: null });
    const text = await cli(ws.dir, 'runs', 'list');
    expect(text.stdout).toContain(`${ws.d}  completed · discarded  3 ✓`);
    expect(text.stdout).toContain(`${ws.c}  completed    2.2 ✓, 2 ✓  [resumed ${ws.b}]`);

    // A's journal made unreadable at the same size and time: the index answers for it, so the list is unchanged.
    // (A whole second first, which utimes sets exactly, and a list that puts it in the index.)
    const journal = join(ws.dir, '.kiro/runs', ws.a, 'events.jsonl');
    const kept = readFileSync(journal);
    const second = Math.floor(statSync(journal).mtimeMs / 1000) - 60;
    utimesSync(journal, second, second);
    expect(await list()).toEqual(rows);
    try {
      writeFileSync(journal, Buffer.alloc(kept.length, 0x20));
      utimesSync(journal, second, second);
      expect(await list()).toEqual(rows);
    } finally {
      writeFileSync(journal, kept);
    }
  });

  it('`runs prune --days 0` removes ended runs and their snapshot refs, and a crashed run a later run resumed (closed by it), never the interrupted one; --dry-run removes nothing', { timeout: budget({ cli: 3, git: 4 }) }, async () => {
    const refs = async () => (await execa('git', ['for-each-ref', '--format=%(refname)', 'refs/spec-agent/runs/'], { cwd: ws.dir })).stdout.split('\n').filter(Boolean);
    const before = await refs();
    expect(before).toContain(`refs/spec-agent/runs/${ws.a}`);
    const dry = await cli(ws.dir, 'runs', 'prune', '--days', '0', '--dry-run', '--json');
    expect(dry.exitCode, dry.stderr).toBe(0);
    const planned = JSON.parse(dry.stdout);
    expect(planned.removed.map((r: { runId: string }) => r.runId).sort()).toEqual([ws.a, ws.b, ws.c, ws.d, ws.e].sort());
    expect(planned.kept).toEqual([{ runId: ws.f, why: 'it is interrupted: resume, discard or keep it first' }]);
    expect(await refs()).toEqual(before);
    expect(existsSync(join(ws.dir, '.kiro/runs', ws.a))).toBe(true);

    const done = await cli(ws.dir, 'runs', 'prune', '--days', '0');
    expect(done.exitCode, done.stderr).toBe(0);
    expect(done.stdout).toContain(`removed run ${ws.a}`);
    expect(done.stdout).toContain(`kept run ${ws.f}: it is interrupted`);
    expect(done.stdout).toMatch(/removed 5 runs that ended more than 0 days ago, with \d+ snapshot refs?/);
    for (const id of [ws.a, ws.b, ws.c, ws.d, ws.e]) expect(existsSync(join(ws.dir, '.kiro/runs', id))).toBe(false);
    expect(existsSync(join(ws.dir, '.kiro/runs', ws.f))).toBe(true);
    const left = await refs();
    for (const id of [ws.a, ws.b, ws.c, ws.d, ws.e]) expect(left).not.toContain(`refs/spec-agent/runs/${id}`);
    expect((await readRunHistory(ws.dir)).rows.map((r) => r.runId)).toEqual([ws.f]);
    expect(readFileSync(join(ws.dir, '.kiro/runs', HISTORY_INDEX), 'utf8').trim().split('\n')).toHaveLength(2);

    const noDays = await cli(ws.dir, 'runs', 'prune');
    expect(noDays.exitCode).toBe(2);
  });
});
