import { AsyncLocalStorage } from 'node:async_hooks';

/** A wait before retrying a request the server refused for now: who refused, with what, and when the retry goes out. */
export interface ModelWait {
  host: string;
  status: number;
  until: Date;
  /** 1 for the first retry. */
  attempt: number;
  /** The wait is the server's own (`retry-after`, `retry-after-ms`), not our backoff. */
  retryAfter: boolean;
}

/**
 * The longest wait we sit through: the SDKs' own request timeout (10 minutes) covers this fetch, wait included, and
 * a server that asks for longer is better answered by a pause the user can Resume later.
 */
export const MAX_WAIT_MS = 5 * 60_000;

/** Who hears about a wait of the request under way: each request's own listener, through the async calls the SDK makes. */
const listener = new AsyncLocalStorage<((w: ModelWait) => void) | undefined>();

export function withWaitListener<T>(onWait: ((w: ModelWait) => void) | undefined, request: () => Promise<T>): Promise<T> {
  return listener.run(onWait, request);
}

/**
 * A fetch for the SDKs that does their waiting on a rate limit (429) or an overload with `retry-after` (503, 529)
 * itself, so the wait is known (the panel and the CLI count it down) and Stop ends it (the SDKs' own sleep ignores
 * the abort signal). Other errors (5xx, timeouts) are left to the SDK's retries. After `retries` refusals, or a
 * wait longer than MAX_WAIT_MS, the refusal goes back to the SDK marked not to be retried again: the executor
 * pauses the run with Resume.
 */
export function waitingFetch(host: string, retries: number, base: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    for (let attempt = 1; ; attempt++) {
      const res = await base(input, init);
      const wait = waitOf(res, attempt);
      if (wait === undefined) return res;
      const reusable = init?.body === undefined || init.body === null || typeof init.body === 'string';
      if (attempt > retries || wait.ms > MAX_WAIT_MS || !reusable) return noMoreRetries(res);
      await res.body?.cancel().catch(() => undefined);
      listener.getStore()?.({ host, status: res.status, until: new Date(Date.now() + wait.ms), attempt, retryAfter: wait.fromServer });
      await sleep(wait.ms, init?.signal ?? undefined);
    }
  };
}

/** How long to wait before retrying this response, if it is one we wait on. */
function waitOf(res: Response, attempt: number): { ms: number; fromServer: boolean } | undefined {
  const header = retryAfterMs(res.headers);
  if (res.status !== 429 && !((res.status === 503 || res.status === 529) && header !== undefined)) return undefined;
  if (res.headers.get('x-should-retry') === 'false') return undefined;
  // Without the server's word, the SDKs' backoff: 0.5 s doubling, at most 8 s.
  return header !== undefined ? { ms: header, fromServer: true } : { ms: Math.min(500 * 2 ** (attempt - 1), 8000), fromServer: false };
}

/** `retry-after-ms` (OpenAI), else `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Headers): number | undefined {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** The same refusal, told not to be retried again by the SDK (we did the retrying). */
function noMoreRetries(res: Response): Response {
  const headers = new Headers(res.headers);
  headers.set('x-should-retry', 'false');
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(t);
      reject(signal!.reason);
    }
    signal?.addEventListener('abort', aborted, { once: true });
  });
}
