import { existsSync, readFileSync, watch } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../../../src/core/agent/executor.js';
import { openGitStore, RunCheckpoints } from '../../../src/core/checkpoints/index.js';
import { selectTasks } from '../../../src/core/agent/taskSelection.js';
import type { ChatModel, ChatRequest, ChatResponse } from '../../../src/core/models/chatModel.js';
import { ReplayModel } from '../../../src/core/models/replayModel.js';
import { PolicyGate } from '../../../src/core/policy/gate.js';
import { realFileSystem } from '../../../src/core/policy/paths.js';
import type { RunEvent } from '../../../src/core/runs/events.js';
import { Journal } from '../../../src/core/runs/journal.js';
import { summarise } from '../../../src/core/runs/summary.js';
import { agentSettingsSchema } from '../../../src/core/settings/schema.js';
import { loadTasks } from '../../../src/core/spec/index.js';
import { budget } from '../../support/budget.js';
import { EXAMPLE_TASKS, exampleRepo } from '../../support/exampleRepo.js';
import { running } from '../tools/workspace.js';

let gate: PolicyGate;
beforeAll(async () => {
  gate = await PolicyGate.create();
});

/** A dev server: starts a helper it leaves running (its pid in helper.pid), listens, writes its port to port.txt. */
const SERVER = `const http = require('node:http');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const helper = spawn('sleep', ['300'], { stdio: 'ignore' });
fs.writeFileSync('helper.pid', String(helper.pid));
const server = http.createServer((req, res) => { console.log('GET ' + req.url); res.end('hello from the dev server'); });
// Written whole, then renamed: the test wakes when port.txt appears and must not read it half written.
server.listen(0, '127.0.0.1', () => { console.log('listening'); fs.writeFileSync('port.tmp', String(server.address().port)); fs.renameSync('port.tmp', 'port.txt'); });
`;

/** Resolves once the file exists: watched, not polled. */
function fileAppears(path: string): Promise<void> {
  return new Promise((resolve) => {
    const dir = join(path, '..');
    const w = watch(dir, () => {
      if (existsSync(path)) {
        w.close();
        resolve();
      }
    });
    if (existsSync(path)) {
      w.close();
      resolve();
    }
  });
}

/** A model whose turns are functions: a turn may wait for something, or press Stop. */
function scripted(turns: Array<(r: ChatRequest) => Promise<ChatResponse> | ChatResponse>): ChatModel {
  let n = 0;
  return { id: 'scripted:test', contextWindow: 100_000, complete: async (r) => turns[n++]!(r) };
}
const call = (tool: string, input: unknown, id: string): ChatResponse => ({ text: '', toolCalls: [{ id, tool, input }] });

async function runAgent(ws: string, model: ChatModel, stop = new AbortController(), o: { checkpoints?: RunCheckpoints; onEvent?: (e: RunEvent) => void } = {}) {
  const settings = agentSettingsSchema.parse({ autonomyLevel: 'full', verifyCommands: [] });
  const { tasks } = selectTasks((await loadTasks(join(ws, EXAMPLE_TASKS))).tree, '2.1');
  const journal = Journal.open(ws, `run-${Math.random().toString(16).slice(2, 8)}`);
  const events: RunEvent[] = [];
  journal.onEvent((e) => {
    events.push(e);
    o.onEvent?.(e);
  });
  const executor = new Executor({ workspace: ws, tasksFile: join(ws, EXAMPLE_TASKS), tasks, model, gate, settings: () => settings, context: { workspaceRoot: ws, home: '/nonexistent-home' }, fsView: realFileSystem, journal, signal: stop.signal, ...(o.checkpoints ? { checkpoints: o.checkpoints } : {}) });
  const outcome = await executor.run();
  journal.close();
  return { outcome, events, types: events.map((e) => e.type), summary: summarise(events) };
}

const finished = (events: RunEvent[], callId: string) => events.find((e): e is Extract<RunEvent, { type: 'tool.finished' }> => e.type === 'tool.finished' && e.callId === callId)!;

describe('background processes in a run', () => {
  it('a dev server serves the next command, read_output reads it through the gate, and the task end ends it and what it started', async () => {
    const ws = await exampleRepo('bg');
    await writeFile(join(ws, 'server.js'), SERVER);
    await writeFile(join(ws, 'client.js'), "fetch('http://127.0.0.1:' + process.argv[2] + '/hi').then((r) => r.text()).then((t) => process.stdout.write(t));\n");
    const model = scripted([
      () => call('run_command', { command: 'node server.js', background: true }, 'start'),
      async () => {
        // The next turn comes once the server listens, as a model's would after reading its output.
        await fileAppears(join(ws, 'port.txt'));
        // Not curl: the gate asks before curl at every level (C6, it talks to the network), even to 127.0.0.1.
        return call('run_command', { command: `node client.js ${readFileSync(join(ws, 'port.txt'), 'utf8')}` }, 'client');
      },
      () => call('read_output', { id: 'bg-1' }, 'read'),
      () => call('complete_task', { summary: 'served' }, 'done'),
    ]);
    const r = await runAgent(ws, model);
    expect(r.outcome.state).toBe('completed');
    const started = r.events.find((e) => e.type === 'background.started');
    expect(started).toMatchObject({ callId: 'start', id: 'bg-1', command: 'node server.js', outputFile: expect.stringMatching(/^\.kiro\/runs\/run-\w+\/outputs\/1\.log$/) });
    const pid = (started as { pid: number }).pid;
    expect(r.events.find((e) => e.type === 'process.started' && e.callId === 'start')).toMatchObject({ pid, pgid: pid });
    expect(finished(r.events, 'start')).toMatchObject({ ok: true, data: { background: true, id: 'bg-1', pid } });
    expect(finished(r.events, 'client').output).toMatch(/\nhello from the dev server$/);
    // read_output went through the gate, as a read of the process's output file.
    expect(r.events.find((e) => e.type === 'gate.decided' && e.callId === 'read')).toMatchObject({ verdict: 'allow', rule: 'R3' });
    expect(finished(r.events, 'read').output).toMatch(/^bg-1: still running .*\nlistening\nGET \/hi\n$/);
    // Its live output is journaled under the call that started it.
    expect(r.events.filter((e) => e.type === 'tool.output' && e.callId === 'start').map((e) => (e as { text: string }).text).join('')).toContain('listening\n');
    // Ended at the task's end, before the run's end, with the helper it started.
    expect(r.types.indexOf('background.ended')).toBeGreaterThan(r.types.indexOf('task.completed'));
    expect(r.types.indexOf('background.ended')).toBeLessThan(r.types.indexOf('run.completed'));
    expect(r.events.find((e) => e.type === 'background.ended')).toMatchObject({ callId: 'start', id: 'bg-1', pid, endedBy: 'task' });
    expect(running(pid)).toBe(false);
    expect(running(Number(readFileSync(join(ws, 'helper.pid'), 'utf8')))).toBe(false);
    expect(r.summary.processesEnded).toEqual([{ pid, command: 'node server.js' }]);
  });

  it('Stop ends it at once, with everything it started; the summary says which', async () => {
    const ws = await exampleRepo('bg-stop');
    await writeFile(join(ws, 'server.js'), SERVER);
    const stop = new AbortController();
    const model = scripted([
      () => call('run_command', { command: 'node server.js', background: true }, 'start'),
      async (req) => {
        await fileAppears(join(ws, 'port.txt'));
        stop.abort();
        throw Object.assign(new Error('aborted'), { name: 'AbortError', signal: req.signal });
      },
    ]);
    const r = await runAgent(ws, model, stop);
    expect(r.outcome.state).toBe('stopped');
    const ended = r.events.find((e) => e.type === 'background.ended');
    expect(ended).toMatchObject({ id: 'bg-1', command: 'node server.js', endedBy: 'stop' });
    expect(r.types.at(-1)).toBe('run.stopped');
    expect(r.types.indexOf('background.ended')).toBeLessThan(r.types.indexOf('run.stopped'));
    expect(running((ended as { pid: number }).pid)).toBe(false);
    expect(running(Number(readFileSync(join(ws, 'helper.pid'), 'utf8')))).toBe(false);
    expect(r.summary.processesEnded).toEqual([{ pid: (ended as { pid: number }).pid, command: 'node server.js' }]);
  });

  it('a run that ends otherwise (here, the model has no more turns) ends it too', async () => {
    const ws = await exampleRepo('bg-fail');
    const r = await runAgent(ws, new ReplayModel('replay:test', { turns: [{ toolCalls: [{ tool: 'run_command', input: { command: 'sleep 300', background: true } }] }] }));
    expect(r.outcome.state).toBe('failed');
    const ended = r.events.find((e) => e.type === 'background.ended');
    expect(ended).toMatchObject({ command: 'sleep 300', endedBy: 'run', signal: 'SIGTERM' });
    expect(running((ended as { pid: number }).pid)).toBe(false);
  });
});

describe("a background process's writes in the run's checkpoints", () => {
  /** Writes gen.txt once the test says so (a file outside the workspace, so the signal itself is no change of it). */
  const writer = (signals: string, then: string) => `while [ ! -e ${signals}/go ]; do sleep 0.05; done; echo generated > gen.txt; touch ${signals}/wrote; ${then}`;
  const labels = (cp: RunCheckpoints) => cp.data.steps.map((s) => s.label);

  it('what it writes between steps is its own: not the user\'s, not the next step\'s', async () => {
    const ws = await exampleRepo('bg-writes');
    const signals = await mkdtemp(join(tmpdir(), 'spec-agent-bg-signals-'));
    await writeFile(join(ws, 'writer.sh'), writer(signals, 'sleep 300'));
    const checkpoints = await RunCheckpoints.start(await openGitStore(ws), 'bg-writes');
    const model = scripted([
      () => call('run_command', { command: 'bash writer.sh', background: true }, 'start'),
      async () => {
        // The server writes after its step ended, while the model thinks.
        await writeFile(join(signals, 'go'), '');
        await fileAppears(join(signals, 'wrote'));
        return call('write_file', { path: 'note.txt', content: 'the agent\'s note\n' }, 'note');
      },
      () => call('complete_task', { summary: 'done' }, 'done'),
    ]);
    const r = await runAgent(ws, model, undefined, { checkpoints });
    expect(r.outcome.state).toBe('completed');
    const span = checkpoints.data.steps.find((s) => s.background);
    expect(span).toMatchObject({ label: 'written while background process bg-1 (bash writer.sh) ran', background: ['bg-1'] });
    const { agent, user, background } = await checkpoints.attribution(checkpoints.data.steps.at(-1)!.after);
    expect(user.has('gen.txt')).toBe(false);
    expect(agent.has('gen.txt')).toBe(true);
    expect(background.get('gen.txt')).toEqual(['bg-1']);
    // The next step holds its own write only.
    const noteStep = checkpoints.data.steps.find((s) => s.label.startsWith('write_file'))!;
    expect(noteStep.before).toBe(span!.after);
    expect((await checkpoints.agentChanges()).map((c) => c.path).sort()).toEqual(expect.arrayContaining(['gen.txt', 'note.txt']));
    // The journal says so, under the call that started it.
    expect(r.events.find((e) => e.type === 'checkpoint.created' && e.label.startsWith('written while'))).toMatchObject({ callId: 'start', commit: span!.after });
    expect(labels(checkpoints).indexOf(span!.label)).toBeLessThan(labels(checkpoints).indexOf(noteStep.label));
  }, budget({ run: 2 }));

  it('its end is checkpointed: what the user writes after it is the user\'s, and a discard leaves its files, saying why', async () => {
    const ws = await exampleRepo('bg-end');
    const signals = await mkdtemp(join(tmpdir(), 'spec-agent-bg-signals-'));
    await writeFile(join(ws, 'writer.sh'), writer(signals, 'exit 0'));
    const checkpoints = await RunCheckpoints.start(await openGitStore(ws), 'bg-end');
    let spanCheckpoint!: () => void;
    const spanTaken = new Promise<void>((r) => (spanCheckpoint = r));
    const model = scripted([
      () => call('run_command', { command: 'bash writer.sh', background: true }, 'start'),
      async () => {
        await writeFile(join(signals, 'go'), '');
        // It ends on its own; once its end is checkpointed, the user edits a file.
        await spanTaken;
        await writeFile(join(ws, 'user.txt'), 'mine\n');
        return call('write_file', { path: 'note.txt', content: 'the agent\'s note\n' }, 'note');
      },
      () => call('complete_task', { summary: 'done' }, 'done'),
    ]);
    const r = await runAgent(ws, model, undefined, { checkpoints, onEvent: (e) => e.type === 'checkpoint.created' && e.label.startsWith('written while') && spanCheckpoint() });
    expect(r.outcome.state).toBe('completed');
    expect(r.events.find((e) => e.type === 'background.ended')).toMatchObject({ id: 'bg-1', endedBy: 'exit' });
    const { agent, user, background } = await checkpoints.attribution(checkpoints.data.steps.at(-1)!.after);
    expect([...background.keys()]).toEqual(['gen.txt']);
    expect(user.has('user.txt')).toBe(true);
    expect(agent.has('user.txt')).toBe(false);
    expect(user.has('gen.txt')).toBe(false);

    const d = await checkpoints.discard();
    // The agent's own step is undone; the background's file is left and reported (by it, or by the user: no one can tell).
    expect(d.removed).toContain('note.txt');
    expect(d.conflicts).toEqual([expect.objectContaining({ path: 'gen.txt', background: ['bg-1'] })]);
    expect(readFileSync(join(ws, 'gen.txt'), 'utf8')).toBe('generated\n');
    expect(readFileSync(join(ws, 'user.txt'), 'utf8')).toBe('mine\n');
  }, budget({ run: 2 }));
});

describe('calls batched in one turn', () => {
  it('run in order, each result under its own call', async () => {
    const ws = await exampleRepo('batch');
    let seen: ChatRequest['messages'] = [];
    const model = scripted([
      () => ({
        text: '',
        toolCalls: [
          { id: 'a', tool: 'run_command', input: { command: 'echo first > order.txt' } },
          { id: 'b', tool: 'run_command', input: { command: 'echo second >> order.txt; cat order.txt' } },
          { id: 'c', tool: 'read_output', input: { id: 'bg-7' } },
        ],
      }),
      (req) => {
        seen = [...req.messages];
        return call('complete_task', { summary: 'batched' }, 'done');
      },
    ]);
    const r = await runAgent(ws, model);
    expect(r.outcome.state).toBe('completed');
    const results = seen.filter((m) => m.role === 'tool').map((m) => m as { toolCallId: string; content: string });
    expect(results.map((m) => m.toolCallId)).toEqual(['a', 'b', 'c']);
    expect(results[1]!.content).toMatch(/^exit code 0 after .*\nfirst\nsecond\n$/);
    expect(results[2]!.content).toMatch(/^there is no background process bg-7/);
    expect(r.events.filter((e) => e.type === 'tool.requested').map((e) => (e as { callId: string }).callId)).toEqual(['a', 'b', 'c', 'done']);
  });
});
