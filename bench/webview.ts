// Agent Activity webview figures, in real Chromium (the page the tests use, served with its CSP):
// - first render of a 20,000-event reset: until its last row is painted, until every row is, the longest task;
// - input latency while 500 events/s stream in (pointer and key input from Playwright, measured in the page from
//   the event's timestamp to the paint after it), p50/p95/max;
// - the same while a model's answer streams in as 2,000 model.delta events/s (issue 13);
// - DOM nodes.
// Peer: the same model and rows re-rendered whole on every message (bench/webviewNaive.ts).
// Targets (issue): first render <= 1 s; input latency <= 50 ms while streaming 500 events/s, and 2,000 deltas/s.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunEvent } from '../src/core/runs/events.js';
import { chromiumMissing, launchChromium, recordRun, scaleRun, startActivityServer, type Browser, type Page } from '../test/support/webviewPage.js';

interface HostProbe {
  __host: {
    send(...msgs: unknown[]): Promise<void>;
    timed(msg: unknown, lastSeq: number): Promise<{ lastRowMs: number; ms: number; longestTaskMs: number; longTasks: number }>;
    stream(runId: string, events: unknown[], perSecond: number): Promise<{ latencies: number[]; delivered: number; ms: number }>;
    domNodes(): number;
  };
}

const RATE = 500;
const STREAM_SECONDS = 5;
/** An answer streaming in: model.delta events a second (a fast model's tokens, each its own piece). */
const DELTA_RATE = 2_000;

export async function benchWebview(): Promise<void> {
  console.log('\nagent activity webview (Chromium)');
  const missing = chromiumMissing();
  const dist = resolve('dist');
  const files = [join(dist, 'webview/activity.js'), join(dist, 'test/webview/hostStub.js'), join(dist, 'test/webview/activityNaive.js'), join(dist, 'cli.js')];
  if (missing || !files.every(existsSync)) {
    console.log(`  skipped: ${missing ?? `run \`npm run build\` first (${files.filter((f) => !existsSync(f)).join(', ')} missing)`}`);
    return;
  }
  const run = recordRun(join(dist, 'cli.js'));
  const big = scaleRun(run, 20_000);
  // The stream: more of the same run, after the history, as a long run goes on.
  const more = scaleRun(run, 20_000 + RATE * STREAM_SECONDS + 2)
    .slice(20_000 - 1, -1)
    .map((e, i) => ({ ...e, seq: 20_000 + i }) as RunEvent);
  const runId = run[0]!.runId;
  const [ours, naive, browser] = await Promise.all([
    startActivityServer({ webviewDir: join(dist, 'webview'), hostStub: join(dist, 'test/webview/hostStub.js') }),
    startActivityServer({ webviewDir: join(dist, 'webview'), hostStub: join(dist, 'test/webview/hostStub.js'), script: join(dist, 'test/webview/activityNaive.js') }),
    launchChromium(),
  ]);
  try {
    const a = await measure(browser, ours.url, runId, run, big, more);
    const b = await measure(browser, naive.url, runId, run, big, more);
    const row = (label: string, value: string, peer?: string, ratio?: string, target = '') =>
      console.log(`${`  ${label}`.padEnd(50)} ${value.padStart(10)}${peer !== undefined ? `  naive ${peer.padStart(9)}  ${ratio ?? ''}` : ''}${target ? `  ${target}` : ''}`);
    const ms = (x: number) => `${x.toFixed(0)} ms`;
    const ratio = (ourX: number, peerX: number) => (ourX > 0 ? `x${(peerX / ourX).toFixed(1)}` : '');
    console.log(`  ${big.length} events -> ${a.rows} rows; the stream: ${more.length} events at ${RATE}/s in batches at 60/s`);
    row('reset of 20,000 events: last row painted', ms(a.reset.lastRowMs), ms(b.reset.lastRowMs), ratio(a.reset.lastRowMs, b.reset.lastRowMs), 'target <= 1000 ms');
    row('reset of 20,000 events: every row painted', ms(a.reset.ms), ms(b.reset.ms), ratio(a.reset.ms, b.reset.ms));
    row('  longest task meanwhile', ms(a.reset.longestTaskMs), ms(b.reset.longestTaskMs), ratio(a.reset.longestTaskMs, b.reset.longestTaskMs));
    row('DOM nodes after the reset', String(a.nodes), String(b.nodes));
    for (const [label, s, p] of [
      [`input latency, streaming after a short run (n=${a.short.latencies.length})`, a.short, b.short],
      [`input latency, streaming after 20,000 events (n=${a.long.latencies.length})`, a.long, b.long],
      [`input latency, an answer streaming in at ${DELTA_RATE.toLocaleString('en-US')} deltas/s (n=${a.answer.latencies.length})`, a.answer, b.answer],
    ] as const) {
      console.log(`  ${label}`);
      row('  p50', ms(pct(s.latencies, 0.5)), ms(pct(p.latencies, 0.5)), ratio(pct(s.latencies, 0.5), pct(p.latencies, 0.5)));
      row('  p95', ms(pct(s.latencies, 0.95)), ms(pct(p.latencies, 0.95)), ratio(pct(s.latencies, 0.95), pct(p.latencies, 0.95)), 'target <= 50 ms');
      row('  max', ms(pct(s.latencies, 1)), ms(pct(p.latencies, 1)), ratio(pct(s.latencies, 1), pct(p.latencies, 1)));
      row('  stream delivered in (5 s scheduled)', ms(s.ms), ms(p.ms));
    }
  } finally {
    await browser.close();
    await Promise.all([ours.close(), naive.close()]);
  }
}

interface Figures {
  reset: { lastRowMs: number; ms: number; longestTaskMs: number };
  rows: number;
  nodes: number;
  short: { latencies: number[]; ms: number };
  long: { latencies: number[]; ms: number };
  answer: { latencies: number[]; ms: number };
}

async function measure(browser: Browser, url: string, runId: string, run: RunEvent[], big: RunEvent[], more: RunEvent[]): Promise<Figures> {
  const page = await browser.newPage({ viewport: { width: 420, height: 900 } });
  try {
    await page.goto(url);
    const running = { type: 'controls', controls: { running: true, stoppingAfterTask: false, canResume: false, canDiscard: false, canUndoDiscard: false, canKeep: false } };
    // Streaming after a short history (what most runs look like) ...
    await page.evaluate((m) => (globalThis as unknown as HostProbe).__host.send(...m), [{ type: 'reset', runId, events: run.slice(0, -1) }, running]);
    const short = await streamWithInput(page, runId, more);
    // ... a model's answer streaming in, a word a piece ...
    const history = run.slice(0, -1);
    await page.evaluate((m) => (globalThis as unknown as HostProbe).__host.send(...m), [{ type: 'reset', runId, events: history }, running]);
    const words = ['the ', 'priority ', 'field ', 'is ', 'stored ', 'on ', 'each ', 'item, ', 'and ', 'its ', 'tests ', 'check ', 'it.\n'];
    const deltas = Array.from({ length: DELTA_RATE * STREAM_SECONDS }, (_, i) => ({ runId, seq: history.at(-1)!.seq, time: new Date().toISOString(), type: 'model.delta', channel: 'text', text: words[i % words.length]! }) as RunEvent);
    const answer = await streamWithInput(page, runId, deltas, DELTA_RATE);
    // ... the first render of a long journal ...
    const reset = await page.evaluate(([m, last]) => (globalThis as unknown as HostProbe).__host.timed(m, last), [{ type: 'reset', runId, events: big.slice(0, -1).concat({ ...big.at(-1)!, type: 'model.text', text: 'the end of the history' } as RunEvent) }, big.at(-1)!.seq] as const);
    const rows = await page.locator('#timeline .row').count();
    const nodes = await page.evaluate(() => (globalThis as unknown as HostProbe).__host.domNodes());
    // ... and streaming after it.
    const long = await streamWithInput(page, runId, more);
    return { reset, rows, nodes, short, long, answer };
  } finally {
    await page.close();
  }
}

/** Streams in the page while Playwright clicks and types every 100 ms; the page records each input's latency. */
async function streamWithInput(page: Page, runId: string, events: RunEvent[], rate = RATE): Promise<{ latencies: number[]; ms: number }> {
  let streaming = true;
  const result = page.evaluate(([id, evs, perSecond]) => (globalThis as unknown as HostProbe).__host.stream(id, evs, perSecond), [runId, events, rate] as const).finally(() => (streaming = false));
  const header = await page.locator('#header').boundingBox();
  for (let i = 0; streaming; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (!streaming) break;
    // Clicks on the header (the panel itself, whatever is under way) and Tab through the controls.
    if (i % 2 === 0 && header) await page.mouse.click(header.x + 40, header.y + 10);
    else await page.keyboard.press('Tab');
  }
  const r = await result;
  return { latencies: r.latencies, ms: r.ms };
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!;
}
