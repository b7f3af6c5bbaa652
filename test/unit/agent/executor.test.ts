import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { STREAMED_OUTPUT_LIMIT } from '../../../src/core/agent/streamedOutput.js';
import { Executor, type Approver } from '../../../src/core/agent/executor.js';
import { selectTasks } from '../../../src/core/agent/taskSelection.js';
import { openGitStore, RunCheckpoints } from '../../../src/core/checkpoints/index.js';
import type { ChatModel, ChatRequest } from '../../../src/core/models/chatModel.js';
import { ReplayModel, type ReplayScript } from '../../../src/core/models/replayModel.js';
import { PolicyGate } from '../../../src/core/policy/gate.js';
import { realFileSystem } from '../../../src/core/policy/paths.js';
import type { RunEvent } from '../../../src/core/runs/events.js';
import { VSCODE_CLOSED } from '../../../src/core/runs/interruption.js';
import { Journal } from '../../../src/core/runs/journal.js';
import { summarise } from '../../../src/core/runs/summary.js';
import { agentSettingsSchema, type AgentSettings } from '../../../src/core/settings/schema.js';
import { loadTasks } from '../../../src/core/spec/index.js';
import { EXAMPLE_TASKS, exampleRepo } from '../../support/exampleRepo.js';
import { asSent } from '../../support/sentRequest.js';

const TASKS = EXAMPLE_TASKS;
let gate: PolicyGate;
beforeAll(async () => {
  gate = await PolicyGate.create();
});

const workspace = () => exampleRepo('exec');

interface Setup {
  onExecutor?: (e: Executor) => void;
  pauseGroups?: boolean;
  script: ReplayScript | ChatModel;
  settings?: Partial<AgentSettings>;
  approver?: Approver;
  task?: string;
  stop?: AbortController;
  checkpoints?: boolean;
  onJournal?: (j: Journal) => void;
}

async function runAgent(ws: string, s: Setup) {
  const settings = agentSettingsSchema.parse({ autonomyLevel: 'balanced', allowedCommands: ['npm test', 'node --test'], forbiddenCommands: ['rm -rf'], verifyCommands: [], ...s.settings });
  const spec = await loadTasks(join(ws, TASKS));
  const { tasks } = selectTasks(spec.tree, s.task ?? '2.1');
  const journal = Journal.open(ws, `run-${Math.random().toString(16).slice(2, 8)}`);
  const events: RunEvent[] = [];
  journal.onEvent((e) => events.push(e));
  s.onJournal?.(journal);
  const checkpoints = s.checkpoints ? await RunCheckpoints.start(await openGitStore(ws), journal.runId) : undefined;
  const model = 'turns' in s.script ? new ReplayModel('replay:test', s.script) : s.script;
  const executor = new Executor({ workspace: ws, tasksFile: join(ws, TASKS), tasks, model, gate, settings: () => settings, context: { workspaceRoot: ws, home: '/nonexistent-home' }, fsView: realFileSystem, journal, checkpoints, approver: s.approver, signal: (s.stop ?? new AbortController()).signal, ...(s.pauseGroups ? { pauseAfterTask: (t) => t.depth === 0 } : {}) });
  s.onExecutor?.(executor);
  const outcome = await executor.run();
  journal.close();
  return { outcome, events, checkpoints, types: events.map((e) => e.type) };
}

const complete = { tool: 'complete_task', input: { summary: 'done' } };
const mark = async (ws: string, id: string) => (await loadTasks(join(ws, TASKS))).tree.tasks.find((t) => t.id === id)!.status;
const terminal = (types: string[]) => types.filter((t) => t === 'run.completed' || t === 'run.failed' || t === 'run.stopped');

describe('the executor', () => {
  it('a bugfix spec: the task says its requirements come from bugfix.md (the panel and the CLI show it)', async () => {
    const ws = await workspace();
    const dir = join(ws, '.kiro/specs/todo-priorities');
    await writeFile(join(dir, 'bugfix.md'), '## Bug Analysis\n\n### Current Behavior (Defect)\n\n1.1 WHEN a THEN b\n');
    await rm(join(dir, 'requirements.md'));
    const r = await runAgent(ws, { script: { turns: [{ toolCalls: [complete] }] } });
    expect(r.events.find((e) => e.type === 'task.started')).toMatchObject({ task: { id: '2.1' }, requirementsFile: 'bugfix.md' });
  });

  it('does not dispatch a denied call, tells the model why, and ticks the task on completion', async () => {
    const ws = await workspace();
    await writeFile(join(ws, 'victim.txt'), 'still here\n');
    const r = await runAgent(ws, { script: { turns: [{ toolCalls: [{ tool: 'run_command', input: { command: 'rm -rf victim.txt' } }] }, { toolCalls: [complete] }] } });
    expect(r.outcome.state).toBe('completed');
    expect(readFileSync(join(ws, 'victim.txt'), 'utf8')).toBe('still here\n');
    const denied = r.events.find((e) => e.type === 'gate.decided' && e.verdict === 'deny');
    expect(denied).toMatchObject({ rule: 'C5' });
    expect(r.events.find((e) => e.type === 'tool.finished' && e.callId === (denied as { callId: string }).callId)).toMatchObject({ ok: false, output: expect.stringMatching(/^Denied by the policy gate \(rule C5\)/) });
    expect(r.events.some((e) => e.type === 'tool.output')).toBe(false);
    expect(await mark(ws, '2.1')).toBe('done');
    expect(terminal(r.types)).toEqual(['run.completed']);
  });

  it('sends reads through the gate: journaled with the rule, a link out of the workspace denied, a secret asked about', async () => {
    const ws = await workspace();
    // Real path: on macOS the temp folder is reached through a link, and the reason names where the link leads.
    const home = await realpath(await mkdtemp(join(tmpdir(), 'spec-agent-home-')));
    await mkdir(join(home, '.ssh'));
    await writeFile(join(home, '.ssh/id_rsa'), 'PRIVATE-KEY-MATERIAL-77\n');
    symlinkSync(join(home, '.ssh/id_rsa'), join(ws, 'notes.md'));
    await writeFile(join(ws, '.env'), 'API_TOKEN=hunter2\n');
    const reads = [
      { tool: 'read_file', input: { path: 'notes.md' } },
      { tool: 'read_file', input: { path: '.env' } },
      { tool: 'read_file', input: { path: 'package.json' } },
      { tool: 'list_files', input: {} },
      { tool: 'search_files', input: { query: 'PRIVATE|hunter|todo' } },
    ];
    const r = await runAgent(ws, { script: { turns: [{ toolCalls: reads }, { toolCalls: [complete] }] } });
    expect(r.outcome.state).toBe('completed');
    const decided = r.events.filter((e) => e.type === 'gate.decided' && e.callId.startsWith('replay-0-'));
    expect(decided.map((e) => [(e as { verdict: string }).verdict, (e as { rule: string }).rule])).toEqual([['deny', 'R1'], ['ask', 'R2'], ['allow', 'R3'], ['allow', 'R3'], ['allow', 'R3']]);
    expect(decided[0]).toMatchObject({ reason: `deny: notes.md is a symbolic link to ${home}/.ssh/id_rsa, outside the workspace; reading outside the workspace is denied at every level, links included` });
    expect(r.events.find((e) => e.type === 'approval.requested')).toMatchObject({ tool: 'read_file', rule: 'R2', input: { path: '.env' } });
    const finished = (i: number) => r.events.find((e) => e.type === 'tool.finished' && e.callId === `replay-0-${i}`) as { ok: boolean; output: string };
    expect(finished(0)).toMatchObject({ ok: false, output: expect.stringMatching(/^Denied by the policy gate \(rule R1\)/) });
    expect(finished(1)).toMatchObject({ ok: false, output: expect.stringMatching(/^Not approved \(rule R2\)/) });
    expect(finished(3).output).toContain('notes.md -> (outside the workspace)');
    expect(finished(4).output).toContain('[1 secret file was not searched: .env]');
    const journal = JSON.stringify(r.events);
    expect(journal).not.toContain('PRIVATE-KEY-MATERIAL-77');
    expect(journal).not.toContain('hunter2');
  });

  it('gates every path of a read_file of several: one link out denies the call, one secret asks; none of it is read', async () => {
    const ws = await workspace();
    const home = await realpath(await mkdtemp(join(tmpdir(), 'spec-agent-home-')));
    await writeFile(join(home, 'id_rsa'), 'PRIVATE-KEY-MATERIAL-78\n');
    symlinkSync(join(home, 'id_rsa'), join(ws, 'notes.md'));
    await writeFile(join(ws, '.env'), 'API_TOKEN=hunter3\n');
    const reads = [
      { tool: 'read_file', input: { paths: ['package.json', 'notes.md'] } },
      { tool: 'read_file', input: { paths: ['package.json', '.env'] } },
      { tool: 'read_file', input: { paths: ['package.json', 'tasks-missing.md'] } },
    ];
    const r = await runAgent(ws, { script: { turns: [{ toolCalls: reads }, { toolCalls: [complete] }] } });
    const decided = r.events.filter((e) => e.type === 'gate.decided' && e.callId.startsWith('replay-0-'));
    expect(decided.map((e) => [(e as { verdict: string }).verdict, (e as { rule: string }).rule])).toEqual([['deny', 'R1'], ['ask', 'R2'], ['allow', 'R3']]);
    const finished = (i: number) => r.events.find((e) => e.type === 'tool.finished' && e.callId === `replay-0-${i}`) as { ok: boolean; output: string };
    expect(finished(2)).toMatchObject({ ok: true, output: expect.stringContaining('==> package.json <==') });
    const journal = JSON.stringify(r.events);
    expect(journal).not.toContain('PRIVATE-KEY-MATERIAL-78');
    expect(journal).not.toContain('hunter3');
  });

  it('asks the approver: an approved write happens, a rejected one does not; with no one to ask, ask is deny', async () => {
    const ws = await workspace();
    const asked: string[] = [];
    const approver: Approver = async (req) => {
      asked.push((req.input as { path: string }).path);
      return { approved: asked.length === 1 };
    };
    const writes = [{ tool: 'write_file', input: { path: 'a.txt', content: 'a' } }, { tool: 'write_file', input: { path: 'b.txt', content: 'b' } }];
    const r = await runAgent(ws, { script: { turns: [{ toolCalls: writes }, { toolCalls: [complete] }] }, settings: { autonomyLevel: 'cautious' }, approver });
    expect(asked).toEqual(['a.txt', 'b.txt']);
    expect(existsSync(join(ws, 'a.txt'))).toBe(true);
    expect(existsSync(join(ws, 'b.txt'))).toBe(false);
    expect(r.events.filter((e) => e.type === 'approval.resolved').map((e) => (e as { approved: boolean }).approved)).toEqual([true, false]);
    // The summary names what the user rejected, not only a count.
    expect(summarise(r.events).refused).toEqual([{ tool: 'write_file', what: 'b.txt', rule: expect.stringMatching(/^W\d$/), reason: expect.any(String), by: 'user', taskId: expect.any(String) }]);

    const ws2 = await workspace();
    const r2 = await runAgent(ws2, { script: { turns: [{ toolCalls: [writes[0]!] }, { toolCalls: [complete] }] }, settings: { autonomyLevel: 'cautious' } });
    expect(existsSync(join(ws2, 'a.txt'))).toBe(false);
    expect(r2.events.find((e) => e.type === 'approval.resolved')).toMatchObject({ approved: false, by: 'no-one-to-ask' });
    expect(summarise(r2.events).refused).toMatchObject([{ tool: 'write_file', what: 'a.txt', by: 'no-one-to-ask' }]);
  });

  it('tells the model the user rejected a call, with the reason typed; a gate ask unanswered keeps its rule wording', async () => {
    const ws = await workspace();
    const replay = new ReplayModel('replay:test', { turns: [{ toolCalls: [{ tool: 'run_command', input: { command: 'npm publish' } }, { tool: 'write_file', input: { path: 'b.txt', content: 'b' } }] }, { toolCalls: [complete] }] });
    // What the model is sent on its next turn, as the wire would carry it.
    const sent: ChatRequest[] = [];
    const model: ChatModel = { id: replay.id, contextWindow: replay.contextWindow, complete: (req) => (sent.push(asSent(req)), replay.complete(req)) };
    const approver: Approver = async (req) => ({ approved: false, ...(req.tool === 'run_command' ? { reason: '  do not publish from a task run  ' } : {}) });
    const r = await runAgent(ws, { script: model, settings: { autonomyLevel: 'cautious' }, approver });
    expect(existsSync(join(ws, 'b.txt'))).toBe(false);
    const resolved = r.events.filter((e) => e.type === 'approval.resolved');
    expect(resolved).toMatchObject([{ approved: false, by: 'user', reason: 'do not publish from a task run' }, { approved: false, by: 'user' }]);
    expect(resolved[1]).not.toHaveProperty('reason');
    const outputs = r.events.flatMap((e) => (e.type === 'tool.finished' && e.callId.startsWith('replay-0-') ? [e.output] : []));
    expect(outputs).toEqual(['The user rejected this command. Their reason: do not publish from a task run. Do not retry it as is; take another way.', 'The user rejected this write. Do not retry it as is; take another way.']);
    const told = JSON.stringify(sent[1]!.messages);
    expect(told).toContain('The user rejected this command. Their reason: do not publish from a task run.');
    expect(told).not.toContain('Not approved');
    expect(summarise(r.events).refused).toMatchObject([{ tool: 'run_command', by: 'user', userReason: 'do not publish from a task run' }, { tool: 'write_file', by: 'user' }]);
  });

  it('a check of complete_task the user rejects does not run, and the task is not ticked', async () => {
    const ws = await workspace();
    const approver: Approver = async () => ({ approved: false, reason: 'not now' });
    const r = await runAgent(ws, { script: { turns: [{ toolCalls: [complete] }, { toolCalls: [complete] }, { toolCalls: [complete] }] }, settings: { autonomyLevel: 'cautious', verifyCommands: ['touch checked.txt'] }, approver });
    expect(r.events.filter((e) => e.type === 'approval.requested').length).toBeGreaterThan(0);
    expect(existsSync(join(ws, 'checked.txt'))).toBe(false);
    expect(r.events.some((e) => e.type === 'task.completed')).toBe(false);
    expect(await mark(ws, '2.1')).not.toBe('done');
  });

  it('a parent ticked because its sub-tasks are done is verified only when each sub-task was; no checks, no "verified"', async () => {
    const completions = (r: { events: RunEvent[] }) => r.events.flatMap((e) => (e.type === 'task.completed' ? [{ taskId: e.taskId, verified: e.verified, subtasks: e.subtasks }] : []));
    const script = { turns: [{ toolCalls: [complete] }, { toolCalls: [complete] }, { toolCalls: [complete] }] };
    // No verifyCommands: nothing was checked, so neither the sub-tasks nor their parent is verified.
    const unchecked = await runAgent(await workspace(), { script, task: '2' });
    expect(unchecked.outcome.state).toBe('completed');
    expect(completions(unchecked)).toEqual([
      { taskId: '2.1', verified: false, subtasks: undefined },
      { taskId: '2.2', verified: false, subtasks: undefined },
      { taskId: '2', verified: false, subtasks: { done: 2, verified: 0 } },
    ]);
    // Every sub-task's check passed: the parent is verified.
    const checks = { verifyCommands: ['node ok.js'], allowedCommands: ['node ok.js'] };
    const withCheck = async () => {
      const ws = await workspace();
      await writeFile(join(ws, 'ok.js'), 'process.exit(0);\n');
      return ws;
    };
    const checked = await runAgent(await withCheck(), { script, task: '2', settings: checks });
    expect(checked.outcome, JSON.stringify(checked.events.filter((e) => e.type === 'tool.finished').map((e) => e.output.slice(0, 300)))).toMatchObject({ state: 'completed' });
    expect(completions(checked).at(-1)).toEqual({ taskId: '2', verified: true, subtasks: { done: 2, verified: 2 } });
    expect(completions(checked).slice(0, 2).every((c) => c.verified)).toBe(true);
    // One sub-task ticked by hand before the run (not known to be verified): the parent is not.
    const ws = await withCheck();
    await writeFile(join(ws, TASKS), (await readFile(join(ws, TASKS), 'utf8')).replace('- [ ] 2.1 ', '- [x] 2.1 '));
    const partly = await runAgent(ws, { script, task: '2', settings: checks });
    expect(completions(partly).at(-1)).toEqual({ taskId: '2', verified: false, subtasks: { done: 2, verified: 1 } });
  });

  it('ticks a parent when a run completes its last open sub-task, the others done in earlier runs; verified only if each was', async () => {
    const completions = (r: { events: RunEvent[] }) => r.events.flatMap((e) => (e.type === 'task.completed' ? [{ taskId: e.taskId, verified: e.verified, subtasks: e.subtasks }] : []));
    const checks = { verifyCommands: ['node ok.js'], allowedCommands: ['node ok.js'] };
    const ws = await workspace();
    await writeFile(join(ws, 'ok.js'), 'process.exit(0);\n');
    // 2.1 alone: 2.2 is still open, so the parent stays open.
    const first = await runAgent(ws, { script: { turns: [{ toolCalls: [complete] }] }, task: '2.1', settings: checks });
    expect(completions(first)).toEqual([{ taskId: '2.1', verified: true, subtasks: undefined }]);
    expect(await mark(ws, '2')).toBe('todo');
    // 2.2 in a run of its own: the last open sub-task (2.3 is optional), so the run ticks 2 as well, journaled as a
    // task of its own. 2.1's check passed in another run, which this one does not know: 2 is not verified.
    const second = await runAgent(ws, { script: { turns: [{ toolCalls: [complete] }] }, task: '2.2', settings: checks });
    expect(second.outcome).toMatchObject({ state: 'completed', tasksCompleted: 1 });
    expect(completions(second)).toEqual([
      { taskId: '2.2', verified: true, subtasks: undefined },
      { taskId: '2', verified: false, subtasks: { done: 2, verified: 1 } },
    ]);
    expect(second.events.slice(-3).map((e) => (e.type === 'task.started' ? `${e.type} ${e.task.id}` : e.type))).toEqual(['task.started 2', 'task.completed', 'run.completed']);
    expect(await mark(ws, '2')).toBe('done');
    expect(await mark(ws, '3')).toBe('todo');
    // The summary counts it as a task of the run, and does not take it for another one.
    expect(summarise(second.events).tasks.map((t) => [t.id, t.title, t.completed])).toEqual([
      ['2.2', 'List open items by priority', true],
      ['2', 'Add priorities to items', true],
    ]);
    // Both sub-tasks verified in the same run (a list, so 2 is not among its tasks): the parent is verified.
    const ws2 = await workspace();
    await writeFile(join(ws2, 'ok.js'), 'process.exit(0);\n');
    const both = await runAgent(ws2, { script: { turns: [{ toolCalls: [complete] }, { toolCalls: [complete] }] }, task: '2.1,2.2', settings: checks });
    expect(completions(both).at(-1)).toEqual({ taskId: '2', verified: true, subtasks: { done: 2, verified: 2 } });
    expect(completions(both).filter((c) => c.taskId === '2')).toHaveLength(1);
  });

  it('a task whose title the user fixes while the agent works is still ticked (found by its id)', async () => {
    const ws = await workspace();
    const file = join(ws, TASKS);
    // The question is the moment to edit tasks.md mid-run, as a user would in the editor.
    const approver: Approver = async () => {
      writeFileSync(file, readFileSync(file, 'utf8').replace('2.1 Store a priority on each item', '2.1 Store a priority on every item'));
      return { approved: true };
    };
    const r = await runAgent(ws, { script: { turns: [{ toolCalls: [{ tool: 'write_file', input: { path: 'a.txt', content: 'a' } }] }, { toolCalls: [complete] }] }, settings: { autonomyLevel: 'cautious' }, approver });
    expect(r.outcome.state).toBe('completed');
    expect(readFileSync(file, 'utf8')).toContain('- [x] 2.1 Store a priority on every item');
  });

  it('journals a command\'s live output up to a bound, says how much more there was, and gives the model the end', async () => {
    const ws = await workspace();
    // 3 MB of output, the last line distinct: the journal must not grow with it.
    await writeFile(join(ws, 'loud.sh'), 'i=0; while [ $i -lt 30000 ]; do printf "%0100d\\n" $i; i=$((i+1)); done; echo THE-END\n');
    const r = await runAgent(ws, { script: { turns: [{ toolCalls: [{ tool: 'run_command', input: { command: 'sh loud.sh' } }] }, { toolCalls: [complete] }] }, settings: { autonomyLevel: 'full' } });
    const streamed = r.events.filter((e) => e.type === 'tool.output').map((e) => (e as { text: string }).text);
    const bytes = streamed.reduce((n, t) => n + Buffer.byteLength(t), 0);
    expect(bytes).toBeLessThan(STREAMED_OUTPUT_LIMIT + 1024);
    expect(streamed.at(-1)).toMatch(/^\n\[spec-agent: \d+ more bytes of output were not streamed; the result shows how it ended\]\n$/);
    const finished = r.events.find((e) => e.type === 'tool.finished' && e.output.includes('THE-END'));
    expect(finished).toBeDefined();
  });

  it('on Stop during `sleep 30`: every process gone within 3 s, nothing dispatched after, marker restored, one terminal event', async () => {
    const ws = await workspace();
    const stop = new AbortController();
    const pidFile = join(ws, 'gc.pid');
    await writeFile(join(ws, 'spawn.sh'), 'sleep 30 &\necho $! > gc.pid\nsleep 30\n');
    const script: ReplayScript = { turns: [{ toolCalls: [{ tool: 'run_command', input: { command: 'sh spawn.sh' } }] }, { toolCalls: [{ tool: 'write_file', input: { path: 'after-stop.txt', content: 'x' } }] }] };
    setTimeout(() => stop.abort(), 700);
    const started = Date.now();
    const r = await runAgent(ws, { script, settings: { autonomyLevel: 'full' }, stop });
    expect(Date.now() - started).toBeLessThan(3700);
    expect(r.outcome, JSON.stringify(r.events.filter((e) => e.type !== 'tool.output').slice(-6))).toMatchObject({ state: 'stopped' });
    const pid = Number(await readFile(pidFile, 'utf8'));
    const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    expect(stat === '' || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')).toBe(true);
    expect(r.events.filter((e) => e.type === 'tool.requested')).toHaveLength(1);
    expect(existsSync(join(ws, 'after-stop.txt'))).toBe(false);
    expect(await mark(ws, '2.1')).toBe('todo');
    expect(terminal(r.types)).toEqual(['run.stopped']);
  });

  it('the window closing while a write waits for approval: the card is cancelled because VS Code closed, not by a Stop; run.stopped says so', async () => {
    const ws = await workspace();
    const stop = new AbortController();
    // The panel's approver: it answers nothing, and gives up when the run is aborted (the extension host shutting down).
    const approver: Approver = (_request, signal) => {
      queueMicrotask(() => stop.abort(VSCODE_CLOSED));
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
    };
    const r = await runAgent(ws, { script: { turns: [{ toolCalls: [{ tool: 'write_file', input: { path: 'x.md', content: 'x\n' } }] }] }, settings: { autonomyLevel: 'cautious' }, approver, stop });
    expect(r.events.filter((e) => e.type === 'approval.resolved')).toMatchObject([{ approved: false, by: 'closed', reason: 'VS Code closed during the run' }]);
    expect(r.events.at(-1)).toMatchObject({ type: 'run.stopped', reason: 'VS Code closed during the run' });
    expect(existsSync(join(ws, 'x.md'))).toBe(false);
    expect(await mark(ws, '2.1')).toBe('todo');
  });

  it('a journal listener that throws as the window goes (its log channel closed) does not journal the cancelled card twice', async () => {
    const ws = await workspace();
    const stop = new AbortController();
    const approver: Approver = (_request, signal) => {
      queueMicrotask(() => stop.abort(VSCODE_CLOSED));
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve({ approved: false }), { once: true }));
    };
    const onJournal = (j: Journal) =>
      j.onEvent((e) => {
        if (e.type === 'approval.resolved') throw new Error('Channel has been closed');
      });
    const r = await runAgent(ws, { script: { turns: [{ toolCalls: [{ tool: 'write_file', input: { path: 'x.md', content: 'x\n' } }] }] }, settings: { autonomyLevel: 'cautious' }, approver, stop, onJournal });
    expect(r.events.filter((e) => e.type === 'approval.resolved')).toHaveLength(1);
    expect(r.events.at(-1)).toMatchObject({ type: 'run.stopped', reason: 'VS Code closed during the run' });
  });

  it('a failing verification leaves the box unticked; past maxSelfCorrections the run pauses', async () => {
    const ws = await workspace();
    await writeFile(join(ws, 'check.js'), 'process.exit(1);\n');
    const r = await runAgent(ws, { script: { turns: [{ toolCalls: [complete] }, { toolCalls: [complete] }, { toolCalls: [complete] }] }, settings: { verifyCommands: ['node check.js'], allowedCommands: ['node check.js'], maxSelfCorrections: 1 } });
    expect(r.outcome, JSON.stringify(r.events.filter((e) => e.type !== 'tool.output').slice(-6))).toMatchObject({ state: 'paused' });
    expect(r.events.filter((e) => e.type === 'selfcorrection')).toHaveLength(2);
    expect(r.events.find((e) => e.type === 'run.paused')).toMatchObject({ kind: 'self-corrections' });
    expect(await mark(ws, '2.1')).toBe('todo');
    expect(r.types).not.toContain('task.completed');
  });

  it('pauses at maxFileEditsPerTask', async () => {
    const ws = await workspace();
    const w = (p: string) => ({ tool: 'write_file', input: { path: p, content: p } });
    const r = await runAgent(ws, { script: { turns: [{ toolCalls: [w('one.txt'), w('two.txt')] }] }, settings: { maxFileEditsPerTask: 1 } });
    expect(r.outcome.state).toBe('paused');
    expect(r.events.find((e) => e.type === 'run.paused')).toMatchObject({ kind: 'edit-limit' });
    expect(existsSync(join(ws, 'one.txt'))).toBe(true);
    expect(existsSync(join(ws, 'two.txt'))).toBe(false);
  });

  it('keeps the user\'s edit of tasks.md made during the run, and ticks the right task', async () => {
    const ws = await workspace();
    const file = join(ws, TASKS);
    let turn = 0;
    const model: ChatModel = {
      id: 'editing-user',
      contextWindow: 100_000,
      async complete(_req: ChatRequest) {
        if (turn++ === 0) {
          // The user inserts a task above while the agent thinks.
          await writeFile(file, (await readFile(file, 'utf8')).replace('# Implementation Plan\n', '# Implementation Plan\n\n- [ ] 0. A task the user added\n'));
          return { text: '', toolCalls: [{ id: 'w', tool: 'write_file', input: { path: 'x.txt', content: 'x' } }] };
        }
        return { text: '', toolCalls: [{ id: 'c', ...complete }] };
      },
    };
    const r = await runAgent(ws, { script: model });
    expect(r.outcome.state).toBe('completed');
    const text = await readFile(file, 'utf8');
    expect(text).toContain('- [ ] 0. A task the user added');
    expect(text).toContain('- [x] 2.1 Store a priority on each item');
    expect(text).toContain('- [ ] 2.2 List open items by priority');
  });

  it('journals checkpoints around file changes, and a discard after the run restores the tree', async () => {
    const ws = await workspace();
    const before = await readFile(join(ws, 'src/todo.js'), 'utf8');
    const r = await runAgent(ws, { script: { turns: [{ toolCalls: [{ tool: 'write_file', input: { path: 'src/todo.js', content: 'broken\n' } }, { tool: 'write_file', input: { path: 'src/new.js', content: 'new\n' } }] }, { toolCalls: [complete] }] }, checkpoints: true });
    expect(r.events.filter((e) => e.type === 'checkpoint.created')).toHaveLength(4);
    // Each names the step it brackets, so the panel folds it into that step's row.
    expect(r.events.flatMap((e) => (e.type === 'checkpoint.created' ? [[e.label.split(' ')[0], e.callId]] : []))).toEqual([['before', 'replay-0-0'], ['after', 'replay-0-0'], ['before', 'replay-0-1'], ['after', 'replay-0-1']]);
    const result = await r.checkpoints!.discard();
    expect(result.conflicts).toEqual([]);
    expect(await readFile(join(ws, 'src/todo.js'), 'utf8')).toBe(before);
    expect(existsSync(join(ws, 'src/new.js'))).toBe(false);
  });
});

describe('stop after this task', () => {
  it('finishes the task under way, then stops before the next', async () => {
    const ws = await workspace();
    let executor: Executor | undefined;
    const r = await runAgent(ws, {
      task: '2.1,2.2',
      script: {
        id: 'stopper',
        contextWindow: 100_000,
        async complete() {
          executor!.stopAfterCurrentTask();
          return { text: '', toolCalls: [{ id: `c${Math.random()}`, ...complete }] };
        },
      },
      onExecutor: (e) => (executor = e),
    });
    expect(r.outcome).toMatchObject({ state: 'stopped', tasksCompleted: 1, reason: 'stopped after task 2.1, as asked' });
    expect(await mark(ws, '2.1')).toBe('done');
    expect(await mark(ws, '2.2')).toBe('todo');
    expect(terminal(r.types)).toEqual(['run.stopped']);
  });
});

describe('pause between task groups', () => {
  it('pauses after a top-level group with its diffstat, checks and tokens, before the next group', async () => {
    const ws = await workspace();
    await writeFile(join(ws, 'ok.js'), 'process.exit(0);\n');
    const r = await runAgent(ws, {
      task: '2,3',
      pauseGroups: true,
      checkpoints: true,
      settings: { verifyCommands: ['node ok.js'], allowedCommands: ['node ok.js'] },
      script: { turns: [{ toolCalls: [{ tool: 'write_file', input: { path: 'src/p.js', content: 'a\nb\n' } }] }, { toolCalls: [complete] }, { toolCalls: [complete] }] },
    });
    expect(r.outcome.state).toBe('paused');
    const paused = r.events.find((e) => e.type === 'run.paused') as { kind: string; reason: string };
    expect(paused.kind).toBe('group');
    expect(paused.reason).toMatch(/task group 2 is done; review before the next group: 2 files changed \(\+5 -3\): .*src\/p\.js.*; checks: node ok\.js passed, node ok\.js passed; 0 tokens/);
    expect(await mark(ws, '2')).toBe('done');
    expect(await mark(ws, '3')).toBe('todo');
  });
});
