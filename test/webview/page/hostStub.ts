/**
 * What VS Code provides around a webview, for the test page: `acquireVsCodeApi` (posts are recorded in
 * `window.__posted`) and message delivery as the host does it (window messages). Loaded before activity.js with
 * the page's nonce. `window.__host` gives tests and the benchmark in-page helpers, so timings are taken in the
 * page and not across the Playwright round trip.
 */

interface Recorded {
  type: string;
  [k: string]: unknown;
}

declare global {
  interface Window {
    acquireVsCodeApi(): { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void };
    __posted: Recorded[];
    __acquired: number;
    __csp: string[];
    __host: typeof host;
  }
}

window.__posted = [];
window.__acquired = 0;
window.__csp = [];
let state: unknown;
window.acquireVsCodeApi = () => {
  // VS Code throws on a second call; so does this stand-in, to catch it.
  if (window.__acquired++ > 0) throw new Error('acquireVsCodeApi called twice');
  return {
    postMessage: (m: unknown) => void window.__posted.push(structuredClone(m) as Recorded),
    getState: () => state,
    setState: (s: unknown) => void (state = s),
  };
};
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));

const nextFrame = () => new Promise<number>((r) => requestAnimationFrame(r));
/** After the next frame has been painted: a task queued from a rAF callback runs after that frame's paint. */
const afterPaint = () =>
  new Promise<number>((r) =>
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => r(performance.now());
      ch.port2.postMessage(null);
    }),
  );
const handled = () => Number(document.body.dataset.handled ?? '0');
const busy = () => document.body.dataset.busy === 'true';

const longTasks: number[] = [];
try {
  new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration))).observe({ type: 'longtask', buffered: true });
} catch {
  // Not every browser reports long tasks; the figures then say so (empty).
}

async function settle(target: number): Promise<void> {
  while (handled() < target || busy()) await nextFrame();
}

const host = {
  /** Delivers host messages and resolves once the panel has taken them in and painted the result. */
  async send(...msgs: unknown[]): Promise<void> {
    const target = handled() + msgs.length;
    for (const m of msgs) window.postMessage(m, '*');
    await settle(target);
    await afterPaint();
  },

  /**
   * Time from posting a message until the row of `lastSeq` is painted at the end of the timeline, until all
   * rendering is done and painted, and the longest task meanwhile.
   */
  async timed(msg: unknown, lastSeq: number): Promise<{ lastRowMs: number; ms: number; longestTaskMs: number; longTasks: number }> {
    longTasks.length = 0;
    const target = handled() + 1;
    const t0 = performance.now();
    window.postMessage(msg, '*');
    const list = document.getElementById('timeline')!;
    // Rows sit in blocks (see timeline.ts); the benchmark's naive peer puts them straight in the list.
    const lastRow = () => {
      const last = list.lastElementChild as HTMLElement | null;
      return last?.classList.contains('block') ? (last.lastElementChild as HTMLElement | null) : last;
    };
    const isLast = () => lastRow()?.dataset.seq === String(lastSeq);
    while (handled() < target || !isLast()) await nextFrame();
    const lastRowMs = (await afterPaint()) - t0;
    await settle(target);
    const t1 = await afterPaint();
    return { lastRowMs, ms: t1 - t0, longestTaskMs: Math.max(0, ...longTasks), longTasks: longTasks.length };
  },

  /**
   * Streams `events` as the host would (batches at 60 a second, `perSecond` events a second) while recording
   * the latency of every trusted pointer or key input: from the event's timestamp to the paint after it; and its
   * delay, from the timestamp to its handler (how long the page's own work kept it waiting).
   */
  async stream(runId: string, events: unknown[], perSecond: number): Promise<{ latencies: number[]; delays: number[]; delivered: number; ms: number }> {
    const latencies: number[] = [];
    const delays: number[] = [];
    const onInput = (e: Event) => {
      if (!e.isTrusted) return;
      const ts = e.timeStamp;
      delays.push(performance.now() - ts);
      void afterPaint().then((t) => latencies.push(t - ts));
    };
    for (const type of ['pointerdown', 'keydown']) window.addEventListener(type, onInput, true);
    const t0 = performance.now();
    const start = handled();
    let sent = 0;
    let posts = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const due = Math.min(events.length, Math.round(((performance.now() - t0) / 1000) * perSecond));
        if (due > sent) {
          window.postMessage({ type: 'events', runId, events: events.slice(sent, due) }, '*');
          sent = due;
          posts++;
        }
        if (sent >= events.length) {
          clearInterval(timer);
          resolve();
        }
      }, 1000 / 60);
    });
    await settle(start + posts);
    await afterPaint();
    for (const type of ['pointerdown', 'keydown']) window.removeEventListener(type, onInput, true);
    return { latencies, delays, delivered: sent, ms: performance.now() - t0 };
  },

  domNodes(): number {
    return document.getElementsByTagName('*').length;
  },
};
window.__host = host;

export {};
