import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../../../src/core/agent/executor.js';
import { selectTasks } from '../../../src/core/agent/taskSelection.js';
import { OpenAICompatibleModel } from '../../../src/core/models/openaiModel.js';
import { PolicyGate } from '../../../src/core/policy/gate.js';
import { realFileSystem } from '../../../src/core/policy/paths.js';
import type { RunEvent } from '../../../src/core/runs/events.js';
import { Journal } from '../../../src/core/runs/journal.js';
import { summarise } from '../../../src/core/runs/summary.js';
import { agentSettingsSchema } from '../../../src/core/settings/schema.js';
import { loadTasks } from '../../../src/core/spec/index.js';
import { EXAMPLE_TASKS, exampleRepo } from '../../support/exampleRepo.js';
import { bodies, closeServer, serve, type Answer, type Body } from '../../support/wireServer.js';

// What a run costs and how long it waits, against a real HTTP server speaking the OpenAI wire protocol (issue 13).
let gate: PolicyGate;
beforeAll(async () => {
  gate = await PolicyGate.create();
});
afterEach(closeServer);

type Usage = Extract<RunEvent, { type: 'model.usage' }>;
const usages = (events: RunEvent[]) => events.filter((e): e is Usage => e.type === 'model.usage');

async function run(modelId: string, answer: (body: Body, n: number) => Answer, o: { settings?: Record<string, unknown>; maxRetries?: number; onEvent?: (e: RunEvent, stop: AbortController) => void } = {}) {
  const ws = await exampleRepo('costs');
  const base = await serve(answer);
  const settings = agentSettingsSchema.parse({ autonomyLevel: 'full', verifyCommands: [], ...o.settings });
  const spec = await loadTasks(join(ws, EXAMPLE_TASKS));
  const journal = Journal.open(ws, `run-costs-${Math.random().toString(16).slice(2, 8)}`);
  const events: RunEvent[] = [];
  const stop = new AbortController();
  journal.onEvent((e) => {
    events.push(e);
    o.onEvent?.(e, stop);
  });
  const model = new OpenAICompatibleModel({ id: modelId, model: modelId.split(':')[1]!, baseURL: base, maxRetries: o.maxRetries ?? 0 });
  const outcome = await new Executor({ workspace: ws, tasksFile: join(ws, EXAMPLE_TASKS), tasks: selectTasks(spec.tree, '2.1').tasks, model, gate, settings: () => settings, context: { workspaceRoot: ws, home: '/nonexistent-home', sandbox: true }, fsView: realFileSystem, journal, signal: stop.signal }).run();
  journal.close();
  return { outcome, events, host: new URL(base).host };
}
const done: Answer = { call: { name: 'complete_task', args: { summary: 'done' } } };

describe('the cost of a run', () => {
  it("is the price table's when the provider reports none: cached input at the cached rate", async () => {
    const { outcome, events } = await run('openai:gpt-4o-2024-08-06', (_, n) => (n === 1 ? { call: { name: 'list_files', args: {} }, usage: { cached: 1000 } } : done));
    expect(outcome.state, JSON.stringify(outcome)).toBe('completed');
    const [first, second] = usages(events);
    expect(first).toMatchObject({ cachedInputTokens: 1000, outputTokens: 20, costSource: 'table' });
    // gpt-4o: $2.50 per million uncached, $1.25 cached, $10 out.
    expect(first!.costUsd).toBeCloseTo(((first!.inputTokens! - 1000) * 2.5 + 1000 * 1.25 + 20 * 10) / 1e6, 12);
    expect(second!.costUsd).toBeCloseTo((second!.inputTokens! * 2.5 + 20 * 10) / 1e6, 12);
    const s = summarise(events);
    expect(s.tokens.costUsd).toBeCloseTo(first!.costUsd! + second!.costUsd!, 12);
  });

  it("is the provider's own (OpenRouter's usage.cost) when it reports one, table or not", async () => {
    const { events } = await run('openrouter:openai/gpt-4o', (_, n) => (n === 1 ? { call: { name: 'list_files', args: {} }, usage: { cost: 0.0123 } } : { ...done, usage: { cost: 0.0007 } }));
    expect(usages(events).map((u) => [u.costUsd, u.costSource])).toEqual([
      [0.0123, 'provider'],
      [0.0007, 'provider'],
    ]);
    expect(summarise(events).tokens.costUsd).toBeCloseTo(0.013, 12);
  });

  it('is unknown for a model in no table whose provider reports none: tokens only, "no price known"', async () => {
    const { events } = await run('vllm:m', () => done);
    const [u] = usages(events);
    expect(u!.inputTokens).toBeGreaterThan(0);
    expect(u).not.toHaveProperty('costUsd');
    const s = summarise(events);
    expect(s.tokens).toMatchObject({ unpriced: 1 });
    expect(s.tokens).not.toHaveProperty('costUsd');
  });

  it("maxCostPerRun pauses on the table's cost, saying what was spent and how it was priced", async () => {
    const { outcome } = await run('openai:gpt-4o', () => ({ call: { name: 'list_files', args: {} } }), { settings: { maxCostPerRun: 0.01 } });
    expect(outcome).toMatchObject({ state: 'paused', kind: 'budget' });
    expect(outcome.reason).toMatch(/^the run reached maxCostPerRun \(\$0\.010\): \$0\.0\d+ \(the provider's reported cost, else the price table's rates for gpt-4o as of 2026-12-07\); task 2\.1 so far: [\d,]+ tokens .* `spec-agent runs resume run-costs-\w+ --max-cost-per-run N`\)\.$/);
    expect(bodies.length).toBeGreaterThan(0);
    expect(bodies.length).toBeLessThan(5);
  });
});

describe('waits of the model client', () => {
  it('a 429 with retry-after: 1 is one model.waiting event (host, status, until), and the retry goes out no sooner', async () => {
    const arrived: number[] = [];
    const { outcome, events, host } = await run(
      'vllm:m',
      (_, n) => {
        arrived.push(Date.now());
        return n === 1 ? { status: 429, error: { message: 'Rate limit reached for requests', type: 'requests' }, headers: { 'retry-after': '1' } } : done;
      },
      { maxRetries: 2 },
    );
    expect(outcome.state, JSON.stringify(outcome)).toBe('completed');
    const waits = events.filter((e) => e.type === 'model.waiting');
    expect(waits).toEqual([expect.objectContaining({ host, status: 429, attempt: 1, retryAfter: true })]);
    const w = waits[0] as Extract<RunEvent, { type: 'model.waiting' }>;
    const wait = Date.parse(w.until) - Date.parse(w.time);
    expect(wait).toBeGreaterThanOrEqual(990);
    expect(wait).toBeLessThanOrEqual(1010);
    expect(arrived[1]! - arrived[0]!).toBeGreaterThanOrEqual(990);
    // Before the answer it waited for.
    expect(events.findIndex((e) => e.type === 'model.waiting')).toBeLessThan(events.findIndex((e) => e.type === 'model.usage'));
  });

  it('Stop ends a wait at once (the SDK sleep would not): the run is stopped, not left waiting 60 s', async () => {
    const started = Date.now();
    const { outcome } = await run('vllm:m', () => ({ status: 429, error: { message: 'slow down' }, headers: { 'retry-after': '60' } }), {
      maxRetries: 2,
      onEvent: (e, stop) => {
        if (e.type === 'model.waiting') stop.abort();
      },
    });
    expect(outcome.state).toBe('stopped');
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(bodies).toHaveLength(1);
  });

  it('still rate limited after the retries: the run pauses with Resume (each wait journaled)', async () => {
    const { outcome, events } = await run('vllm:m', () => ({ status: 429, error: { message: 'Rate limit reached for requests' }, headers: { 'retry-after-ms': '10' } }), { maxRetries: 2 });
    expect(outcome).toMatchObject({ state: 'paused', kind: 'rate-limit' });
    expect(events.filter((e) => e.type === 'model.waiting').map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2]);
    expect(bodies).toHaveLength(3);
  });
});
