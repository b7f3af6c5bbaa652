import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../../../src/core/agent/executor.js';
import { selectTasks } from '../../../src/core/agent/taskSelection.js';
import { AnthropicModel } from '../../../src/core/models/anthropicModel.js';
import type { ChatModel } from '../../../src/core/models/chatModel.js';
import { OpenAICompatibleModel } from '../../../src/core/models/openaiModel.js';
import { PolicyGate } from '../../../src/core/policy/gate.js';
import { realFileSystem } from '../../../src/core/policy/paths.js';
import type { RunEvent } from '../../../src/core/runs/events.js';
import { Journal, runDir } from '../../../src/core/runs/journal.js';
import { agentSettingsSchema } from '../../../src/core/settings/schema.js';
import { loadTasks } from '../../../src/core/spec/index.js';
import { EXAMPLE_TASKS, exampleRepo } from '../../support/exampleRepo.js';
import { closeServer, serve, type Answer, type Body } from '../../support/wireServer.js';

// The model's words, live (issue 13): a streamed answer reaches the executor's listeners as several transient
// model.delta events, then once, whole, as the journaled model.text; the journal on disk has no deltas.
let gate: PolicyGate;
beforeAll(async () => {
  gate = await PolicyGate.create();
});
afterEach(closeServer);

async function run(style: 'openai' | 'anthropic', answer: (body: Body, n: number) => Answer) {
  const ws = await exampleRepo(`stream-${style}`);
  const base = await serve(answer, { style });
  const settings = agentSettingsSchema.parse({ autonomyLevel: 'full', verifyCommands: [] });
  const spec = await loadTasks(join(ws, EXAMPLE_TASKS));
  const runId = `run-stream-${Math.random().toString(16).slice(2, 8)}`;
  const journal = Journal.open(ws, runId);
  const events: RunEvent[] = [];
  journal.onEvent((e) => events.push(e));
  const model: ChatModel =
    style === 'openai' ? new OpenAICompatibleModel({ id: 'vllm:m', model: 'm', baseURL: base, maxRetries: 0 }) : new AnthropicModel({ id: 'anthropic:claude-x', model: 'claude-x', baseURL: base, apiKey: 'k', maxRetries: 0 });
  const outcome = await new Executor({ workspace: ws, tasksFile: join(ws, EXAMPLE_TASKS), tasks: selectTasks(spec.tree, '2.1').tasks, model, gate, settings: () => settings, context: { workspaceRoot: ws, home: '/nonexistent-home', sandbox: true }, fsView: realFileSystem, journal, signal: new AbortController().signal }).run();
  journal.close();
  const journaled = readFileSync(join(runDir(ws, runId), 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as RunEvent);
  return { outcome, events, journaled };
}

const deltas = (events: RunEvent[], channel: 'text' | 'thinking') => events.flatMap((e) => (e.type === 'model.delta' && e.channel === channel ? [e.text] : []));

describe('a streamed answer, live and journaled', () => {
  for (const style of ['openai', 'anthropic'] as const) {
    it(`${style}: text and reasoning arrive as several deltas, then one journaled model.text and model.thinking`, async () => {
      const pieces = ['I will add ', 'the priority ', 'field to the ', 'model, then ', 'its tests.'];
      const reasoning = ['The task asks ', 'for a priority ', 'field.'];
      const { outcome, events, journaled } = await run(style, (_b, n) => (n === 1 ? { reasoning, pieces, call: { name: 'list_files', args: { path: '.' } } } : { call: { name: 'complete_task', args: { summary: 'done' } } }));
      expect(outcome.state, JSON.stringify(outcome)).toBe('completed');
      // Live: every piece as it came, in order, before the turn's whole text.
      expect(deltas(events, 'text')).toEqual(pieces);
      expect(deltas(events, 'thinking')).toEqual(reasoning);
      const whole = events.findIndex((e) => e.type === 'model.text');
      expect(events.findLastIndex((e) => e.type === 'model.delta')).toBeLessThan(whole);
      expect(events.filter((e) => e.type === 'model.text')).toEqual([expect.objectContaining({ text: pieces.join('') })]);
      expect(events.filter((e) => e.type === 'model.thinking')).toEqual([expect.objectContaining({ text: reasoning.join('') })]);
      // A delta takes no sequence number of its own: it carries the one of the journaled event it follows.
      const stepSeq = events.find((e) => e.type === 'step.started')!.seq;
      for (const d of events.filter((e) => e.type === 'model.delta')) expect(d.seq).toBe(stepSeq);
      // The journal: the turn's text once, no deltas, sequence numbers without gaps; what the listeners saw minus the deltas.
      expect(journaled.some((e) => (e.type as string) === 'model.delta')).toBe(false);
      expect(journaled.filter((e) => e.type === 'model.text').map((e) => (e as { text: string }).text)).toEqual([pieces.join('')]);
      expect(journaled.map((e) => e.seq)).toEqual(journaled.map((_e, i) => i));
      expect(journaled).toEqual(events.filter((e) => e.type !== 'model.delta'));
    });
  }

  it('openai: a <think> block split across pieces never shows in the live text', async () => {
    const pieces = ['<thi', 'nk>Which file holds ', 'the model?</th', 'ink>', 'Adding the ', 'field <', 'b>now</b>.'];
    const { outcome, events } = await run('openai', (_b, n) => (n === 1 ? { pieces, call: { name: 'list_files', args: { path: '.' } } } : { call: { name: 'complete_task', args: { summary: 'done' } } }));
    expect(outcome.state, JSON.stringify(outcome)).toBe('completed');
    const text = deltas(events, 'text');
    expect(text.length).toBeGreaterThan(1);
    expect(text.join('')).toBe('Adding the field <b>now</b>.');
    expect(text.join('')).not.toMatch(/think|<th|ink>/);
    expect(deltas(events, 'thinking').join('')).toBe('Which file holds the model?');
    expect(events.find((e) => e.type === 'model.text')).toMatchObject({ text: 'Adding the field <b>now</b>.' });
    expect(events.find((e) => e.type === 'model.thinking')).toMatchObject({ text: 'Which file holds the model?' });
  });
});
