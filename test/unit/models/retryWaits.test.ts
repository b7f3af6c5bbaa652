import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AnthropicModel } from '../../../src/core/models/anthropicModel.js';
import { ModelError } from '../../../src/core/models/chatModel.js';
import { waitingFetch, withWaitListener, type ModelWait } from '../../../src/core/models/retryWaits.js';

// The model client's own waiting on a refusal (issue 13), against a real HTTP server: how long, told to whom, and
// what goes back to the SDK when it will not wait.
let server: Server | undefined;
const arrivals: number[] = [];
async function serve(...answers: Array<(res: ServerResponse) => void>): Promise<string> {
  arrivals.length = 0;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrivals.push(Date.now());
      (answers[arrivals.length - 1] ?? answers.at(-1)!)(res);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

const refuse = (status: number, headers: Record<string, string> = {}) => (res: ServerResponse) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end('{"error":{"message":"slow down"}}');
const ok = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}');

async function call(base: string, retries: number) {
  const waits: ModelWait[] = [];
  const res = await withWaitListener((w) => waits.push(w), () => waitingFetch('api.example.com', retries)(`${base}/v1/x`, { method: 'POST', body: '{}' }));
  return { res, waits };
}

describe('waitingFetch', () => {
  it('waits as a retry-after HTTP date says, and tells the wait before it starts', async () => {
    const at = new Date(Date.now() + 2000);
    const { res, waits } = await call(await serve(refuse(429, { 'retry-after': at.toUTCString() }), ok), 2);
    expect(res.status).toBe(200);
    expect(waits).toEqual([expect.objectContaining({ host: 'api.example.com', status: 429, attempt: 1, retryAfter: true })]);
    // An HTTP date has whole seconds: the wait is the time to that second.
    expect(Math.abs(waits[0]!.until.getTime() - Math.floor(at.getTime() / 1000) * 1000)).toBeLessThan(50);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(waits[0]!.until.getTime() - arrivals[0]! - 50);
  });

  it('a 529 with retry-after is waited on like a 429; a 503 without one is left to the SDK, untouched', async () => {
    const overloaded = await call(await serve(refuse(529, { 'retry-after': '0' }), ok), 2);
    expect(overloaded.res.status).toBe(200);
    expect(overloaded.waits.map((w) => [w.status, w.retryAfter])).toEqual([[529, true]]);
    await new Promise((r) => server!.close(r));
    const unavailable = await call(await serve(refuse(503), ok), 2);
    expect(unavailable.res.status).toBe(503);
    expect(unavailable.res.headers.get('x-should-retry')).toBeNull();
    expect(unavailable.waits).toEqual([]);
    expect(arrivals).toHaveLength(1);
  });

  it('a wait past 5 minutes, or past the retries, goes back to the SDK marked not to be retried: the run pauses', async () => {
    const long = await call(await serve(refuse(429, { 'retry-after': '600' }), ok), 2);
    expect(long.res.status).toBe(429);
    expect(long.res.headers.get('x-should-retry')).toBe('false');
    expect(long.waits).toEqual([]);
    expect(await long.res.json()).toEqual({ error: { message: 'slow down' } });
    await new Promise((r) => server!.close(r));
    const spent = await call(await serve(refuse(429)), 1);
    expect(spent.res.status).toBe(429);
    expect(spent.res.headers.get('x-should-retry')).toBe('false');
    // No retry-after: the SDKs' backoff, said to be ours.
    expect(spent.waits.map((w) => [w.attempt, w.retryAfter])).toEqual([[1, false]]);
    expect(arrivals).toHaveLength(2);
  });

  it('the Anthropic client tells its request of the wait (then reads the answer after it as before)', async () => {
    const base = await serve(refuse(429, { 'retry-after-ms': '10' }), (res) => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } })));
    const waits: ModelWait[] = [];
    const err = await new AnthropicModel({ id: 'anthropic:x', model: 'x', baseURL: base, apiKey: 'k', maxRetries: 2 })
      .complete({ messages: [{ role: 'user', content: 'hi' }], tools: [], signal: new AbortController().signal, onWait: (w) => waits.push(w) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toMatchObject({ kind: 'auth' });
    expect(waits).toEqual([expect.objectContaining({ host: new URL(base).host, status: 429, attempt: 1, retryAfter: true })]);
    expect(arrivals).toHaveLength(2);
  });
});
