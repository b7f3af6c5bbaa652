// The panel's view model without a browser: RunEvents (from a real CLI run, and hand-made edge cases) folded
// into timeline items, header figures and pending approvals.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ActivityModel, DISPOSITION_LABEL, type CallItem, type Item } from '../../src/webview/activityModel.js';
import { appendOutput, emptyTail, MAX_OUTPUT_CHARS, MAX_OUTPUT_LINES, tailText } from '../../src/webview/outputTail.js';
import type { RunEvent } from '../../src/core/runs/events.js';
import { budget } from '../support/budget.js';
import { recordRun } from '../support/webviewPage.js';

let seq = 0;
const ev = (e: Record<string, unknown>): RunEvent => ({ runId: 'r1', seq: seq++, time: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(), ...e }) as RunEvent;
const started = () =>
  ev({ type: 'run.started', tasksFile: 't.md', workspace: '/w', tasks: [{ id: '1', title: 'First', line: 1 }], level: 'balanced', levelSource: '.kiro/settings.json', model: 'replay:x' });

describe('ActivityModel', () => {
  let run: RunEvent[];
  beforeAll(() => {
    run = recordRun(inject('cliPath'), 'balanced');
    // A CLI start, 3 git commands and a run with the example's npm test.
  }, budget({ cli: 1, git: 3, verifiedRun: 1 }));

  it('folds a real run: calls keyed by call id, a completion report with the files the task changed, the header figures', () => {
    const m = new ActivityModel();
    m.reset(run[0]!.runId, run);
    const calls = m.items.filter((i): i is CallItem => i.kind === 'call');
    expect(calls).toHaveLength(new Set(run.flatMap((e) => ('callId' in e ? [e.callId] : []))).size);
    expect(calls.every((c) => c.finished && c.gate)).toBe(true);
    const completion = m.items.find((i) => i.kind === 'completion') as Extract<Item, { kind: 'completion' }>;
    // src/todo.js: rewritten by write_file (32 lines), then edited +1 -1; the test file is new.
    expect(completion.files).toEqual([
      { path: 'src/todo.js', added: 1, removed: 1, created: false, deleted: false, rewrittenLines: 32 },
      { path: 'test/priority.test.js', added: 0, removed: 0, created: true, deleted: false, rewrittenLines: 16 },
    ]);
    expect(completion.verification).toEqual([{ command: 'npm test', exitCode: 0, ok: true }]);
    const h = m.header();
    expect(h).toMatchObject({ state: 'completed', task: { id: '2.1', title: 'Store a priority on each item' }, level: 'balanced', levelSource: '.kiro/settings.json', steps: 7 });
    expect(h.endMs! - h.startMs!).toBe(Date.parse(run.at(-1)!.time) - Date.parse(run[0]!.time));
    // Steps and usage are header figures, not rows.
    expect(m.items.some((i) => (i as { kind: string }).kind === 'step')).toBe(false);
  });

  it('an approval is pending until resolved; the end of the run cancels one left open; the host says whether it runs', () => {
    const m = new ActivityModel();
    m.reset('r1', [
      started(),
      ev({ type: 'tool.requested', callId: 'a', tool: 'run_command', input: { command: 'make' } }),
      ev({ type: 'gate.decided', callId: 'a', verdict: 'ask', rule: 'C9', reason: 'ask: make is not allowed', findings: [] }),
      ev({ type: 'approval.requested', callId: 'a', tool: 'run_command', input: { command: 'make' }, rule: 'C9', reason: 'ask: make is not allowed' }),
    ]);
    expect([...m.pending.keys()]).toEqual(['a']);
    expect(m.state).toBe('waiting');
    m.append('r1', [ev({ type: 'approval.resolved', callId: 'a', approved: true, by: 'user', alwaysAllow: 'make' })]);
    expect(m.pending.size).toBe(0);
    expect((m.item('c:a') as CallItem).approval).toMatchObject({ state: 'always', alwaysAllow: 'make' });
    expect(m.state).toBe('running');
    m.setControls({ running: false, stoppingAfterTask: false, canResume: true, canDiscard: false, canUndoDiscard: false, canKeep: false });
    expect(m.state).toBe('stopped');
    expect(m.header().disposition).toBeNull();
    // What became of the run's changes is in the header with its state ("stopped · discarded").
    m.setControls({ running: false, stoppingAfterTask: false, canResume: false, canDiscard: false, canUndoDiscard: true, canKeep: false, disposition: 'discarded' });
    expect(m.header()).toMatchObject({ state: 'stopped', disposition: 'discarded' });
    expect(DISPOSITION_LABEL.undone).toBe('discard undone');

    m.reset('r1', [started(), ev({ type: 'approval.requested', callId: 'b', tool: 'write_file', input: { path: 'x' }, rule: 'W2', reason: 'ask' }), ev({ type: 'run.failed', error: 'boom' })]);
    expect(m.pending.size).toBe(0);
    expect((m.item('c:b') as CallItem).approval).toMatchObject({ state: 'cancelled', cause: 'the run ended while it waited' });
    expect(m.state).toBe('failed');
  });

  it('a card cut off by VS Code closing reads as that, not as a Stop nobody pressed', () => {
    const m = new ActivityModel();
    m.reset('r1', [
      started(),
      ev({ type: 'approval.requested', callId: 'w', tool: 'write_file', input: { path: 'x' }, rule: 'W2', reason: 'ask' }),
      ev({ type: 'approval.resolved', callId: 'w', approved: false, by: 'closed', reason: 'VS Code closed during the run' }),
      ev({ type: 'run.stopped', reason: 'VS Code closed during the run', completedSteps: [], recovered: true }),
    ]);
    expect((m.item('c:w') as CallItem).approval).toMatchObject({ state: 'cancelled', cause: 'VS Code closed during the run' });
    expect(m.state).toBe('stopped');
    // A Stop is still a Stop.
    m.reset('r1', [started(), ev({ type: 'approval.requested', callId: 's', tool: 'write_file', input: { path: 'x' }, rule: 'W2', reason: 'ask' }), ev({ type: 'approval.resolved', callId: 's', approved: false, by: 'stop' })]);
    expect((m.item('c:s') as CallItem).approval?.cause).toBeUndefined();
  });

  it('a run ended by a pause is paused; events of another run are refused; usage adds up', () => {
    const m = new ActivityModel();
    m.reset('r1', [
      started(),
      ev({ type: 'model.usage', inputTokens: 1200, outputTokens: 300, costUsd: 0.01 }),
      ev({ type: 'model.usage', inputTokens: 800, outputTokens: 100 }),
      ev({ type: 'run.paused', reason: 'group 1 done: 1.1, 1.2 completed', kind: 'group' }),
      ev({ type: 'run.stopped', reason: 'paused: group 1 done', completedSteps: ['1.1', '1.2'] }),
    ]);
    expect(m.state).toBe('paused');
    expect(m.header()).toMatchObject({ inputTokens: 2000, outputTokens: 400, costUsd: 0.01 });
    expect(m.append('r2', [ev({ type: 'model.text', text: 'other run' })])).toBe(false);
    expect(m.items.some((i) => i.kind === 'text')).toBe(false);
  });

  it("a command's process start is no row; processes the run ended at its end are one", () => {
    const m = new ActivityModel();
    m.reset('r1', [
      started(),
      ev({ type: 'tool.requested', callId: 'a', tool: 'run_command', input: { command: 'setsid sh d.sh &' } }),
      ev({ type: 'process.started', callId: 'a', pid: 10, pgid: 10, startTime: '5', marker: 'SPEC_AGENT_RUN=r1' }),
      ev({ type: 'processes.ended', count: 1, processes: [{ pid: 11, command: 'sleep 1000' }] }),
      ev({ type: 'run.completed', tasksCompleted: 1 }),
    ]);
    expect(m.items.map((i) => i.kind)).toEqual(['call', 'leftovers', 'end']);
    expect(m.items[1]).toMatchObject({ processes: [{ pid: 11, command: 'sleep 1000' }] });
  });

  it('a condensed context is a row with its summary; cached tokens are a header figure', () => {
    const m = new ActivityModel();
    m.reset('r1', [
      started(),
      ev({ type: 'model.usage', inputTokens: 9000, outputTokens: 100, cachedInputTokens: 7000 }),
      ev({ type: 'context.condensed', taskId: '1', reason: 'window', by: 'model', summary: '1. Task: x', tokensBefore: 9800, tokensAfter: 2100, replaced: 6 }),
      ev({ type: 'model.usage', inputTokens: 2500, outputTokens: 50, cachedInputTokens: 2000 }),
      ev({ type: 'model.thinking', text: 'the user wants priorities' }),
    ]);
    expect(m.items.find((i) => i.kind === 'thinking')).toMatchObject({ text: 'the user wants priorities' });
    expect(m.items.find((i) => i.kind === 'condensed')).toMatchObject({ by: 'model', reason: 'window', summary: '1. Task: x', tokensBefore: 9800, tokensAfter: 2100, replaced: 6 });
    expect(m.header()).toMatchObject({ inputTokens: 11500, cachedInputTokens: 9000, outputTokens: 150 });
  });

  it('cost: priced and unpriced requests are counted apart; a wait lasts until the next event; a budget pause is offered for a raise only while paused', () => {
    const m = new ActivityModel();
    m.reset('r1', [started(), ev({ type: 'model.usage', inputTokens: 1000, outputTokens: 10, costUsd: 0.002, costSource: 'table' }), ev({ type: 'model.usage', inputTokens: 500, outputTokens: 5 })]);
    expect(m.header()).toMatchObject({ costUsd: 0.002, pricedRequests: 1, unpricedRequests: 1, wait: null, budgetPause: null });
    m.setControls({ running: true, stoppingAfterTask: false, canResume: false, canDiscard: false, canUndoDiscard: false, canKeep: false });
    const until = new Date(Date.UTC(2026, 0, 1, 0, 1)).toISOString();
    m.append('r1', [ev({ type: 'model.waiting', host: 'api.example.com', status: 429, until, attempt: 1, retryAfter: true })]);
    expect(m.header().wait).toEqual({ host: 'api.example.com', status: 429, untilMs: Date.parse(until), retryAfter: true });
    m.append('r1', [ev({ type: 'model.usage', inputTokens: 1, outputTokens: 1 })]);
    expect(m.header().wait).toBeNull();
    const budget = { setting: 'maxCostPerRun', limit: 0.01, spent: 0.012 };
    m.append('r1', [ev({ type: 'run.paused', kind: 'budget', reason: 'the run reached maxCostPerRun', budget }), ev({ type: 'run.stopped', reason: 'paused: the run reached maxCostPerRun', completedSteps: [] })]);
    expect(m.header()).toMatchObject({ state: 'paused', budgetPause: budget });
    // The run that resumed it: the raise is a row, and nothing is paused any more.
    m.reset('r2', [{ ...started(), runId: 'r2' }, { ...ev({ type: 'budget.raised', setting: 'maxCostPerRun', value: 0.5, previous: 0.01 }), runId: 'r2' }]);
    expect(m.items).toEqual([expect.objectContaining({ kind: 'budget', setting: 'maxCostPerRun', value: 0.5, previous: 0.01 })]);
    expect(m.header().budgetPause).toBeNull();
  });

  it('a rate-limit wait ends when the retried answer starts streaming (a model.delta), not only at the next journaled event', () => {
    const m = new ActivityModel();
    m.reset('r1', [started()]);
    m.setControls({ running: true, stoppingAfterTask: false, canResume: false, canDiscard: false, canUndoDiscard: false, canKeep: false });
    const until = new Date(Date.UTC(2026, 0, 1, 0, 1)).toISOString();
    m.append('r1', [ev({ type: 'model.waiting', host: 'api.example.com', status: 429, until, attempt: 1, retryAfter: true })]);
    expect(m.header().wait).not.toBeNull();
    m.headerChanged = false;
    // The retry went out and the answer streams in: "retrying in 0 s" must not stay up for the whole answer.
    m.append('r1', [ev({ type: 'model.delta', channel: 'text', text: 'Reading the file' })]);
    expect(m.header().wait).toBeNull();
    expect(m.headerChanged).toBe(true);
    expect(m.items.at(-1)).toMatchObject({ kind: 'text', live: true, text: 'Reading the file' });
  });

  it('a task row says where its requirements come from when that is not requirements.md', () => {
    const m = new ActivityModel();
    m.reset('r1', [started(), ev({ type: 'task.started', task: { id: '1', title: 'Fix', line: 3 }, requirementsFile: 'bugfix.md' })]);
    expect(m.items.find((i) => i.kind === 'task')).toMatchObject({ taskId: '1', requirementsFile: 'bugfix.md' });
  });

  it('a steering file that joins the task is a row: its name and why', () => {
    const m = new ActivityModel();
    m.reset('r1', [started(), ev({ type: 'steering.included', taskId: '1', name: 'js', file: '.kiro/steering/js.md', inclusion: 'fileMatch', reason: 'fileMatch: the agent read src/a.js (src/**/*.js)' })]);
    expect(m.items.filter((i) => i.kind === 'steering')).toMatchObject([{ name: 'js', file: '.kiro/steering/js.md', reason: 'fileMatch: the agent read src/a.js (src/**/*.js)' }]);
  });

  it('a background process is one row: running when it starts, updated in place when the run ends it; its output goes to its call', () => {
    const m = new ActivityModel();
    m.reset('r1', [
      started(),
      ev({ type: 'tool.requested', callId: 'a', tool: 'run_command', input: { command: 'node server.js', background: true } }),
      ev({ type: 'process.started', callId: 'a', pid: 10, pgid: 10, marker: 'SPEC_AGENT_RUN=r1' }),
      ev({ type: 'background.started', callId: 'a', id: 'bg-1', command: 'node server.js', pid: 10, outputFile: '.kiro/runs/r1/outputs/1.log' }),
      ev({ type: 'tool.finished', callId: 'a', ok: true, output: 'started in the background as bg-1', data: { background: true }, durationMs: 5 }),
      ev({ type: 'tool.output', callId: 'a', stream: 'stdout', text: 'listening\n' }),
    ]);
    expect(m.items.map((i) => i.kind)).toEqual(['call', 'background']);
    expect(m.items[1]).toMatchObject({ bgId: 'bg-1', command: 'node server.js', pid: 10, outputFile: '.kiro/runs/r1/outputs/1.log' });
    expect(m.items[1]).not.toHaveProperty('ended');
    expect(tailText((m.items[0] as CallItem).output!)).toBe('listening');
    m.changed.clear();
    m.append('r1', [ev({ type: 'background.ended', callId: 'a', id: 'bg-1', command: 'node server.js', pid: 10, exitCode: null, signal: 'SIGTERM', durationMs: 4200, endedBy: 'stop' })]);
    expect(m.items.map((i) => i.kind)).toEqual(['call', 'background']);
    expect(m.items[1]).toMatchObject({ ended: { endedBy: 'stop', signal: 'SIGTERM', durationMs: 4200 } });
    expect([...m.changed]).toEqual([m.items[1]!.id]);
  });

  it('changes to rendered items are recorded by id, so the renderer rebuilds only those', () => {
    const m = new ActivityModel();
    m.reset('r1', [started(), ev({ type: 'tool.requested', callId: 'c', tool: 'run_command', input: { command: 'npm test' } })]);
    m.changed.clear();
    m.append('r1', [ev({ type: 'tool.output', callId: 'c', stream: 'stdout', text: 'ok\n' }), ev({ type: 'model.text', text: 'next' })]);
    expect([...m.changed]).toEqual(['c:c']);
    expect(m.items.at(-1)).toMatchObject({ kind: 'text', text: 'next' });
  });
});

describe('an answer streaming in (model.delta)', () => {
  const delta = (channel: 'text' | 'thinking', text: string, at: number, extra: Record<string, unknown> = {}): RunEvent => ({ runId: 'r1', seq: at, time: new Date(Date.UTC(2026, 0, 1)).toISOString(), type: 'model.delta', channel, text, ...extra }) as RunEvent;

  it('shows live rows while it streams, and ends with the same items a replay of the journal makes', () => {
    seq = 0;
    const head = [started(), ev({ type: 'task.started', task: { id: '1', title: 'First', line: 1 } }), ev({ type: 'step.started', taskId: '1', step: 1, label: 'model' })];
    const last = head.at(-1)!.seq;
    const live = new ActivityModel();
    live.reset('r1', head);
    live.append('r1', [delta('thinking', 'Which file', last), delta('thinking', '?', last), delta('text', 'Adding ', last)]);
    expect(live.items.slice(-2)).toMatchObject([
      { kind: 'thinking', text: 'Which file?', live: true },
      { kind: 'text', text: 'Adding ', live: true },
    ]);
    const [thinkingId, textId] = live.items.slice(-2).map((i) => i.id);
    live.changed.clear();
    live.append('r1', [delta('text', 'the field.', last)]);
    expect(live.item(textId!)).toMatchObject({ text: 'Adding the field.' });
    expect([...live.changed]).toEqual([textId]);
    // The turn's whole text (journaled): the live rows give way to the rows a journal makes, in the same places.
    const tail = [ev({ type: 'model.usage', inputTokens: 10, outputTokens: 5 }), ev({ type: 'model.thinking', text: 'Which file?' }), ev({ type: 'model.text', text: 'Adding the field.' }), ev({ type: 'run.completed', tasksCompleted: 1 })];
    live.append('r1', tail);
    expect(live.removed.map((r) => r.id).sort()).toEqual([thinkingId, textId].sort());
    expect(live.handover).toEqual([{ from: thinkingId, to: `e:${tail[1]!.seq}` }]);
    const replay = new ActivityModel();
    replay.reset('r1', [...head, ...tail]);
    expect(live.items).toEqual(replay.items);
    expect(live.header()).toEqual(replay.header());
  });

  it('a retried turn starts its live text again; a turn whose text turns out empty leaves no row', () => {
    seq = 0;
    const head = [started(), ev({ type: 'step.started', taskId: '1', step: 1, label: 'model' })];
    const m = new ActivityModel();
    m.reset('r1', head);
    const last = head.at(-1)!.seq;
    m.append('r1', [delta('text', 'Half an ans', last), delta('text', '', last, { restart: true }), delta('text', 'A whole ', last), delta('text', 'answer.', last)]);
    expect(m.items.filter((i) => i.kind === 'text')).toMatchObject([{ text: 'A whole answer.', live: true }]);
    // The answer was a tool call written as text: its model.text never comes; the call's request ends the live row.
    m.append('r1', [ev({ type: 'tool.requested', callId: 'c1', tool: 'list_files', input: { path: '.' } })]);
    expect(m.items.map((i) => i.kind)).toEqual(['call']);
  });
});

describe('output tail', () => {
  it('joins lines split across chunks and keeps the last lines within the caps, counting what it dropped', () => {
    const t = emptyTail();
    appendOutput(t, 'a');
    appendOutput(t, 'b\nc');
    appendOutput(t, '\n');
    expect(t.lines).toEqual(['ab', 'c']);
    for (let i = 0; i < 500; i++) appendOutput(t, `line ${i}\n`);
    expect(t.lines).toHaveLength(MAX_OUTPUT_LINES);
    expect(t.lines.at(-1)).toBe('line 499');
    expect(t.total).toBe(502);
    expect(t.dropped).toBe(502 - MAX_OUTPUT_LINES);
  });

  it('caps by characters too, and keeps the end of one enormous line', () => {
    const t = emptyTail();
    for (let i = 0; i < 50; i++) appendOutput(t, `${String(i).padEnd(4000, '.')}\n`);
    expect(t.chars).toBeLessThanOrEqual(MAX_OUTPUT_CHARS);
    expect(t.lines.at(-1)!.startsWith('49')).toBe(true);
    const one = emptyTail();
    appendOutput(one, 'x'.repeat(MAX_OUTPUT_CHARS * 2) + 'END');
    expect(tailText(one).length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS + 1);
    expect(tailText(one).endsWith('END')).toBe(true);
  });
});
