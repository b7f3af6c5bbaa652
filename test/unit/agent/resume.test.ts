import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTERRUPTED, RESUMED, resumeState, taskKey } from '../../../src/core/agent/resume.js';
import { planResume, ResumeError } from '../../../src/core/agent/resumePlan.js';
import { findTask } from '../../../src/core/spec/index.js';
import { runSession } from '../../../src/core/agent/runSession.js';
import { selectTasks } from '../../../src/core/agent/taskSelection.js';
import type { ChatModel, ChatMessage, ChatRequest } from '../../../src/core/models/chatModel.js';
import { ReplayModel, type ReplayScript } from '../../../src/core/models/replayModel.js';
import type { RunEvent } from '../../../src/core/runs/events.js';
import { readJournal } from '../../../src/core/runs/journal.js';
import { agentSettingsSchema } from '../../../src/core/settings/schema.js';
import { loadTasks, parseTasks, type Task } from '../../../src/core/spec/index.js';
import { budget } from '../../support/budget.js';
import { EXAMPLE_TASKS, exampleRepo } from '../../support/exampleRepo.js';

const TASKS = EXAMPLE_TASKS;

const workspace = () => exampleRepo('resume');

/** The replay model, keeping what each request sent. */
class Recording implements ChatModel {
  readonly requests: ChatMessage[][] = [];
  constructor(private readonly inner: ReplayModel) {}
  get id() {
    return this.inner.id;
  }
  get contextWindow() {
    return this.inner.contextWindow;
  }
  complete(request: ChatRequest) {
    this.requests.push(structuredClone(request.messages));
    return this.inner.complete(request);
  }
}

/** A real run (journal, checkpoints, gate) of `tasks` with the replay script from turn `startAt` on. */
async function run(ws: string, script: ReplayScript, o: { tasks: Task[]; startAt?: number; resume?: Awaited<ReturnType<typeof planResume>>; resumedFrom?: string; allowedCommands?: string[] }) {
  const settings = agentSettingsSchema.parse({ autonomyLevel: 'balanced', allowedCommands: o.allowedCommands ?? [], verifyCommands: [] });
  const model = new Recording(new ReplayModel('replay:test', script, o.startAt ?? 0));
  const events: RunEvent[] = [];
  const result = await runSession({
    workspace: ws,
    file: join(ws, TASKS),
    tasks: o.tasks,
    model,
    policy: { settings, levelSource: 'test' },
    level: () => settings.autonomyLevel,
    levelSource: 'test',
    signal: new AbortController().signal,
    onEvent: (e) => events.push(e),
    ...(o.resume ? { resume: o.resume.state } : {}),
    ...(o.resumedFrom ? { resumedFrom: o.resumedFrom } : {}),
  });
  return { ...result, events, model };
}

const write = (path: string) => ({ toolCalls: [{ tool: 'write_file', input: { path, content: `${path}\n` } }] });
const readMissing = (path: string) => ({ toolCalls: [{ tool: 'read_file', input: { path } }] });
const complete = { toolCalls: [{ tool: 'complete_task', input: { summary: 'done' } }] };
const requested = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'tool.requested' ? [e.tool] : []));
const started = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'task.started' ? [e.task.id] : []));

const at = (seq: number, e: Record<string, unknown>) => ({ runId: 'r', seq, time: '2026-11-25T00:00:00.000Z', ...e }) as RunEvent;

describe('resumeState', () => {
  it('rebuilds the conversation: recorded results back, an unfinished call reported as interrupted, done tasks skipped', () => {
    const events = [
      at(0, { type: 'task.started', task: { id: '1', title: 'One', line: 3 } }),
      at(1, { type: 'step.started', taskId: '1', step: 1, label: 'model' }),
      at(2, { type: 'tool.requested', callId: 'a', tool: 'complete_task', input: { summary: 's' } }),
      at(3, { type: 'task.completed', taskId: '1', summary: 's', requirements: [], verification: [], verified: false }),
      at(4, { type: 'task.started', task: { id: '2', title: 'Two', line: 5 } }),
      at(5, { type: 'step.started', taskId: '2', step: 2, label: 'model' }),
      at(6, { type: 'model.text', text: 'Writing.' }),
      at(7, { type: 'tool.requested', callId: 'b', tool: 'write_file', input: { path: 'x', content: 'y' } }),
      at(8, { type: 'tool.finished', callId: 'b', ok: true, output: 'created x (1 lines)', durationMs: 1 }),
      at(9, { type: 'step.started', taskId: '2', step: 3, label: 'model' }),
      at(10, { type: 'tool.requested', callId: 'c', tool: 'run_command', input: { command: 'npm test' } }),
    ];
    const s = resumeState([events]);
    expect([...s.completed]).toEqual(['1|One']);
    // Whether each completion was verified is kept: a parent ticked in the resumed run needs every sub-task's.
    expect([...s.verified]).toEqual([]);
    expect([...resumeState([events.map((e) => (e.type === 'task.completed' ? { ...e, verified: true } : e))]).verified]).toEqual(['1|One']);
    expect(s.modelTurns).toBe(3);
    expect(s.history.get('2|Two')).toEqual([
      { role: 'assistant', content: 'Writing.', toolCalls: [{ id: 'b', tool: 'write_file', input: { path: 'x', content: 'y' } }] },
      { role: 'tool', toolCallId: 'b', tool: 'write_file', content: 'created x (1 lines)' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c', tool: 'run_command', input: { command: 'npm test' } }] },
      { role: 'tool', toolCallId: 'c', tool: 'run_command', content: INTERRUPTED },
    ]);
  });
});

describe('resuming a run that was itself a resume', () => {
  it('keeps the conversation and the model turns of every earlier run, and runs nothing finished again', { timeout: budget({ git: 3, run: 3 }) }, async () => {
    const ws = await workspace();
    // Run A: 2.1 done in two turns; 2.2 stops (paused) after three, on a repeated failing read.
    // Run B (resume of A): three more turns of 2.2, paused again. Run C (resume of B): completes 2.2.
    const script: ReplayScript = { turns: [write('a.txt'), complete, write('b.txt'), readMissing('none.txt'), readMissing('none.txt'), write('c.txt'), readMissing('gone.txt'), readMissing('gone.txt'), complete] };
    const a = await run(ws, script, { tasks: selectTasks((await loadTasks(join(ws, TASKS))).tree, '2.1,2.2').tasks });
    expect(a.outcome.state).toBe('paused');
    expect(started(a.events)).toEqual(['2.1', '2.2']);

    const planA = await planResume(ws, a.runId);
    expect(planA.tasks.map((t) => t.id)).toEqual(['2.2']);
    expect(planA.state.modelTurns).toBe(5);
    const key = taskKey(planA.tasks[0]!);
    expect(planA.state.history.get(key)).toHaveLength(6);

    const b = await run(ws, script, { tasks: planA.tasks, startAt: planA.state.modelTurns, resume: planA, resumedFrom: a.runId });
    expect(b.outcome.state).toBe('paused');
    expect(started(b.events)).toEqual(['2.2']);
    expect(requested(b.events)).toEqual(['write_file', 'read_file', 'read_file']);

    const planB = await planResume(ws, b.runId);
    expect(planB.warnings).toEqual([]);
    expect(planB.tasks.map((t) => t.id)).toEqual(['2.2']);
    expect(planB.state.modelTurns).toBe(8);
    const history = planB.state.history.get(key)!;
    // A's six messages of 2.2, the note B gave the model, then B's own six.
    expect(history.slice(0, 6)).toEqual(planA.state.history.get(key));
    expect(history[6]).toEqual({ role: 'user', content: RESUMED });
    expect(history.slice(7).map((m) => (m.role === 'assistant' ? `assistant ${m.toolCalls.map((c) => `${c.tool} ${JSON.stringify(c.input)}`).join()}` : m.role))).toEqual([
      'assistant write_file {"path":"c.txt","content":"c.txt\\n"}',
      'tool',
      'assistant read_file {"path":"gone.txt"}',
      'tool',
      'assistant read_file {"path":"gone.txt"}',
      'tool',
    ]);
    // What B's model was sent on its first request is what B's state rebuilds before its own turns.
    expect(b.model.requests[0]!.slice(2)).toEqual([...planA.state.history.get(key)!, { role: 'user', content: RESUMED }]);

    writeFileSync(join(ws, 'a.txt'), 'the user changed it\n');
    const c = await run(ws, script, { tasks: planB.tasks, startAt: planB.state.modelTurns, resume: planB, resumedFrom: b.runId });
    expect(c.outcome.state).toBe('completed');
    // Nothing finished runs again: not 2.1, not a step of A or B; the model gets both runs' turns back. 2.2 was the
    // last open sub-task of 2 (2.3 is optional), so the run ticks 2 after it, with no model turn.
    expect(started(c.events)).toEqual(['2.2', '2']);
    expect(requested(c.events)).toEqual(['complete_task']);
    expect(c.model.requests[0]!.slice(2)).toEqual([...history, { role: 'user', content: RESUMED }]);
    expect(readFileSync(join(ws, 'a.txt'), 'utf8')).toBe('the user changed it\n');
    const tasks = (await loadTasks(join(ws, TASKS))).tree.tasks;
    expect(tasks.filter((t) => ['2', '2.1', '2.2'].includes(t.id ?? '')).map((t) => t.status)).toEqual(['done', 'done', 'done']);
    await expect(planResume(ws, c.runId)).rejects.toThrow(`run ${c.runId} completed; there is nothing to resume.`);
  });

  it('stops at an earlier run whose journal is gone, and says so', { timeout: budget({ git: 4, run: 2 }) }, async () => {
    const ws = await workspace();
    const script: ReplayScript = { turns: [write('b.txt'), readMissing('x'), readMissing('x'), readMissing('y'), readMissing('y'), complete] };
    const a = await run(ws, script, { tasks: selectTasks((await loadTasks(join(ws, TASKS))).tree, '2.2').tasks });
    const planA = await planResume(ws, a.runId);
    const b = await run(ws, script, { tasks: planA.tasks, startAt: planA.state.modelTurns, resume: planA, resumedFrom: a.runId });
    expect(b.outcome.state).toBe('paused');
    await execa('rm', ['-r', join(ws, '.kiro/runs', a.runId)]);
    const planB = await planResume(ws, b.runId);
    expect(planB.warnings).toEqual([`run ${b.runId} resumed run ${a.runId}, whose journal is gone from .kiro/runs: the model does not get the turns of run ${a.runId} and the runs before it back.`]);
    expect(planB.state.modelTurns).toBe(2);
  });

  it('reads a chain that loops back on itself once', async () => {
    const journal = (id: string, from: string) => [
      at(0, { runId: id, type: 'run.started', tasksFile: TASKS, workspace: '/w', tasks: [{ id: '2.2', title: 'List open items by priority', line: 1 }], level: 'balanced', levelSource: 'test', model: 'replay:x', resumedFrom: from }),
      at(1, { runId: id, type: 'task.started', task: { id: '2.2', title: 'List open items by priority', line: 1 } }),
      at(2, { runId: id, type: 'step.started', taskId: '2.2', step: 1, label: 'model' }),
      at(3, { runId: id, type: 'run.stopped', reason: 'stopped', completedSteps: [] }),
    ];
    const ws = await workspace();
    for (const [id, from] of [['x', 'y'], ['y', 'x']] as const) {
      await execa('mkdir', ['-p', join(ws, '.kiro/runs', id)]);
      writeFileSync(join(ws, '.kiro/runs', id, 'events.jsonl'), journal(id, from).map((e) => JSON.stringify(e)).join('\n') + '\n');
    }
    expect((await readJournal(ws, 'x')).events).toHaveLength(4);
    const plan = await planResume(ws, 'x');
    expect(plan.state.modelTurns).toBe(2);
    expect(plan.warnings).toEqual(['run y says it resumed run x, which is already in the chain; the runs before it are left out.']);
  });
});

describe('background process ids across a resume', () => {
  it('go on from the run it resumed: its bg-1 is named once in the conversation, the resumed run starts bg-2', { timeout: budget({ git: 3, run: 2 }) }, async () => {
    const ws = await workspace();
    const background = (command: string) => ({ toolCalls: [{ tool: 'run_command', input: { command, background: true } }] });
    const readOutput = (id: string) => ({ toolCalls: [{ tool: 'read_output', input: { id } }] });
    // Run A starts bg-1, then pauses on a repeated failing read (its process ends with it). Run B starts another.
    const script: ReplayScript = { turns: [background('sleep 300'), readMissing('none.txt'), readMissing('none.txt'), background('sleep 300'), readOutput('bg-1'), complete] };
    const a = await run(ws, script, { tasks: selectTasks((await loadTasks(join(ws, TASKS))).tree, '2.1').tasks, allowedCommands: ['sleep 300'] });
    expect(a.outcome.state).toBe('paused');
    expect(a.events.filter((e) => e.type === 'background.started').map((e) => (e as { id: string }).id)).toEqual(['bg-1']);

    const plan = await planResume(ws, a.runId);
    const b = await run(ws, script, { tasks: plan.tasks, startAt: plan.state.modelTurns, resume: plan, resumedFrom: a.runId, allowedCommands: ['sleep 300'] });
    expect(b.outcome.state).toBe('completed');
    const startedB = b.events.find((e) => e.type === 'background.started') as Extract<RunEvent, { type: 'background.started' }>;
    expect(startedB.id).toBe('bg-2');
    expect(plan.state.lastBackgroundId).toBe(1);
    const result = (callId: string) => (b.events.find((e) => e.type === 'tool.finished' && e.callId === callId) as Extract<RunEvent, { type: 'tool.finished' }>).output;
    expect(result(startedB.callId)).toMatch(/^started in the background as bg-2 /);
    // The earlier run's id is not this run's: read_output says whose it was.
    const read = b.events.find((e) => e.type === 'tool.requested' && e.tool === 'read_output') as Extract<RunEvent, { type: 'tool.requested' }>;
    expect(result(read.callId)).toBe('bg-1 was started by the run this one resumed, and ended with it; run_command with background: true starts it again (this run\'s: bg-2)');
  });
});

describe('resuming after tasks.md changed', () => {
  const script: ReplayScript = { turns: [write('b.txt'), readMissing('x'), readMissing('x'), complete] };
  async function stopped(): Promise<{ ws: string; runId: string }> {
    const ws = await workspace();
    const a = await run(ws, script, { tasks: selectTasks((await loadTasks(join(ws, TASKS))).tree, '2.2').tasks });
    expect(a.outcome.state).toBe('paused');
    return { ws, runId: a.runId };
  }
  const edit = (ws: string, from: string, to: string) => {
    const path = join(ws, TASKS);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain(from);
    writeFileSync(path, text.replace(from, to));
  };

  it('finds a task whose title was edited by its id, with its conversation', { timeout: budget({ git: 3, run: 2 }) }, async () => {
    const { ws, runId } = await stopped();
    edit(ws, '2.2 List open items by priority', '2.2 List the open items by priority');
    const plan = await planResume(ws, runId);
    expect(plan.tasks.map((t) => [t.id, t.title])).toEqual([['2.2', 'List the open items by priority']]);
    expect(plan.state.history.get(taskKey(plan.tasks[0]!))).toHaveLength(6);
    const b = await run(ws, script, { tasks: plan.tasks, startAt: plan.state.modelTurns, resume: plan, resumedFrom: runId });
    expect(b.outcome.state).toBe('completed');
    expect(requested(b.events)).toEqual(['complete_task']);
    expect(readFileSync(join(ws, TASKS), 'utf8')).toContain('- [x] 2.2 List the open items by priority');
  });

  it('a task renumbered since (a task put above it) is found by its title', { timeout: budget({ git: 3, run: 1 }) }, async () => {
    const { ws, runId } = await stopped();
    edit(ws, '2.2 List open items by priority', '2.4 List open items by priority');
    expect((await planResume(ws, runId)).tasks.map((t) => `${t.id} ${t.title}`)).toEqual(['2.4 List open items by priority']);
  });

  it('says which task is no longer in tasks.md, and what to do, instead of "all done"', { timeout: budget({ git: 3, run: 1 }) }, async () => {
    const { ws, runId } = await stopped();
    edit(ws, '2.2 List open items by priority', '2.4 Sort the open items');
    const err = await planResume(ws, runId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResumeError);
    expect((err as Error).message).toBe(`run ${runId}: task 2.2 "List open items by priority" is no longer in ${TASKS} (renamed or removed since the run), so the run cannot go on as it was; start the tasks again with Execute with Agent in VS Code or \`spec-agent run\`.`);
  });

  it('finds a task by id and title, else by its title alone (renumbered), else by its id alone (retitled), never a guess', () => {
    const tree = parseTasks(['- [ ] 1. One', '- [ ] 2. Two', '- [ ] 2. Again', '- [ ] Plain'].join('\n'));
    expect(findTask(tree, { id: '1', title: 'Old one' })?.title).toBe('One');
    expect(findTask(tree, { id: '2', title: 'Again' })?.index).toBe(2);
    expect(findTask(tree, { id: '2', title: 'Other' })).toBeUndefined();
    expect(findTask(tree, { id: null, title: 'Plain' })?.index).toBe(3);
    expect(findTask(tree, { id: null, title: 'One' })?.index).toBe(0);
    // A task put above and the rest renumbered (Kiro's usual edit): the old ids now name other tasks.
    const renumbered = parseTasks(['- [ ] 1. New', '- [x] 2. Alpha', '- [ ] 3. Beta'].join('\n'));
    const run = [{ id: '1', title: 'Alpha' }, { id: '2', title: 'Beta' }];
    expect(findTask(renumbered, run[0]!, run)?.title).toBe('Alpha');
    expect(findTask(renumbered, run[1]!, run)?.title).toBe('Beta');
    // The id now names another task of the same run: no guess.
    const shifted = parseTasks(['- [ ] 1. Beta', '- [ ] 2. Gamma'].join('\n'));
    expect(findTask(shifted, { id: '1', title: 'Alpha' }, [{ id: '1', title: 'Alpha' }, { id: '2', title: 'Beta' }])).toBeUndefined();
  });
});
