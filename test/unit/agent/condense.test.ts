import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bodies, closeServer, serve, type Body } from '../../support/wireServer.js';
import { CONDENSE_REQUEST, ContextMeter } from '../../../src/core/agent/condense.js';
import { estimateTokens } from '../../../src/core/agent/contextBudget.js';
import { Executor } from '../../../src/core/agent/executor.js';
import { selectTasks } from '../../../src/core/agent/taskSelection.js';
import type { ChatMessage } from '../../../src/core/models/chatModel.js';
import { OpenAICompatibleModel } from '../../../src/core/models/openaiModel.js';
import { PolicyGate } from '../../../src/core/policy/gate.js';
import { realFileSystem } from '../../../src/core/policy/paths.js';
import type { RunEvent } from '../../../src/core/runs/events.js';
import { Journal } from '../../../src/core/runs/journal.js';
import { agentSettingsSchema } from '../../../src/core/settings/schema.js';
import { loadTasks } from '../../../src/core/spec/index.js';
import { EXAMPLE_TASKS, exampleRepo } from '../../support/exampleRepo.js';

afterEach(closeServer);

let gate: PolicyGate;
beforeAll(async () => {
  gate = await PolicyGate.create();
});

async function run(ws: string, baseURL: string, contextWindow: number) {
  const settings = agentSettingsSchema.parse({ autonomyLevel: 'balanced', allowedCommands: [], verifyCommands: [] });
  const spec = await loadTasks(join(ws, EXAMPLE_TASKS));
  const { tasks } = selectTasks(spec.tree, '2.1');
  const journal = Journal.open(ws, `run-condense-${Math.random().toString(16).slice(2, 8)}`);
  const events: RunEvent[] = [];
  journal.onEvent((e) => events.push(e));
  const model = new OpenAICompatibleModel({ id: 'vllm:m', model: 'm', baseURL, contextWindow, maxRetries: 0 });
  const outcome = await new Executor({ workspace: ws, tasksFile: join(ws, EXAMPLE_TASKS), tasks, model, gate, settings: () => settings, context: { workspaceRoot: ws, home: '/nonexistent-home' }, fsView: realFileSystem, journal, signal: new AbortController().signal }).run();
  journal.close();
  return { outcome, events };
}

const isCondenseRequest = (b: Body) => b.messages.at(-1)?.role === 'user' && b.messages.at(-1)?.content === CONDENSE_REQUEST;
const SUMMARY = '1. Task: priorities.\n2. Decisions: none yet.\n3. Files changed: none.\n4. Commands: none.\n5. What remains: edit src/todo.js.';

/** A 30,000-character file: reading it takes the conversation past 80 % of a 12,000-token window. */
async function bigFile(ws: string): Promise<void> {
  await writeFile(join(ws, 'notes.txt'), Array.from({ length: 300 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(90)}`).join('\n') + '\n');
}

describe('context that survives long tasks', () => {
  it('condenses with the model past 80 % of the window, keeping the instructions, the task and the last turn', async () => {
    const ws = await exampleRepo('condense');
    await bigFile(ws);
    const base = await serve((body) => {
      if (isCondenseRequest(body)) return { text: SUMMARY };
      const results = body.messages.filter((m) => m.role === 'tool').length;
      if (body.messages.some((m) => m.content?.startsWith('Summary of the work on this task so far'))) return { call: { name: 'complete_task', args: { summary: 'done after condensing' } } };
      return results === 0 ? { call: { name: 'read_file', args: { path: 'notes.txt' } } } : { call: { name: 'list_files', args: {} } };
    });
    const { outcome, events } = await run(ws, base, 12_000);
    expect(outcome.state, JSON.stringify(outcome)).toBe('completed');

    const condensed = events.find((e) => e.type === 'context.condensed');
    expect(condensed).toMatchObject({ by: 'model', reason: 'window', summary: SUMMARY, replaced: 2 });
    if (condensed?.type !== 'context.condensed') throw new Error('no context.condensed');
    expect(condensed.tokensAfter).toBeLessThan(condensed.tokensBefore / 2);

    // The summary request: the whole conversation, the same tools, and the request to summarise last.
    const summaryRequest = bodies.find(isCondenseRequest)!;
    expect(summaryRequest.messages.some((m) => m.content?.includes('line 299'))).toBe(true);
    // The request after it: system, task, summary, then the latest turns (the small list_files ones) word for word.
    const after = bodies[bodies.indexOf(summaryRequest) + 1]!;
    const before = bodies[bodies.indexOf(summaryRequest) - 1]!;
    const kept = after.messages.slice(3);
    expect(after.messages.slice(0, 3).map((m) => m.role)).toEqual(['system', 'user', 'user']);
    expect(after.messages[2]!.content).toContain(SUMMARY);
    expect(after.messages[1]!.content).toBe(bodies[0]!.messages[1]!.content);
    expect(kept.length).toBeGreaterThanOrEqual(2);
    expect(kept.map((m) => m.role)).toEqual(kept.map((_, i) => (i % 2 === 0 ? 'assistant' : 'tool')));
    expect(kept.filter((m) => m.role === 'assistant').map((m) => (m.tool_calls as Array<{ function: { name: string } }>)[0]!.function.name)).toEqual(kept.filter((m) => m.role === 'assistant').map(() => 'list_files'));
    // Word for word: the end of the last request before the summary, and the turn that answered it.
    const fromBefore = kept.length - 2;
    expect(JSON.stringify(kept)).toBe(JSON.stringify([...(fromBefore > 0 ? before.messages.slice(-fromBefore) : []), ...after.messages.slice(-2)]));
    expect(after.messages.some((m) => m.content?.includes('line 299'))).toBe(false);
    // The summary request's tokens are counted with the run's.
    expect(events.filter((e) => e.type === 'model.usage')).toHaveLength(bodies.length);
  });

  it('when the model writes no summary, a digest of the calls made stands in, and the run goes on', async () => {
    const ws = await exampleRepo('condense-digest');
    await bigFile(ws);
    const base = await serve((body) => {
      if (isCondenseRequest(body)) return { status: 500, error: { message: 'the summariser is down' } };
      if (body.messages.some((m) => m.content?.startsWith('Summary of the work on this task so far'))) return { call: { name: 'complete_task', args: { summary: 'done' } } };
      return body.messages.some((m) => m.role === 'tool') ? { call: { name: 'list_files', args: {} } } : { call: { name: 'read_file', args: { path: 'notes.txt' } } };
    });
    const { outcome, events } = await run(ws, base, 12_000);
    expect(outcome.state, JSON.stringify(outcome)).toBe('completed');
    const condensed = events.find((e) => e.type === 'context.condensed');
    expect(condensed).toMatchObject({ by: 'digest', summary: expect.stringMatching(/^\(The model could not write the summary.*\n- read_file notes\.txt\n  -> /) });
  });

  it('a context-overflow answer condenses and retries once; a second one pauses the run with what to do', async () => {
    const ws = await exampleRepo('overflow');
    await bigFile(ws);
    const overflow = { status: 400, error: { message: 'This model maximum context length is 8192 tokens.', type: 'invalid_request_error', code: 'context_length_exceeded' } };
    let condensedOnce = false;
    const base = await serve((body) => {
      if (isCondenseRequest(body)) {
        condensedOnce = true;
        return { text: SUMMARY };
      }
      const results = body.messages.filter((m) => m.role === 'tool').length;
      if (results === 0) return { call: { name: 'read_file', args: { path: 'notes.txt' } } };
      if (results === 1) return { call: { name: 'list_files', args: {} } };
      // The window is configured large (no condensing by the count), but the server says the prompt is too long.
      return body.messages.some((m) => m.content?.includes('line 299')) ? overflow : { call: { name: 'complete_task', args: { summary: 'done' } } };
    });
    const { outcome, events } = await run(ws, base, 64_000);
    expect(outcome.state, JSON.stringify(outcome)).toBe('completed');
    expect(condensedOnce).toBe(true);
    expect(events.find((e) => e.type === 'context.condensed')).toMatchObject({ reason: 'overflow', by: 'model' });

    // Now a server that overflows whatever is sent after the first turn: condensing cannot help, the run pauses.
    const ws2 = await exampleRepo('overflow2');
    await bigFile(ws2);
    await closeServer();
    const base2 = await serve((body) => {
      if (isCondenseRequest(body)) return { text: SUMMARY };
      const results = body.messages.filter((m) => m.role === 'tool').length;
      if (results === 0) return { call: { name: 'read_file', args: { path: 'notes.txt' } } };
      if (results === 1) return { call: { name: 'list_files', args: {} } };
      return overflow;
    });
    const second = await run(ws2, base2, 64_000);
    expect(second.outcome).toMatchObject({ state: 'paused', kind: 'context' });
    expect(second.outcome.reason).toMatch(/does not fit the model's context window \(64,000 tokens as configured\) even after condensing.*--context-window/);
    expect(second.events.find((e) => e.type === 'run.paused')).toMatchObject({ kind: 'context' });
  });
});

describe('the context meter', () => {
  const convo = (n: number): ChatMessage[] => [
    { role: 'system', content: 's'.repeat(400) },
    { role: 'user', content: 'u'.repeat(400) },
    ...Array.from({ length: n }, (_, i): ChatMessage[] => [
      { role: 'assistant', content: '', toolCalls: [{ id: `c${i}`, tool: 'read_file', input: { path: 'a' } }] },
      { role: 'tool', toolCallId: `c${i}`, tool: 'read_file', content: 'r'.repeat(4000) },
    ]).flat(),
  ];

  it("counts with the provider's figure for what was sent and estimates only what was added since", () => {
    const meter = new ContextMeter();
    const messages = convo(1);
    expect(meter.estimate(messages)).toBe(estimateTokens(messages));
    const sent = messages.length;
    // The provider counted far more than chars/4 would (a tokenizer that splits 'rrrr…' finely).
    meter.record(messages, sent, { inputTokens: 5000, outputTokens: 30 });
    messages.push({ role: 'assistant', content: '', toolCalls: [{ id: 'n', tool: 'list_files', input: {} }] }, { role: 'tool', toolCallId: 'n', tool: 'list_files', content: 'x'.repeat(400) });
    expect(meter.estimate(messages)).toBe(5030 + estimateTokens(messages.slice(sent + 1)));
    // Another conversation (the next task), or this one rewritten: back to the estimate.
    expect(meter.estimate(convo(1))).toBe(estimateTokens(convo(1)));
    meter.reset();
    expect(meter.estimate(messages)).toBe(estimateTokens(messages));
  });
});
