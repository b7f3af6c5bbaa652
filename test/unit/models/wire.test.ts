import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AnthropicModel } from '../../../src/core/models/anthropicModel.js';
import { ModelError, type ChatRequest } from '../../../src/core/models/chatModel.js';
import { OpenAICompatibleModel } from '../../../src/core/models/openaiModel.js';
import { createModel } from '../../../src/core/models/providers.js';
import { toolJsonSchemas } from '../../../src/core/tools/registry.js';

/** A real HTTP server on loopback, answering each request with the next scripted handler. */
let server: Server | undefined;
const requests: Array<{ url: string; body: Record<string, unknown>; headers: IncomingMessage['headers'] }> = [];
async function serve(...handlers: Array<(res: ServerResponse) => void>): Promise<string> {
  requests.length = 0;
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', body: raw ? JSON.parse(raw) : {}, headers: req.headers });
      (handlers.shift() ?? ((r) => r.writeHead(500).end()))(res);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(async () => {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise((r) => s.close(r));
});

const sse = (res: ServerResponse, events: string[], opts: { drop?: boolean } = {}) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const e of events) res.write(e);
  if (opts.drop) res.socket?.destroy();
  else res.end();
};
const data = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const chunk = (delta: unknown, finish: string | null = null) => data({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });
const request = (): ChatRequest => ({ messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'do it' }], tools: toolJsonSchemas(), signal: new AbortController().signal });

const toolCallStream = [
  chunk({ role: 'assistant', content: 'Reading ' }),
  chunk({ content: 'the file.' }),
  chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"path":' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '"src/a.ts"}' } }] }),
  chunk({}, 'tool_calls'),
  data({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 } }),
  'data: [DONE]\n\n',
];

describe('the OpenAI-compatible provider on the wire', () => {
  it('streams text and assembles tool-call deltas, with usage', async () => {
    const base = await serve((res) => sse(res, toolCallStream));
    const model = new OpenAICompatibleModel({ id: 'vllm:m', model: 'm', baseURL: `${base}/v1`, maxRetries: 0 });
    const streamed: string[] = [];
    const r = await model.complete({ ...request(), onDelta: (d) => 'text' in d && streamed.push(d.text) });
    expect(r).toEqual({ text: 'Reading the file.', toolCalls: [{ id: 'call_1', tool: 'read_file', input: { path: 'src/a.ts' } }], usage: { inputTokens: 12, outputTokens: 7 } });
    expect(streamed).toEqual(['Reading ', 'the file.']);
    expect(requests[0]!.url).toBe('/v1/chat/completions');
    expect(requests[0]!.body).toMatchObject({ model: 'm', stream: true, messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'do it' }] });
    expect((requests[0]!.body.tools as Array<{ function: { name: string } }>).map((t) => t.function.name)).toContain('run_command');
  });

  it('gives tool calls a unique id when the server sends none, and keeps the ids it sends', async () => {
    const noIds = [
      chunk({ role: 'assistant', tool_calls: [{ index: 0, type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } }] }),
      chunk({ tool_calls: [{ index: 1, type: 'function', function: { name: 'list_files', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
      'data: [DONE]\n\n',
    ];
    const base = await serve((res) => sse(res, noIds), (res) => sse(res, noIds), (res) => sse(res, toolCallStream));
    const model = new OpenAICompatibleModel({ id: 'ollama:m', model: 'm', baseURL: `${base}/v1`, maxRetries: 0 });
    const first = await model.complete(request());
    const second = await model.complete(request());
    const ids = [...first.toolCalls, ...second.toolCalls].map((c) => c.id);
    expect(first.toolCalls.map((c) => c.tool)).toEqual(['read_file', 'list_files']);
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^call-[0-9a-f-]{36}$/);
    // The id goes back to the server with the call and its result, as sent.
    const third = await model.complete({ ...request(), messages: [...request().messages, { role: 'assistant', content: '', toolCalls: first.toolCalls }, { role: 'tool', toolCallId: ids[0]!, tool: 'read_file', content: 'x' }] });
    expect(requests[2]!.body.messages).toMatchObject([{}, {}, { role: 'assistant', tool_calls: [{ id: ids[0] }, { id: ids[1] }] }, { role: 'tool', tool_call_id: ids[0] }]);
    expect(third.toolCalls.map((c) => c.id)).toEqual(['call_1']);
  });

  it('retries a connection dropped mid-answer once (undici: "terminated"), acting on nothing of the partial answer', async () => {
    const base = await serve((res) => sse(res, toolCallStream.slice(0, 4), { drop: true }), (res) => sse(res, toolCallStream));
    const r = await new OpenAICompatibleModel({ id: 'openai:m', model: 'm', baseURL: `${base}/v1`, apiKey: 'k', maxRetries: 0 }).complete(request());
    expect(r.toolCalls).toEqual([{ id: 'call_1', tool: 'read_file', input: { path: 'src/a.ts' } }]);
    expect(requests).toHaveLength(2);
  });

  // Shapes of tool-call deltas servers really send (issue 13, from recorded traffic).
  it.each([
    [
      'Mistral: parallel calls whole, with ids and no index',
      [chunk({ role: 'assistant', tool_calls: [{ id: 'a1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } }] }), chunk({ tool_calls: [{ id: 'b2', type: 'function', function: { name: 'read_file', arguments: '{"path":"b"}' } }] }), chunk({}, 'tool_calls')],
      [{ id: 'a1', tool: 'read_file', input: { path: 'a' } }, { id: 'b2', tool: 'read_file', input: { path: 'b' } }],
    ],
    [
      'a server that repeats the name in every delta',
      [chunk({ tool_calls: [{ index: 0, id: 'c1', function: { name: 'read_file', arguments: '{"path":' } }] }), chunk({ tool_calls: [{ index: 0, function: { name: 'read_file', arguments: '"a"}' } }] }), chunk({}, 'tool_calls')],
      [{ id: 'c1', tool: 'read_file', input: { path: 'a' } }],
    ],
    [
      'OpenAI: interleaved parallel calls by index',
      [chunk({ tool_calls: [{ index: 0, id: 'x', function: { name: 'read_file', arguments: '' } }, { index: 1, id: 'y', function: { name: 'list_files', arguments: '' } }] }), chunk({ tool_calls: [{ index: 1, function: { arguments: '{}' } }, { index: 0, function: { arguments: '{"path":"p"}' } }] }), chunk({}, 'tool_calls')],
      [{ id: 'x', tool: 'read_file', input: { path: 'p' } }, { id: 'y', tool: 'list_files', input: {} }],
    ],
  ])('assembles tool calls: %s', async (_what, events, expected) => {
    const base = await serve((res) => sse(res, [...events, 'data: [DONE]\n\n']));
    const r = await new OpenAICompatibleModel({ id: 'x:m', model: 'm', baseURL: `${base}/v1`, maxRetries: 0 }).complete(request());
    expect(r.toolCalls).toEqual(expected);
  });

  // Local and reasoning models (Qwen and DeepSeek-R1 through Ollama/LM Studio/vLLM, DeepSeek's API, OpenRouter).
  it.each([
    ['<think> blocks in the content (Ollama, LM Studio)', [chunk({ role: 'assistant', content: '<think>The user wants' }), chunk({ content: ' a file read.</think>\n\nReading it.' }), chunk({}, 'stop')], { text: 'Reading it.', thinking: 'The user wants a file read.' }],
    ['only a closing tag (vLLM with a reasoning parser off)', [chunk({ content: 'plan: read a\n</think>Done.' }), chunk({}, 'stop')], { text: 'Done.', thinking: 'plan: read a' }],
    ['reasoning_content (DeepSeek)', [chunk({ role: 'assistant', reasoning_content: 'Let me think.' }), chunk({ content: 'Answer.' }), chunk({}, 'stop')], { text: 'Answer.', thinking: 'Let me think.' }],
    ['reasoning (OpenRouter)', [chunk({ role: 'assistant', reasoning: 'Hmm.' }), chunk({ content: 'Ok.' }), chunk({}, 'stop')], { text: 'Ok.', thinking: 'Hmm.' }],
  ])('keeps the reasoning out of the answer: %s', async (_what, events, expected) => {
    const base = await serve((res) => sse(res, [...events, 'data: [DONE]\n\n']));
    const r = await new OpenAICompatibleModel({ id: 'ollama:qwen3', model: 'qwen3', baseURL: `${base}/v1`, maxRetries: 0 }).complete(request());
    expect(r).toMatchObject({ ...expected, toolCalls: [] });
  });

  it.each([
    ['<tool_call> tags (Hermes, Qwen)', 'I will read it.\n<tool_call>\n{"name": "read_file", "arguments": {"path": "src/a.ts"}}\n</tool_call>', 'I will read it.'],
    ['a bare JSON object as the whole answer', '{"name": "read_file", "arguments": {"path": "src/a.ts"}}', ''],
    ['a fenced object with arguments as a string', '```json\n{"name": "read_file", "arguments": "{\\"path\\": \\"src/a.ts\\"}"}\n```', ''],
  ])('reads tool calls written as text: %s', async (_what, content, text) => {
    const base = await serve((res) => sse(res, [chunk({ role: 'assistant', content }), chunk({}, 'stop'), 'data: [DONE]\n\n']));
    const r = await new OpenAICompatibleModel({ id: 'ollama:qwen', model: 'qwen', baseURL: `${base}/v1`, maxRetries: 0 }).complete(request());
    expect(r.text).toBe(text);
    expect(r.toolCalls).toEqual([{ id: expect.stringMatching(/^call-/), tool: 'read_file', input: { path: 'src/a.ts' } }]);
  });

  it('leaves JSON that names no tool of ours as text', async () => {
    const content = 'The config is {"name": "spec-agent", "arguments": []}';
    const base = await serve((res) => sse(res, [chunk({ role: 'assistant', content: '{"name": "rm_everything", "arguments": {}}' }), chunk({}, 'stop'), 'data: [DONE]\n\n']), (res) => sse(res, [chunk({ role: 'assistant', content }), chunk({}, 'stop'), 'data: [DONE]\n\n']));
    const model = new OpenAICompatibleModel({ id: 'ollama:qwen', model: 'qwen', baseURL: `${base}/v1`, maxRetries: 0 });
    expect(await model.complete(request())).toMatchObject({ text: '{"name": "rm_everything", "arguments": {}}', toolCalls: [] });
    expect(await model.complete(request())).toMatchObject({ text: content, toolCalls: [] });
  });

  it('says when arguments are not JSON (with the position) and when the answer was cut at the output limit', async () => {
    const base = await serve((res) => sse(res, [chunk({ tool_calls: [{ index: 0, id: 'w', function: { name: 'write_file', arguments: '{"path":"a.txt","content":"abc' } }] }), chunk({}, 'length'), 'data: [DONE]\n\n']));
    const r = await new OpenAICompatibleModel({ id: 'x:m', model: 'm', baseURL: `${base}/v1`, maxRetries: 0 }).complete(request());
    expect(r.cutAtLimit).toBe(true);
    expect(r.toolCalls[0]).toMatchObject({ id: 'w', tool: 'write_file', input: '{"path":"a.txt","content":"abc', invalidArguments: expect.stringMatching(/JSON|position|string/i) });
  });

  it('retries a 429 with backoff, then succeeds', async () => {
    const base = await serve((res) => res.writeHead(429, { 'content-type': 'application/json', 'retry-after-ms': '20' }).end(JSON.stringify({ error: { message: 'slow down' } })), (res) => sse(res, toolCallStream));
    const r = await new OpenAICompatibleModel({ id: 'openai:m', model: 'm', baseURL: `${base}/v1`, apiKey: 'k' }).complete(request());
    expect(r.toolCalls).toHaveLength(1);
    expect(requests).toHaveLength(2);
    expect(requests[0]!.headers.authorization).toBe('Bearer k');
  });

  it.each([
    ['a 401', (res: ServerResponse) => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'bad key' } })), 'auth', /refused the API key \(401: bad key\)/],
    ['an unknown model', (res: ServerResponse) => res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'no such model' } })), 'unknown-model', /does not know this model/],
    ['a malformed chunk', (res: ServerResponse) => sse(res, [chunk({ content: 'ok' }), 'data: {not json\n\n']), 'protocol', /malformed|JSON/i],
    ['a stream dropped mid-way, twice', (res: ServerResponse) => sse(res, toolCallStream.slice(0, 3), { drop: true }), 'network', /the connection to 127\.0\.0\.1:\d+ dropped mid-answer; nothing of the partial answer was run/],
    ['a 529 with a raw JSON body', (res: ServerResponse) => res.writeHead(529, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })), 'protocol', /^openai:m: the server answered 529: Overloaded \(a server-side error/],
  ])('turns %s into a clear error', async (_what, handler, kind, message) => {
    // Twice: a dropped connection is retried once.
    const base = await serve(handler, handler);
    const err = await new OpenAICompatibleModel({ id: 'openai:m', model: 'm', baseURL: `${base}/v1`, apiKey: 'k', maxRetries: 0 }).complete(request()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).kind).toBe(kind);
    expect((err as ModelError).message).toMatch(message);
  });
});

describe('Ollama', () => {
  const json = (body: unknown) => (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const reply = (res: ServerResponse) => sse(res, [chunk({ role: 'assistant', content: 'ok' }), chunk({}, 'stop'), 'data: [DONE]\n\n']);

  it("takes the window from the model's metadata (/api/show) and sends it as num_ctx", async () => {
    const base = await serve(json({ parameters: 'stop "<|im_end|>"', model_info: { 'general.architecture': 'qwen3', 'qwen3.context_length': 40960 } }), reply);
    const model = await createModel('ollama:qwen3:8b', { baseURL: `${base}/v1`, env: {} });
    expect(model.contextWindow).toBe(40960);
    await model.complete(request());
    expect(requests.map((r) => r.url)).toEqual(['/api/show', '/v1/chat/completions']);
    expect(requests[0]!.body).toEqual({ model: 'qwen3:8b' });
    expect(requests[1]!.body).toMatchObject({ options: { num_ctx: 40960 } });
  });

  it("a Modelfile's num_ctx wins over the trained length; a window the user gave wins over both; no answer leaves the default", async () => {
    const base = await serve(json({ parameters: 'num_ctx 8192\ntemperature 0.2', model_info: { 'llama.context_length': 131072 } }));
    expect((await createModel('ollama:llama3.1', { baseURL: `${base}/v1`, env: {} })).contextWindow).toBe(8192);
    expect((await createModel('ollama:llama3.1', { baseURL: `${base}/v1`, env: {}, contextWindow: 16384 })).contextWindow).toBe(16384);
    expect(requests).toHaveLength(1);
    expect((await createModel('ollama:llama3.1', { baseURL: `${base}/v1`, env: {} })).contextWindow).toBe(128_000);
  });
});

describe('usage the OpenAI-compatible servers report', () => {
  const usageStream = (usage: Record<string, unknown>) => [chunk({ role: 'assistant', content: 'ok' }), chunk({}, 'stop'), data({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage }), 'data: [DONE]\n\n'];
  it.each([
    ['OpenAI (prompt_tokens_details.cached_tokens)', { prompt_tokens: 5000, completion_tokens: 20, total_tokens: 5020, prompt_tokens_details: { cached_tokens: 4096 } }, { inputTokens: 5000, outputTokens: 20, cachedInputTokens: 4096 }],
    ['DeepSeek (prompt_cache_hit_tokens)', { prompt_tokens: 900, completion_tokens: 3, total_tokens: 903, prompt_cache_hit_tokens: 640, prompt_cache_miss_tokens: 260 }, { inputTokens: 900, outputTokens: 3, cachedInputTokens: 640 }],
    ['OpenRouter (usage.cost)', { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110, cost: 0.00042 }, { inputTokens: 100, outputTokens: 10, costUsd: 0.00042 }],
    ['a server that caches nothing', { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110, prompt_tokens_details: { cached_tokens: 0 } }, { inputTokens: 100, outputTokens: 10 }],
  ])('%s', async (_what, usage, expected) => {
    const base = await serve((res) => sse(res, usageStream(usage)));
    const r = await new OpenAICompatibleModel({ id: 'x:m', model: 'm', baseURL: `${base}/v1`, maxRetries: 0 }).complete(request());
    expect(r.usage).toEqual(expected);
  });

  it('knows a context overflow by its code, whatever the wording', async () => {
    const base = await serve((res) => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Input is too large for this model.', type: 'invalid_request_error', code: 'context_length_exceeded' } })));
    const err = await new OpenAICompatibleModel({ id: 'x:m', model: 'm', baseURL: `${base}/v1`, maxRetries: 0 }).complete(request()).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'context-overflow' });
  });
});

describe('the Anthropic provider on the wire', () => {
  const ev = (type: string, body: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...body })}\n\n`;
  const stream = [
    ev('message_start', { message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 25, output_tokens: 1 } } }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Running the tests.' } }),
    ev('content_block_stop', { index: 0 }),
    ev('content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'run_command', input: {} } }),
    ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"command": ' } }),
    ev('content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '"npm test"}' } }),
    ev('content_block_stop', { index: 1 }),
    ev('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 31 } }),
    ev('message_stop', {}),
  ];

  it('streams text and tool use, and sends tool results as one user turn', async () => {
    const base = await serve((res) => sse(res, stream));
    const model = new AnthropicModel({ id: 'anthropic:claude-x', model: 'claude-x', baseURL: base, apiKey: 'k', maxRetries: 0 });
    const req = request();
    req.messages.push(
      { role: 'assistant', content: '', toolCalls: [{ id: 'toolu_0', tool: 'read_file', input: { path: 'a' } }, { id: 'toolu_9', tool: 'read_file', input: { path: 'b' } }] },
      { role: 'tool', toolCallId: 'toolu_0', tool: 'read_file', content: 'A' },
      { role: 'tool', toolCallId: 'toolu_9', tool: 'read_file', content: 'B' },
    );
    const r = await model.complete(req);
    expect(r).toEqual({ text: 'Running the tests.', toolCalls: [{ id: 'toolu_1', tool: 'run_command', input: { command: 'npm test' } }], usage: { inputTokens: 25, outputTokens: 31 } });
    expect(requests[0]!.url).toBe('/v1/messages');
    expect(requests[0]!.headers['x-api-key'] ?? requests[0]!.headers.authorization, JSON.stringify(requests[0]!.headers)).toMatch(/^(k|Bearer k)$/);
    const sent = requests[0]!.body as { system: Array<{ text: string }>; messages: Array<{ role: string; content: Array<{ type: string }> }> };
    expect(sent.system.map((b) => b.text)).toEqual(['sys']);
    expect(sent.messages.map((m) => [m.role, m.content.map((c) => c.type).join('+')])).toEqual([['user', 'text'], ['assistant', 'tool_use+tool_use'], ['user', 'tool_result+tool_result']]);
  });

  it('marks the stable prefix for the prompt cache and counts the cached part of the prompt', async () => {
    const cachedStart = ev('message_start', { message: { id: 'msg_2', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 40, cache_read_input_tokens: 3000, cache_creation_input_tokens: 200, output_tokens: 1 } } });
    const base = await serve((res) => sse(res, [cachedStart, ...stream.slice(1)]));
    const req = request();
    req.messages.push({ role: 'assistant', content: '', toolCalls: [{ id: 'toolu_0', tool: 'read_file', input: { path: 'a' } }] }, { role: 'tool', toolCallId: 'toolu_0', tool: 'read_file', content: 'A' });
    const r = await new AnthropicModel({ id: 'anthropic:x', model: 'x', baseURL: base, apiKey: 'k', maxRetries: 0 }).complete(req);
    // input_tokens leaves out the cache's part: the whole prompt is 40 + 3000 + 200.
    expect(r.usage).toEqual({ inputTokens: 3240, cachedInputTokens: 3000, outputTokens: 31 });
    const sent = requests[0]!.body as { system: Array<{ cache_control?: unknown }>; tools: Array<{ cache_control?: unknown }>; messages: Array<{ content: Array<{ type: string; cache_control?: unknown }> }> };
    const marked = (x: { cache_control?: unknown }) => JSON.stringify(x.cache_control ?? null);
    expect(sent.system.map(marked)).toEqual(['{"type":"ephemeral"}']);
    expect(sent.tools.map(marked).filter((m) => m !== 'null')).toHaveLength(1);
    expect(marked(sent.tools.at(-1)!)).toBe('{"type":"ephemeral"}');
    // The conversation's last block: the next turn reads everything up to it from the cache.
    const blocks = sent.messages.flatMap((m) => m.content);
    expect(blocks.map(marked)).toEqual(['null', 'null', '{"type":"ephemeral"}']);
    expect(blocks.at(-1)!.type).toBe('tool_result');
  });

  it('retries an overload that arrives as a stream event like a 529, and says the provider\'s words when it persists', async () => {
    const overloaded = (res: ServerResponse) => sse(res, [stream[0]!, ev('error', { error: { type: 'overloaded_error', message: 'Overloaded' } })]);
    const base = await serve(overloaded, (res) => sse(res, stream));
    const r = await new AnthropicModel({ id: 'anthropic:x', model: 'x', baseURL: base, apiKey: 'k', maxRetries: 2, retryDelayMs: 1 }).complete(request());
    expect(r.toolCalls).toHaveLength(1);
    expect(requests).toHaveLength(2);
    const base2 = await (async () => {
      await new Promise((res) => server!.close(res));
      return serve(overloaded, overloaded, overloaded);
    })();
    const err = await new AnthropicModel({ id: 'anthropic:x', model: 'x', baseURL: base2, apiKey: 'k', maxRetries: 2, retryDelayMs: 1 }).complete(request()).catch((e: unknown) => e);
    expect(requests).toHaveLength(3);
    expect((err as Error).message).toMatch(/^anthropic:x: 127\.0\.0\.1:\d+ is overloaded \(Overloaded\), still after retries/);
    expect((err as Error).message).not.toContain('{');
  });

  it('a 529 answer reads as the provider\'s message, the status once; an answer cut at max_tokens says so', async () => {
    const cut = [stream[0]!, ...stream.slice(1, 4), ev('message_delta', { delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { output_tokens: 8192 } }), ev('message_stop', {})];
    const base = await serve((res) => res.writeHead(529, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: 'Internal server error' } })), (res) => sse(res, cut));
    const err = await new AnthropicModel({ id: 'anthropic:x', model: 'x', baseURL: base, apiKey: 'k', maxRetries: 0 }).complete(request()).catch((e: unknown) => e);
    expect((err as Error).message).toBe('anthropic:x: the server answered 529: Internal server error (a server-side error, retried with backoff; try again later)');
    const r = await new AnthropicModel({ id: 'anthropic:x', model: 'x', baseURL: base, apiKey: 'k', maxRetries: 0 }).complete(request());
    expect(r).toMatchObject({ text: 'Running the tests.', cutAtLimit: true });
  });

  it('retries a 429 with backoff, then succeeds', async () => {
    const base = await serve((res) => res.writeHead(429, { 'content-type': 'application/json', 'retry-after-ms': '20' }).end(JSON.stringify({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } })), (res) => sse(res, stream));
    const r = await new AnthropicModel({ id: 'anthropic:x', model: 'x', baseURL: base, apiKey: 'k' }).complete(request());
    expect(r.toolCalls).toEqual([{ id: 'toolu_1', tool: 'run_command', input: { command: 'npm test' } }]);
    expect(requests).toHaveLength(2);
  });

  it.each([
    ['a 401', (res: ServerResponse) => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } })), 'auth', /ANTHROPIC_API_KEY/],
    ['a malformed chunk', (res: ServerResponse) => sse(res, [stream[0]!, 'event: content_block_start\ndata: {not json\n\n']), 'protocol', /malformed stream event/],
    ['a stream dropped mid-way, twice', (res: ServerResponse) => sse(res, stream.slice(0, 5), { drop: true }), 'network', /dropped mid-answer; nothing of the partial answer was run/],
  ])('turns %s into a clear error', async (_what, handler, kind, message) => {
    // Twice: a dropped connection is retried once.
    const base = await serve(handler, handler);
    const err = await new AnthropicModel({ id: 'anthropic:x', model: 'x', baseURL: base, apiKey: 'bad', maxRetries: 0 }).complete(request()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toMatchObject({ kind, message: expect.stringMatching(message) });
  });
});

describe('createModel', () => {
  it('needs a key for hosted providers and knows the local ones', async () => {
    await expect(createModel('openai:gpt-x', { env: {} })).rejects.toThrow(/set OPENAI_API_KEY/);
    await expect(createModel('anthropic:claude', { env: {} })).rejects.toThrow(/set ANTHROPIC_API_KEY/);
    await expect(createModel('nope:x', { env: {} })).rejects.toThrow(/unknown model provider "nope"/);
    await expect(createModel('gpt-x', { env: {} })).rejects.toThrow(/must be provider:model/);
    expect((await createModel('ollama:qwen3:32b', { env: {}, contextWindow: 32768 })).id).toBe('ollama:qwen3:32b');
  });

  it('takes the key from the host (apiKey) before the environment', async () => {
    const base = await serve((res) => sse(res, toolCallStream), (res) => sse(res, toolCallStream));
    await (await createModel('openai:m', { env: { OPENAI_API_KEY: 'from-env' }, apiKey: 'from-host', baseURL: `${base}/v1` })).complete(request());
    await (await createModel('openai:m', { env: { OPENAI_API_KEY: 'from-env' }, baseURL: `${base}/v1` })).complete(request());
    expect(requests.map((r) => r.headers.authorization)).toEqual(['Bearer from-host', 'Bearer from-env']);
    await expect(createModel('anthropic:claude', { env: {}, apiKey: 'k' })).resolves.toBeDefined();
  });
});
