// A model provider's server on loopback, speaking the OpenAI chat-completions wire protocol (SSE), or Anthropic's
// Messages stream, for tests that run the executor against a real HTTP client: the only thing mocked is the hosted model.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Body {
  messages: Array<{ role: string; content: string | null; tool_calls?: unknown[] }>;
}
/**
 * `args` as a string is sent as it is (arguments that are no JSON); `finish` overrides the finish reason (`length`:
 * cut at the output limit); `usage` adds to the usage chunk what some servers report: the cached part of the prompt
 * (OpenAI's `prompt_tokens_details.cached_tokens`) and a cost (OpenRouter's `usage.cost`). An error answer may
 * carry headers (`retry-after`). `pieces`: the text sent in that many stream events (after `text`, if both), as a
 * server streams a long answer; `reasoning`: the model's reasoning, streamed first (OpenAI style: DeepSeek's
 * `reasoning_content` deltas; Anthropic: a thinking block's `thinking_delta`s).
 */
export type Answer =
  | { text?: string; pieces?: string[]; reasoning?: string[]; call?: { name: string; args: unknown }; finish?: string; usage?: { cached?: number; cost?: number } }
  | { status: number; error: Record<string, unknown>; headers?: Record<string, string> };

/**
 * An OpenAI-compatible server on loopback that reports usage as a real one does (the prompt's size in tokens) and
 * answers each request by what it asks: `answer(body, n)`.
 */
let server: Server | undefined;
/** The bodies of the requests the server received, in order. */
export const bodies: Body[] = [];
export async function serve(answer: (body: Body, n: number) => Answer, o: { style?: 'openai' | 'anthropic' } = {}): Promise<string> {
  bodies.length = 0;
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const body = JSON.parse(raw) as Body;
      bodies.push(body);
      const a = answer(body, bodies.length);
      if ('status' in a) {
        res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(JSON.stringify({ error: a.error }));
        return;
      }
      if (o.style === 'anthropic') return void anthropicStream(res, a, raw.length);
      const chunk = (delta: unknown, finish: string | null = null, usage?: unknown) => `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const r of a.reasoning ?? []) res.write(chunk({ role: 'assistant', content: null, reasoning_content: r }));
      if (a.text) res.write(chunk({ role: 'assistant', content: a.text }));
      for (const p of a.pieces ?? []) res.write(chunk({ role: 'assistant', content: p }));
      if (a.call) res.write(chunk({ tool_calls: [{ index: 0, id: `call_${bodies.length}`, type: 'function', function: { name: a.call.name, arguments: typeof a.call.args === 'string' ? a.call.args : JSON.stringify(a.call.args) } }] }));
      res.write(chunk({}, a.finish ?? (a.call ? 'tool_calls' : 'stop')));
      const extra = { ...(a.usage?.cached !== undefined ? { prompt_tokens_details: { cached_tokens: a.usage.cached } } : {}), ...(a.usage?.cost !== undefined ? { cost: a.usage.cost } : {}) };
      res.write(chunk({}, null, { prompt_tokens: Math.ceil(raw.length / 4), completion_tokens: 20, total_tokens: Math.ceil(raw.length / 4) + 20, ...extra }));
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The Anthropic SDK adds /v1/messages to its base URL; OpenAI's adds /chat/completions to one that ends in /v1.
  return o.style === 'anthropic' ? origin : `${origin}/v1`;
}

/** An answer as Anthropic's Messages API streams it: thinking, text and tool_use content blocks, then the stop reason. */
function anthropicStream(res: ServerResponse, a: Extract<Answer, { finish?: string }>, promptChars: number): void {
  const ev = (type: string, body: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...body })}\n\n`);
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  ev('message_start', { message: { id: `msg_${bodies.length}`, type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: Math.ceil(promptChars / 4), output_tokens: 1 } } });
  let index = 0;
  if (a.reasoning?.length) {
    ev('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } });
    for (const r of a.reasoning) ev('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: r } });
    ev('content_block_delta', { index, delta: { type: 'signature_delta', signature: 'sig' } });
    ev('content_block_stop', { index: index++ });
  }
  const text = [...(a.text ? [a.text] : []), ...(a.pieces ?? [])];
  if (text.length) {
    ev('content_block_start', { index, content_block: { type: 'text', text: '' } });
    for (const t of text) ev('content_block_delta', { index, delta: { type: 'text_delta', text: t } });
    ev('content_block_stop', { index: index++ });
  }
  if (a.call) {
    ev('content_block_start', { index, content_block: { type: 'tool_use', id: `toolu_${bodies.length}`, name: a.call.name, input: {} } });
    ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: typeof a.call.args === 'string' ? a.call.args : JSON.stringify(a.call.args) } });
    ev('content_block_stop', { index: index++ });
  }
  ev('message_delta', { delta: { stop_reason: a.finish ?? (a.call ? 'tool_use' : 'end_turn'), stop_sequence: null }, usage: { output_tokens: 20 } });
  ev('message_stop', {});
  res.end();
}
export async function closeServer(): Promise<void> {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise((r) => s.close(r));
}
