// A model provider's server on loopback, speaking the OpenAI chat-completions wire protocol (SSE), for tests
// that run the executor against a real HTTP client: the only thing mocked is the hosted model.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Body {
  messages: Array<{ role: string; content: string | null; tool_calls?: unknown[] }>;
}
/**
 * `args` as a string is sent as it is (arguments that are no JSON); `finish` overrides the finish reason (`length`:
 * cut at the output limit); `usage` adds to the usage chunk what some servers report: the cached part of the prompt
 * (OpenAI's `prompt_tokens_details.cached_tokens`) and a cost (OpenRouter's `usage.cost`). An error answer may
 * carry headers (`retry-after`).
 */
export type Answer =
  | { text?: string; call?: { name: string; args: unknown }; finish?: string; usage?: { cached?: number; cost?: number } }
  | { status: number; error: Record<string, unknown>; headers?: Record<string, string> };

/**
 * An OpenAI-compatible server on loopback that reports usage as a real one does (the prompt's size in tokens) and
 * answers each request by what it asks: `answer(body, n)`.
 */
let server: Server | undefined;
/** The bodies of the requests the server received, in order. */
export const bodies: Body[] = [];
export async function serve(answer: (body: Body, n: number) => Answer): Promise<string> {
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
      const chunk = (delta: unknown, finish: string | null = null, usage?: unknown) => `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      if (a.text) res.write(chunk({ role: 'assistant', content: a.text }));
      if (a.call) res.write(chunk({ tool_calls: [{ index: 0, id: `call_${bodies.length}`, type: 'function', function: { name: a.call.name, arguments: typeof a.call.args === 'string' ? a.call.args : JSON.stringify(a.call.args) } }] }));
      res.write(chunk({}, a.finish ?? (a.call ? 'tool_calls' : 'stop')));
      const extra = { ...(a.usage?.cached !== undefined ? { prompt_tokens_details: { cached_tokens: a.usage.cached } } : {}), ...(a.usage?.cost !== undefined ? { cost: a.usage.cost } : {}) };
      res.write(chunk({}, null, { prompt_tokens: Math.ceil(raw.length / 4), completion_tokens: 20, total_tokens: Math.ceil(raw.length / 4) + 20, ...extra }));
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}
export async function closeServer(): Promise<void> {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise((r) => s.close(r));
}
