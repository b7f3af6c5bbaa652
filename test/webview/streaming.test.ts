// The model's words, live (issue 13), in real Chromium: the panel page activityHtml() makes, fed an answer streaming
// in as model.delta events at 2,000 a second for 10 s (in batches at 60 a second, as the host posts them), while
// Playwright clicks and types; the page measures each input's latency from its timestamp to the paint after it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHostStub, buildWebview } from '../../scripts/buildWebview.mjs';
import type { RunEvent } from '../../src/core/runs/events.js';
import { chromiumMissing, launchChromium, openPanel, startActivityServer, type ActivityServer, type Browser, type Page } from '../support/webviewPage.js';
import { availableParallelism, loadavg } from 'node:os';
import { budget, slowdown } from '../support/budget.js';
import { LIVE_TAIL_CHARS } from '../../src/webview/activityModel.js';

interface PageGlobals {
  __host: {
    send(...msgs: unknown[]): Promise<void>;
    stream(runId: string, events: unknown[], perSecond: number): Promise<{ latencies: number[]; delays: number[]; delivered: number; ms: number }>;
  };
  __posted: unknown[];
  document: { querySelectorAll(s: string): Iterable<{ outerHTML: string }> };
}

const RATE = 2_000;
const SECONDS = 10;
const RUN = 'run-streaming';

const missing = chromiumMissing();
if (missing && process.env.CI) throw new Error(`the webview tests need a browser: ${missing}`);
if (missing) console.warn(`webview streaming tests skipped: ${missing}`);

/** A run's start, its task and the model step under way: what the panel has when an answer starts streaming. */
function history(): RunEvent[] {
  const time = new Date().toISOString();
  return [
    { runId: RUN, seq: 0, time, type: 'run.started', tasksFile: 't.md', workspace: '/w', tasks: [{ id: '1', title: 'Add priorities', line: 1 }], level: 'balanced', levelSource: '.kiro/settings.json', model: 'openai:gpt-4.1' },
    { runId: RUN, seq: 1, time, type: 'task.started', task: { id: '1', title: 'Add priorities', line: 1 } },
    { runId: RUN, seq: 2, time, type: 'step.started', taskId: '1', step: 1, label: 'model' },
  ];
}

/** `n` pieces of an answer as a model streams it: a word or two each, a line break now and then. */
export function answerPieces(n: number, seq: number): RunEvent[] {
  const words = ['the ', 'priority ', 'field ', 'is ', 'stored ', 'on ', 'each ', 'item, ', 'and ', 'its ', 'tests ', 'check ', 'it.\n'];
  const time = new Date().toISOString();
  return Array.from({ length: n }, (_, i) => ({ runId: RUN, seq, time, type: 'model.delta', channel: 'text', text: words[i % words.length]! }) as RunEvent);
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * p))]!;
}

describe.skipIf(missing !== null)('an answer streaming into the panel (real Chromium)', () => {
  let dir: string;
  let browser: Browser;
  let server: ActivityServer;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spec-agent-webview-stream-'));
    await Promise.all([buildWebview({ outdir: join(dir, 'webview') }), buildHostStub({ outfile: join(dir, 'hostStub.js') })]);
    [server, browser] = await Promise.all([startActivityServer({ webviewDir: join(dir, 'webview'), hostStub: join(dir, 'hostStub.js') }), launchChromium()]);
    page = (await openPanel(browser, server.url)).page;
  }, budget({ browser: 1 }));

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    `${RATE} deltas a second for ${SECONDS} s keep input waiting p95 <= 50 ms (to the next paint too, on a quiet machine); the text shown is the pieces joined, then the turn's whole text`,
    async () => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
      const head = history();
      const running = { type: 'controls', controls: { running: true, stoppingAfterTask: false, canResume: false, canDiscard: false, canUndoDiscard: false, canKeep: false } };
      await page.evaluate((m) => (globalThis as unknown as PageGlobals).__host.send(...m), [{ type: 'reset', runId: RUN, events: head }, running]);

      const pieces = answerPieces(RATE * SECONDS, head.at(-1)!.seq);
      const whole = pieces.map((e) => (e as { text: string }).text).join('');
      const header = await page.locator('#header').boundingBox();
      /** Input while `measure` runs: a click on the header and a Tab through the controls, in turn, every 100 ms. */
      const withInput = async <R>(measure: Promise<R>): Promise<R> => {
        let going = true;
        const done = measure.finally(() => (going = false));
        for (let i = 0; going; i++) {
          await new Promise((r) => setTimeout(r, 100));
          if (!going) break;
          if (i % 2 === 0 && header) await page.mouse.click(header.x + 40, header.y + 10);
          else await page.keyboard.press('Tab');
        }
        return done;
      };
      const r = await withInput(page.evaluate(([id, evs, rate]) => (globalThis as unknown as PageGlobals).__host.stream(id, evs, rate), [RUN, pieces, RATE] as const));
      const p50 = pct(r.latencies, 0.5);
      const p95 = pct(r.latencies, 0.95);
      const load = loadavg()[0]! / availableParallelism();
      const delayP95 = pct(r.delays, 0.95);
      console.log(
        `webview: ${r.delivered} deltas at ${RATE}/s delivered in ${r.ms.toFixed(0)} ms; input latency to the next paint (n=${r.latencies.length}) p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${pct(r.latencies, 1).toFixed(1)} ms; input delay to its handler p50 ${pct(r.delays, 0.5).toFixed(1)} ms, p95 ${delayP95.toFixed(1)} ms (load ${load.toFixed(1)} per core)`,
      );
      expect(r.delivered).toBe(pieces.length);
      expect(r.latencies.length).toBeGreaterThan(SECONDS * 5);
      // The page's own work never keeps an input waiting long: the delay to its handler.
      expect(delayP95).toBeLessThanOrEqual(50);
      if (load <= 1.5 || p95 <= 50) expect(p95).toBeLessThanOrEqual(50);
      else {
        // A machine this loaded (2 cores shared by several test runs; Chromium paints in software here) delays every
        // frame the page paints, whatever it paints, by more than the target at times: the latency to the next paint
        // is then only shown, beside the panel's own updates at the same pace without text (a header redrawn 60
        // times a second by usage events) measured now on the same page.
        const usage = Array.from({ length: (RATE * SECONDS) / 2 }, () => ({ runId: RUN, seq: head.at(-1)!.seq, time: new Date().toISOString(), type: 'model.usage', outputTokens: 1 }));
        const base = await withInput(page.evaluate(([id, evs, rate]) => (globalThis as unknown as PageGlobals).__host.stream(id, evs, rate), [RUN, usage, RATE] as const));
        console.log(`webview: loaded machine, p95 to the next paint over 50 ms and not asserted; the panel updating at the same pace without text: p50 ${pct(base.latencies, 0.5).toFixed(1)} ms, p95 ${pct(base.latencies, 0.95).toFixed(1)} ms (n=${base.latencies.length})`);
      }
      // Every piece arrived, in order: the live row has all their characters and shows the end of them joined
      // (the end only: see LIVE_TAIL_CHARS), in one row, following its end.
      const liveRow = page.locator('#timeline .row-text');
      expect(await liveRow.count()).toBe(1);
      expect(await liveRow.getAttribute('aria-busy')).toBe('true');
      expect(await liveRow.getAttribute('data-chars')).toBe(String(whole.length));
      const shown = await liveRow.locator('.model-text').evaluate((el) => (el as { textContent: string }).textContent);
      expect(shown.length).toBeGreaterThanOrEqual(LIVE_TAIL_CHARS / 2);
      expect(shown.length).toBeLessThanOrEqual(2 * LIVE_TAIL_CHARS);
      expect(whole.endsWith(shown)).toBe(true);
      const atEnd = await liveRow.locator('.model-text').evaluate((el) => {
        const b = el as { scrollHeight: number; scrollTop: number; clientHeight: number };
        return b.scrollHeight - b.scrollTop - b.clientHeight < 8;
      });
      expect(atEnd).toBe(true);

      // The turn ends: its whole text (what the journal keeps) replaces the live row; a replay shows the same.
      const time = new Date().toISOString();
      const tail = [
        { runId: RUN, seq: 3, time, type: 'model.usage', inputTokens: 1000, outputTokens: 30_000 },
        { runId: RUN, seq: 4, time, type: 'model.text', text: whole },
      ];
      await page.evaluate((m) => (globalThis as unknown as PageGlobals).__host.send(...m), [{ type: 'events', runId: RUN, events: tail }]);
      const rowsLive = await page.evaluate(() => [...(globalThis as unknown as PageGlobals).document.querySelectorAll('#timeline .row')].map((el) => el.outerHTML));
      expect(await liveRow.count()).toBe(1);
      expect(await liveRow.getAttribute('data-id')).toBe('e:4');
      expect(await liveRow.getAttribute('aria-busy')).toBeNull();
      expect(await liveRow.locator('.model-text').evaluate((el) => (el as { textContent: string }).textContent)).toBe(whole);
      await page.evaluate((m) => (globalThis as unknown as PageGlobals).__host.send(...m), [{ type: 'reset', runId: RUN, events: [...head, ...tail] }]);
      const rowsReplayed = await page.evaluate(() => [...(globalThis as unknown as PageGlobals).document.querySelectorAll('#timeline .row')].map((el) => el.outerHTML));
      expect(rowsLive).toEqual(rowsReplayed);
      expect(errors).toEqual([]);
    },
    (SECONDS * 1000 + 30_000) * Math.max(1, slowdown() / 5),
  );

  it('reasoning streams into a folded row that counts it; opened while it streams, it stays open on the turn\'s whole thinking, also when the panel is rebuilt', async () => {
    const send = (...m: unknown[]) => page.evaluate((msgs) => (globalThis as unknown as PageGlobals).__host.send(...msgs), m);
    const head = history();
    const at = head.at(-1)!.seq;
    const time = new Date().toISOString();
    const piece = (channel: 'text' | 'thinking', text: string) => ({ runId: RUN, seq: at, time, type: 'model.delta', channel, text });
    await send({ type: 'reset', runId: RUN, events: head });
    await send({ type: 'events', runId: RUN, events: [piece('thinking', 'Which file holds '), piece('thinking', 'the model?')] });
    const row = page.locator('#timeline .row-thinking');
    expect(await row.locator('button.toggle').innerText()).toMatch(/Thinking… \(27 characters\)/);
    expect(await row.locator('.model-text').count()).toBe(0);
    await row.locator('button.toggle').click();
    await send({ type: 'events', runId: RUN, events: [piece('thinking', ' src/todo.js.')] });
    expect(await row.locator('.model-text').innerText()).toBe('Which file holds the model? src/todo.js.');
    await send({ type: 'events', runId: RUN, events: [piece('text', 'Adding it.')] });
    expect(await page.locator('#timeline .row-text .model-text').innerText()).toBe('Adding it.');
    await send({
      type: 'events',
      runId: RUN,
      events: [
        { runId: RUN, seq: 3, time, type: 'model.thinking', text: 'Which file holds the model? src/todo.js.' },
        { runId: RUN, seq: 4, time, type: 'model.text', text: 'Adding it.' },
      ],
    });
    expect(await row.getAttribute('data-id')).toBe('e:3');
    expect(await row.locator('button.toggle').getAttribute('aria-expanded')).toBe('true');
    expect(await row.locator('.model-text').innerText()).toBe('Which file holds the model? src/todo.js.');
    expect(await page.locator('#timeline .row-text').getAttribute('data-id')).toBe('e:4');
    expect(await page.locator('#timeline .row').count()).toBe(3);
    // Rebuilt from the journal (the panel shown again): still open, from the state the page saved.
    await send({ type: 'reset', runId: RUN, events: [...head, { runId: RUN, seq: 3, time, type: 'model.thinking', text: 'Which file holds the model? src/todo.js.' }, { runId: RUN, seq: 4, time, type: 'model.text', text: 'Adding it.' }] });
    expect(await row.locator('button.toggle').getAttribute('aria-expanded')).toBe('true');
  });
});
