// Issue 12 §2: how much of each request a provider can read from its prompt cache. The executor runs a task
// against a local OpenAI-compatible server that records every request body; from the second request on, the
// cacheable part is the prefix it shares with the request before it (what OpenAI's automatic cache and
// Anthropic's breakpoints reuse). Measured with a window the task fits in, and with one small enough that the
// conversation is condensed once (a condense rewrites the history, so the request after it starts a new prefix).
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONDENSE_REQUEST } from '../src/core/agent/condense.js';
import { Executor } from '../src/core/agent/executor.js';
import { selectTasks } from '../src/core/agent/taskSelection.js';
import { OpenAICompatibleModel } from '../src/core/models/openaiModel.js';
import { PolicyGate } from '../src/core/policy/gate.js';
import { realFileSystem } from '../src/core/policy/paths.js';
import { Journal } from '../src/core/runs/journal.js';
import { agentSettingsSchema } from '../src/core/settings/schema.js';
import { loadTasks } from '../src/core/spec/index.js';

const TASKS = '.kiro/specs/todo-priorities/tasks.md';
const row = (label: string, value: string, extra = '') => console.log(`${label.padEnd(58)} ${value.padStart(12)}${extra ? `  ${extra}` : ''}`);

/** The task's turns: reads, a search, an edit, more reads, then complete_task. */
const TURNS = [
  { name: 'list_files', args: {} },
  { name: 'read_file', args: { path: 'src/todo.js' } },
  { name: 'read_file', args: { path: 'test/todo.test.js' } },
  { name: 'read_file', args: { path: 'notes.txt' } },
  { name: 'search_files', args: { pattern: 'priority' } },
  { name: 'edit_file', args: { path: 'src/todo.js', oldText: 'class TodoList', newText: 'class TodoList /* priorities */' } },
  { name: 'read_file', args: { path: 'src/todo.js' } },
  { name: 'list_files', args: { path: 'src' } },
  { name: 'complete_task', args: { summary: 'bench' } },
];

async function measure(contextWindow: number): Promise<{ requests: number; share: number; condensed: number }> {
  const ws = mkdtempSync(join(tmpdir(), 'spec-agent-bench-context-'));
  cpSync(join(process.cwd(), 'examples/todo-app'), ws, { recursive: true });
  writeFileSync(join(ws, 'notes.txt'), Array.from({ length: 250 }, (_, i) => `note ${i}: ${'lorem ipsum dolor sit amet '.repeat(3)}`).join('\n'));
  const bodies: string[] = [];
  let turn = 0;
  let condensed = 0;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const body = JSON.parse(raw) as { messages: Array<{ content: string | null }>; tools: unknown };
      // The order a provider tokenizes the prompt in: tools, then the messages (system first).
      bodies.push(JSON.stringify({ tools: body.tools, messages: body.messages }));
      const summarise = body.messages.at(-1)?.content === CONDENSE_REQUEST;
      if (summarise) condensed++;
      const call = summarise ? undefined : TURNS[Math.min(turn++, TURNS.length - 1)]!;
      const chunk = (o: unknown) => `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', ...(o as object) })}\n\n`;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (call) res.write(chunk({ choices: [{ index: 0, delta: { role: 'assistant', tool_calls: [{ index: 0, id: `c${turn}`, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args) } }] }, finish_reason: 'tool_calls' }] }));
      else res.write(chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Summary: read the files, edited src/todo.js.' }, finish_reason: 'stop' }] }));
      res.write(chunk({ choices: [], usage: { prompt_tokens: Math.ceil(raw.length / 4), completion_tokens: 30, total_tokens: Math.ceil(raw.length / 4) + 30 } }));
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const gate = await PolicyGate.create();
    const settings = agentSettingsSchema.parse({ autonomyLevel: 'full', verifyCommands: [] });
    const spec = await loadTasks(join(ws, TASKS));
    const journal = Journal.open(ws, 'bench-context');
    const model = new OpenAICompatibleModel({ id: 'bench:m', model: 'm', baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, contextWindow, maxRetries: 0 });
    const outcome = await new Executor({ workspace: ws, tasksFile: join(ws, TASKS), tasks: selectTasks(spec.tree, '2.1').tasks, model, gate, settings: () => settings, context: { workspaceRoot: ws, sandbox: true }, fsView: realFileSystem, journal, signal: new AbortController().signal }).run();
    journal.close();
    if (outcome.state !== 'completed') throw new Error(`bench run ended ${outcome.state}: ${outcome.reason}`);
  } finally {
    server.closeAllConnections();
    server.close();
  }
  let shared = 0;
  let total = 0;
  for (let i = 1; i < bodies.length; i++) {
    shared += commonPrefix(bodies[i - 1]!, bodies[i]!);
    total += bodies[i]!.length;
  }
  return { requests: bodies.length, share: shared / total, condensed };
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  // A prefix ends where a message ends: the provider caches whole blocks, not a partial last one.
  return i === n ? i : Math.max(0, a.lastIndexOf('},{', i));
}

const TIGHT = 10_000;

export async function benchContext(): Promise<void> {
  console.log('\nprompt cache (a 9-turn task against a recording OpenAI-compatible server)');
  const roomy = await measure(128_000);
  row(`  cacheable share of input, requests 2..${roomy.requests}`, `${(roomy.share * 100).toFixed(1)} %`, 'target >= 70 %');
  const tight = await measure(TIGHT);
  row(`  same, a ${TIGHT / 1000}k window: condensed ${tight.condensed}×, ${tight.requests} requests`, `${(tight.share * 100).toFixed(1)} %`);
}
