import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Executor } from '../../../src/core/agent/executor.js';
import { selectTasks } from '../../../src/core/agent/taskSelection.js';
import { OpenAICompatibleModel } from '../../../src/core/models/openaiModel.js';
import { PolicyGate } from '../../../src/core/policy/gate.js';
import { realFileSystem } from '../../../src/core/policy/paths.js';
import type { RunEvent } from '../../../src/core/runs/events.js';
import { Journal } from '../../../src/core/runs/journal.js';
import { agentSettingsSchema } from '../../../src/core/settings/schema.js';
import { loadTasks } from '../../../src/core/spec/index.js';
import { EXAMPLE_TASKS, exampleRepo } from '../../support/exampleRepo.js';
import { bodies, closeServer, serve, type Answer, type Body } from '../../support/wireServer.js';

// Answers of real servers the executor must read right (issue 13): cut at the output limit, arguments that are no JSON.
let gate: PolicyGate;
beforeAll(async () => {
  gate = await PolicyGate.create();
});
afterEach(closeServer);

async function run(answer: (body: Body, n: number) => Answer, extra: Record<string, unknown> = {}) {
  const ws = await exampleRepo('answers');
  const base = await serve(answer);
  const settings = agentSettingsSchema.parse({ autonomyLevel: 'full', verifyCommands: [], ...extra });
  const spec = await loadTasks(join(ws, EXAMPLE_TASKS));
  const journal = Journal.open(ws, `run-answers-${Math.random().toString(16).slice(2, 8)}`);
  const events: RunEvent[] = [];
  journal.onEvent((e) => events.push(e));
  const model = new OpenAICompatibleModel({ id: 'vllm:m', model: 'm', baseURL: base, maxRetries: 0 });
  const outcome = await new Executor({ workspace: ws, tasksFile: join(ws, EXAMPLE_TASKS), tasks: selectTasks(spec.tree, '2.1').tasks, model, gate, settings: () => settings, context: { workspaceRoot: ws, home: '/nonexistent-home', sandbox: true }, fsView: realFileSystem, journal, signal: new AbortController().signal }).run();
  journal.close();
  return { ws, outcome, events };
}
const lastTool = (b: Body) => b.messages.filter((m) => m.role === 'tool').at(-1)?.content ?? '';

describe('answers the executor reads as the server meant them', () => {
  it('an answer cut at the output limit runs none of its calls and tells the model to write in smaller pieces', async () => {
    const { ws, outcome, events } = await run((body, n) => {
      if (n === 1) return { call: { name: 'write_file', args: '{"path":"big.txt","content":"aaaa' }, finish: 'length' };
      if (n === 2) return { call: { name: 'write_file', args: { path: 'small.txt', content: 'a\n' } } };
      return { call: { name: 'complete_task', args: { summary: 'done' } } };
    });
    expect(outcome.state, JSON.stringify(outcome)).toBe('completed');
    expect(lastTool(bodies[1]!)).toMatch(/^Your answer was cut at the output-token limit, so its tool calls were not run .*smaller pieces/);
    expect(existsSync(join(ws, 'big.txt'))).toBe(false);
    expect(existsSync(join(ws, 'small.txt'))).toBe(true);
    expect(events.find((e) => e.type === 'tool.finished')).toMatchObject({ ok: false, output: expect.stringMatching(/cut at the output-token limit/) });
  });

  it("a reasoning model's <think> block is journaled as thinking and never sent back; a tool call written as text runs", async () => {
    const { ws, outcome, events } = await run((body, n) => {
      if (n === 1) return { text: '<think>I should create the notes file first.</think>Creating it.\n<tool_call>{"name": "write_file", "arguments": {"path": "notes.md", "content": "x\\n"}}</tool_call>' };
      return { call: { name: 'complete_task', args: { summary: 'done' } } };
    });
    expect(outcome.state, JSON.stringify(outcome)).toBe('completed');
    expect(existsSync(join(ws, 'notes.md'))).toBe(true);
    expect(events.find((e) => e.type === 'model.thinking')).toMatchObject({ text: 'I should create the notes file first.' });
    expect(events.find((e) => e.type === 'model.text')).toMatchObject({ text: 'Creating it.' });
    const sentBack = JSON.stringify(bodies[1]!.messages);
    expect(sentBack).not.toContain('I should create');
    expect(sentBack).not.toContain('<tool_call>');
  });

  it('a rate limit that outlasts the retries pauses the run with Resume, instead of failing it', async () => {
    const { outcome, events } = await run(() => ({ status: 429, error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } }));
    expect(outcome).toMatchObject({ state: 'paused', kind: 'rate-limit' });
    expect(outcome.reason).toMatch(/rate limited \(429: Rate limit reached for requests\).*Resume goes on from here/);
    expect(events.find((e) => e.type === 'run.paused')).toMatchObject({ kind: 'rate-limit' });
  });

  it('maxTokensPerTask pauses before the turn that would go past it, saying what was spent (the server counts the tokens)', async () => {
    const { outcome } = await run(() => ({ call: { name: 'list_files', args: {} } }), { maxTokensPerTask: 5000 });
    expect(outcome).toMatchObject({ state: 'paused', kind: 'budget' });
    expect(outcome.reason).toMatch(/^task 2\.1 reached maxTokensPerTask \(5,000\): [\d,]+ tokens \([\d,]+ in, [\d,]+ out\) in \d+ model turns?, \d+ s\. Raise agent\.maxTokensPerTask in \.kiro\/settings\.json \(or remove it\), then Resume; or resume with a raised limit for this run only \(the panel.s Resume with a raised limit, `spec-agent runs resume run-answers-\w+ --max-tokens-per-task N`\)\.$/);
    // Each request is more than 1,000 tokens here: paused after a few turns, not at the 200-turn default.
    expect(bodies.length).toBeGreaterThan(0);
    expect(bodies.length).toBeLessThan(6);
  });

  it('arguments that are no JSON are said to be so, with the parse error, and nothing runs', async () => {
    const { ws, outcome } = await run((body, n) => {
      if (n === 1) return { call: { name: 'write_file', args: '{"path": "x.txt", "content": "a",}' } };
      return { call: { name: 'complete_task', args: { summary: 'done' } } };
    });
    expect(outcome.state).toBe('completed');
    expect(lastTool(bodies[1]!)).toMatch(/^The arguments of this write_file call were not valid JSON \(.*(position|JSON).*\)\. Send the call again/);
    expect(existsSync(join(ws, 'x.txt'))).toBe(false);
  });
});
