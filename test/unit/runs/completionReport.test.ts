import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { Approver } from '../../../src/core/agent/executor.js';
import { planResume } from '../../../src/core/agent/resumePlan.js';
import { runSession, type SessionOptions } from '../../../src/core/agent/runSession.js';
import { selectTasks } from '../../../src/core/agent/taskSelection.js';
import type { ChatRequest, ChatResponse } from '../../../src/core/models/chatModel.js';
import { ReplayModel, type ReplayScript } from '../../../src/core/models/replayModel.js';
import { ProgressLines } from '../../../src/core/chat/progressLines.js';
import { completionReport, readCompletionReport, renderCompletionReport } from '../../../src/core/runs/completionReport.js';
import type { RunEvent } from '../../../src/core/runs/events.js';
import { readJournal, runDir } from '../../../src/core/runs/journal.js';
import { agentSettingsSchema, type AgentSettings } from '../../../src/core/settings/schema.js';
import { loadTasks } from '../../../src/core/spec/index.js';
import { budget } from '../../support/budget.js';
import { EXAMPLE_TASKS, exampleRepo } from '../../support/exampleRepo.js';
import { asSent } from '../../support/sentRequest.js';

const write = (path: string, content: string) => ({ tool: 'write_file', input: { path, content } });
const edit = (path: string, oldText: string, newText: string) => ({ tool: 'edit_file', input: { path, edits: [{ oldText, newText }] } });
const command = (c: string) => ({ tool: 'run_command', input: { command: c } });
const complete = { tool: 'complete_task', input: { summary: 'priority stored' } };

/** The example repo with two scripts the tests' commands run: one passes, one exits 3. */
async function repo(prefix: string): Promise<string> {
  const ws = await exampleRepo(prefix);
  writeFileSync(join(ws, 'pass.js'), 'process.exit(0);\n');
  writeFileSync(join(ws, 'fail.js'), 'process.exit(3);\n');
  return ws;
}

/** The replay model, keeping what it was asked (the prompt the note must reach). */
class RecordingReplay extends ReplayModel {
  readonly requests: ChatRequest[] = [];
  override async complete(request: ChatRequest): Promise<ChatResponse> {
    this.requests.push(asSent(request));
    return super.complete(request);
  }
}

async function run(ws: string, script: ReplayScript, o: { task: string; settings?: Partial<AgentSettings>; approver?: Approver; stop?: AbortController; note?: string; resume?: Awaited<ReturnType<typeof planResume>>; resumedFrom?: string; startAt?: number; model?: ReplayModel }) {
  const settings = agentSettingsSchema.parse({ autonomyLevel: 'balanced', allowedCommands: ['node pass.js', 'node fail.js'], verifyCommands: [], ...o.settings });
  const file = join(ws, EXAMPLE_TASKS);
  const tasks = o.resume ? o.resume.tasks : selectTasks((await loadTasks(file)).tree, o.task).tasks;
  const s: SessionOptions = {
    workspace: ws,
    file,
    tasks,
    model: o.model ?? new ReplayModel('replay:test', script, o.startAt ?? 0),
    policy: { settings, levelSource: 'test' },
    level: () => settings.autonomyLevel,
    levelSource: 'test',
    signal: (o.stop ?? new AbortController()).signal,
    onEvent: () => {},
    ...(o.approver ? { approver: o.approver } : {}),
    ...(o.note ? { note: o.note } : {}),
    ...(o.resume ? { resume: o.resume.state, resumedFrom: o.resumedFrom } : {}),
  };
  return runSession(s);
}

describe('completionReport', () => {
  it('says what a completed run did per task: files with diffstat, commands with exit codes, checks passed, the note', { timeout: budget({ git: 5, run: 2, cli: 2 }) }, async () => {
    const ws = await repo('report');
    const script: ReplayScript = {
      turns: [
        { toolCalls: [write('src/priority.js', 'export const LEVELS = ["low", "normal", "high"];\n')] },
        { toolCalls: [edit('src/todo.js', 'class TodoList', '// priorities: see priority.js\nclass TodoList')] },
        { toolCalls: [command('node fail.js')] },
        { toolCalls: [complete] },
      ],
    };
    const model = new RecordingReplay('replay:test', script);
    const r = await run(ws, script, { task: '2.1', settings: { verifyCommands: ['node pass.js'] }, note: 'use a frozen array', model });
    expect(r.outcome, r.outcome.reason).toMatchObject({ state: 'completed' });
    const report = await readCompletionReport(ws, r.runId);
    expect(report.end).toEqual({ state: 'completed', reason: null, pauseKind: null, recovered: false });
    expect(report.note).toBe('use a frozen array');
    const t = report.tasks.find((x) => x.id === '2.1')!;
    expect(t.state).toBe('done');
    expect(t.verified).toBe(true);
    expect(t.summary).toBe('priority stored');
    expect(t.files).toEqual([
      { path: 'src/priority.js', tool: 'write_file', added: 1, removed: 0, created: true, deleted: false, rewrittenLines: null },
      { path: 'src/todo.js', tool: 'edit_file', added: 1, removed: 0, created: false, deleted: false, rewrittenLines: null },
    ]);
    expect(t.commands).toEqual([{ command: 'node fail.js', exitCode: 3, ok: false }]);
    expect(t.checks).toEqual([{ command: 'node pass.js', exitCode: 0, ok: true }]);
    expect(t.steps).toEqual(['created src/priority.js (1 line)', 'edited src/todo.js (+1 −0)', 'ran `node fail.js` (exit 3)']);
    const text = renderCompletionReport(report);
    expect(text).toContain(`Run ${r.runId} completed.`);
    expect(text).toContain('Your note: use a frozen array');
    // What the model use cost, as the CLI's last line says it (a replay script reports no usage).
    expect(report.usage).toEqual({ input: 0, output: 0, cached: 0 });
    expect(text).toMatch(/^Model use: 0 in \/ 0 cached \/ 0 out tokens · \$0\.0000\.$/m);
    expect(text).toContain('- **2.1 Store a priority on each item**: done, verified');
    expect(text).toContain('  - file `src/priority.js`: new, 1 line');
    expect(text).toContain('  - file `src/todo.js`: +1 −0');
    expect(text).toContain('  - command `node fail.js`: exit 3');
    expect(text).toContain('  - check `node pass.js`: passed');
    // The note is journaled, and reached the model as the user's words, in the task's part of the prompt.
    const journal = await readJournal(ws, r.runId);
    expect(journal.events[0]).toMatchObject({ type: 'run.started', note: 'use a frozen array' });
    const prompt = model.requests[0]!.messages.find((m) => m.role === 'user')!.content as string;
    expect(prompt).toContain("## The user's note for this run\nThe user asked for this run with these words:\n> use a frozen array");
    expect(prompt.indexOf("The user's note")).toBeGreaterThan(prompt.indexOf('# Task 2.1: Store a priority on each item'));

    // The chat's progress list, from the same journal.
    const progress = new ProgressLines();
    expect(journal.events.flatMap((e) => progress.push(e)).map((l) => l.text)).toEqual([
      expect.stringMatching(new RegExp(`^Run ${r.runId} started at level \\*\\*balanced\\*\\*, commands (sandboxed|\\*\\*not sandboxed\\*\\* \\(.+\\))\\.$`)),
      '- ▶ **2.1 Store a priority on each item**',
      '  - created `src/priority.js` (1 line)',
      '  - edited `src/todo.js` +1 −0',
      '  - $ `node fail.js` → exit 3',
      '  - ✓ done, verified: `node pass.js` passed',
      '✓ Completed: 1 task done.',
    ]);

    // CLI parity: the same facts, as text and as JSON, from `spec-agent runs summary`.
    const cli = await execa('node', [inject('cliPath'), 'runs', 'summary', r.runId], { cwd: ws });
    expect(cli.stdout + '\n').toBe(renderCompletionReport(report, { plain: true }));
    expect(cli.stdout).toContain('    file src/todo.js: +1 −0');
    const json = await execa('node', [inject('cliPath'), 'runs', 'summary', r.runId, '--json'], { cwd: ws });
    expect(JSON.parse(json.stdout)).toEqual(report);
    const missing = await execa('node', [inject('cliPath'), 'runs', 'summary', 'nope'], { cwd: ws, reject: false });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toBe('spec-agent: no run "nope" in .kiro/runs; run `spec-agent runs list`.');
  });

  it('after Stop, says what was finished before it, what was not, and which sub-tasks remain', { timeout: budget({ git: 5, run: 2 }) }, async () => {
    const ws = await repo('report-stop');
    const stop = new AbortController();
    // The second command asks (not allowed): the user presses Stop instead of answering.
    const approver: Approver = async () => {
      stop.abort();
      throw new Error('stopped');
    };
    const script: ReplayScript = {
      turns: [{ toolCalls: [write('src/priority.js', 'a\nb\n')] }, { toolCalls: [command('node pass.js')] }, { toolCalls: [command('npm publish')] }, { toolCalls: [complete] }],
    };
    const r = await run(ws, script, { task: '2', approver, stop });
    expect(r.outcome.state).toBe('stopped');
    const report = await readCompletionReport(ws, r.runId);
    expect(report.end.state).toBe('stopped');
    expect(report.completedSteps).toEqual(['write_file src/priority.js', 'run_command node pass.js']);
    const [first, ...rest] = report.tasks;
    expect(first).toMatchObject({ id: '2.1', state: 'started', verified: null, steps: ['created src/priority.js (2 lines)', 'ran `node pass.js` (exit 0)'], statusNow: 'todo' });
    expect(rest.map((t) => [t.id, t.state])).toEqual([
      ['2.2', 'not started'],
      ['2', 'not started'],
    ]);
    // tasks.md as it is now: task 2's sub-tasks are all still to do.
    expect(rest.at(-1)!.openSubtasks.map((s) => s.id)).toEqual(['2.1', '2.2', '2.3']);
    // The chat's progress: the approval waits on the panel's card (a button goes with this line), then the stop.
    const progress = new ProgressLines();
    const lines = (await readJournal(ws, r.runId)).events.flatMap((e) => progress.push(e));
    const waiting = lines.find((l) => l.approval);
    expect(waiting?.text).toMatch(/^ {2}- ⏳ waiting for your approval on the Agent Activity panel: run_command `npm publish` \(rule C\d+\)$/);
    expect(lines.at(-1)!.text).toMatch(/^■ Stopped: /);
    const text = renderCompletionReport(report);
    expect(text).toMatch(/^Run \S+ was stopped: stopped by the user\.?/);
    expect(text).toContain('0 of 3 tasks done');
    expect(text).toContain('- **2.1 Store a priority on each item**: not finished');
    expect(text).toContain('  - file `src/priority.js`: new, 2 lines');
    expect(text).toContain('- **2.2 List open items by priority**: not started\n  - nothing finished in it');
    expect(text).toContain('  - remaining sub-tasks: 2.1 Store a priority on each item; 2.2 List open items by priority; 2.3 Write unit tests for priorities');
  });

  it('reads a crashed run (no terminal event, a line cut off) as interrupted, and a resumed run names the run it continued', { timeout: budget({ git: 8, run: 3 }) }, async () => {
    const ws = await repo('report-crash');
    const stop = new AbortController();
    const approver: Approver = async () => {
      stop.abort();
      throw new Error('stopped');
    };
    const script: ReplayScript = { turns: [{ toolCalls: [write('src/priority.js', 'x\n')] }, { toolCalls: [command('npm publish')] }, { toolCalls: [complete] }] };
    const a = await run(ws, script, { task: '2.1', approver, stop });
    // A crash: the journal ends mid-run, its last line half written.
    const path = join(runDir(ws, a.runId), 'events.jsonl');
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    const cut = lines.findIndex((l) => l.includes('"approval.requested"'));
    writeFileSync(path, lines.slice(0, cut).join('\n') + '\n' + lines[cut]!.slice(0, 20));
    const crashed = await readCompletionReport(ws, a.runId);
    expect(crashed.end.state).toBe('interrupted');
    expect(crashed.truncated).toMatch(/is cut off/);
    expect(crashed.tasks[0]).toMatchObject({ id: '2.1', state: 'started', steps: ['created src/priority.js (1 line)'] });
    expect(renderCompletionReport(crashed)).toContain('interrupted (its process ended without a last word');

    // The same journal, read as the live run it would be while its process runs.
    expect(completionReport((await readJournal(ws, a.runId)).events, { live: true }).end.state).toBe('running');

    const plan = await planResume(ws, a.runId);
    const b = await run(ws, script, { task: '2.1', resume: plan, resumedFrom: a.runId, startAt: plan.state.modelTurns });
    expect(b.outcome.state).toBe('completed');
    const resumed = await readCompletionReport(ws, b.runId);
    expect(resumed.resumedFrom).toBe(a.runId);
    expect(resumed.tasks[0]).toMatchObject({ id: '2.1', state: 'done', summary: 'priority stored', statusNow: 'done' });
  });
});

describe("the chat's progress lines", () => {
  it('a rate-limit wait is a line saying who refused and how long the wait is, from the event alone (the chat cannot count down)', () => {
    const time = '2026-01-01T00:00:00.000Z';
    const lines = new ProgressLines().push({ runId: 'r', seq: 4, time, type: 'model.waiting', host: 'api.example.com', status: 429, until: '2026-01-01T00:00:23.000Z', attempt: 1, retryAfter: true });
    expect(lines).toEqual([{ text: '  - ⏳ rate-limited by api.example.com (429): retrying in 23 s' }]);
  });
});

describe('the completion report of model use', () => {
  it('sums tokens and cost over the requests, and says when some had no price', () => {
    const at = (seq: number, e: Record<string, unknown>) => ({ runId: 'r', seq, time: '2026-01-01T00:00:00.000Z', ...e }) as RunEvent;
    const events = [
      at(0, { type: 'run.started', tasksFile: 't.md', workspace: '/w', tasks: [], level: 'balanced', levelSource: 'default', model: 'openai:gpt-x' }),
      at(1, { type: 'model.usage', inputTokens: 12_000, outputTokens: 300, cachedInputTokens: 9_000, costUsd: 0.0123, costSource: 'table' }),
      at(2, { type: 'model.usage', inputTokens: 345, outputTokens: 267 }),
      at(3, { type: 'run.completed', tasksCompleted: 0 }),
    ];
    const r = completionReport(events);
    expect(r.usage).toEqual({ input: 12_345, output: 567, cached: 9_000, costUsd: 0.0123, unpriced: 1 });
    expect(renderCompletionReport(r)).toContain('Model use: 12,345 in / 9,000 cached / 567 out tokens · $0.012 (and 1 request with no price known).');
  });
});
