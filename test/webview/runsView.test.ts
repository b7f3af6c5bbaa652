// The Runs view of the Agent Activity panel in real Chromium: the page activityHtml() makes, with its CSP, fed the
// host's `history` message built from the figures of journals of real CLI runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { buildHostStub, buildWebview } from '../../scripts/buildWebview.mjs';
import type { WebviewMessage } from '../../src/core/runs/activityProtocol.js';
import type { RunEvent } from '../../src/core/runs/events.js';
import type { HistoryRow } from '../../src/core/runs/runHistory.js';
import { historyMessage, historyRows } from '../support/historyRows.js';
import { budget } from '../support/budget.js';
import { chromiumMissing, closePanel, launchChromium, openPanel, recordRun, startActivityServer, type ActivityServer, type Browser, type Page, type PanelPage } from '../support/webviewPage.js';

interface PageGlobals {
  __host: { send(...msgs: unknown[]): Promise<void> };
  __posted: WebviewMessage[];
  __csp: string[];
  document: { querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }> };
}

const missing = chromiumMissing();
if (missing && process.env.CI) throw new Error(`the webview tests need a browser: ${missing}`);
if (missing) console.warn(`webview tests skipped: ${missing}`);

describe.skipIf(missing !== null)('Runs view (real Chromium)', () => {
  let dir: string;
  let browser: Browser;
  let server: ActivityServer;
  let panel: PanelPage;
  let page: Page;
  /** A completed run (balanced), one whose asks no one answered (cautious), and the first one cut short (no terminal event). */
  let journals: RunEvent[][];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spec-agent-runsview-'));
    await Promise.all([buildWebview({ outdir: join(dir, 'webview') }), buildHostStub({ outfile: join(dir, 'hostStub.js') })]);
    [server, browser] = await Promise.all([startActivityServer({ webviewDir: join(dir, 'webview'), hostStub: join(dir, 'hostStub.js') }), launchChromium()]);
    const run = recordRun(inject('cliPath'), 'balanced');
    const cautious = recordRun(inject('cliPath'), 'cautious');
    journals = [run, cautious, run.slice(0, Math.floor(run.length / 2))];
  }, budget({ browser: 1, cli: 4, git: 6, verifiedRun: 2 }));

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    served = 0;
    panel = await openPanel(browser, server.url, 700);
    page = panel.page;
    // A new page loading the panel, bounded like the browser's start (vitest's 10 s hook default is too short under load).
  }, budget({ browser: 1 }));

  afterEach(async () => {
    const end = await closePanel(panel);
    expect(end.csp).toEqual([]);
    expect(end.errors).toEqual([]);
    expect(end.consoleErrors).toEqual([]);
  });

  const send = (...msgs: unknown[]) => page.evaluate((m) => (globalThis as unknown as PageGlobals).__host.send(...m), msgs);
  const posted = () => page.evaluate(() => (globalThis as unknown as PageGlobals).__posted);
  let served = 0;
  /** Answers the view's loadHistory posts since the last call as the host does, over `rows`; the requests answered. */
  const serve = async (rows: HistoryRow[]) => {
    const all = await posted();
    const asks = all.slice(served).flatMap((m) => (m.type === 'loadHistory' ? [m] : []));
    served = all.length;
    for (const a of asks) await send(historyMessage(rows, a));
    return asks;
  };
  /** Waits until the view has asked for the page at `offset`. */
  const asked = (offset: number) =>
    page.evaluate(async (o) => {
      const g = globalThis as unknown as PageGlobals;
      while (!g.__posted.some((m) => m.type === 'loadHistory' && m.offset === o)) await new Promise((r) => setTimeout(r, 10));
    }, offset);

  it('the Runs tab asks the host for the history, lists the runs newest first with their figures, and the stats above', async () => {
    expect(await page.locator('#runs').isVisible()).toBe(false);
    await page.getByRole('tab', { name: 'Runs' }).click();
    expect((await posted()).at(-1)).toEqual({ type: 'loadHistory', filter: {}, offset: 0, limit: 100 });
    expect(await page.locator('#timeline').isVisible()).toBe(false);
    expect(await page.getByRole('tab', { name: 'Runs' }).getAttribute('aria-selected')).toBe('true');
    const rows = historyRows(journals, 6);
    expect(await serve(rows)).toHaveLength(1);
    expect(await page.locator('.runs-count').innerText()).toBe('6 runs');
    const list = page.locator('.runs-list .run-row');
    expect(await list.count()).toBe(6);
    // Newest first; each with its task, outcome and disposition, spec, level, model, tokens, self-corrections, checks.
    expect(await list.first().getAttribute('data-run')).toBe(rows[0]!.runId);
    const completed = rows.find((r) => r.outcome === 'completed' && r.disposition === 'discarded')!;
    const row = page.locator(`.run-row[data-run="${completed.runId}"]`);
    const text = await row.innerText();
    expect(text).toContain('2.1 Store a priority on each item');
    expect(text).toContain('completed · discarded');
    expect(text).toContain(completed.spec);
    expect(text).toContain('balanced');
    expect(text).toContain('replay:');
    expect(text).toContain('1 self-correction');
    expect(text).toContain('checks 1/2');
    expect(await page.locator('.run-row.outcome-interrupted').count()).toBe(2);
    expect(await page.locator('.run-row.outcome-failed, .run-row.outcome-paused, .run-row.outcome-stopped, .run-row.outcome-completed').count()).toBe(4);
    // The stats: the same figures as `runs stats`.
    const stats = await page.locator('.runs-stats').innerText();
    const s = historyMessage(rows).stats.overall;
    expect(stats).toContain(`6 runs · tasks ${s.tasks.completed} completed, ${s.tasks.failed} failed, ${s.tasks.paused} paused, ${s.tasks.stopped} stopped, ${s.tasks.interrupted} interrupted`);
    expect(stats).toContain(`checks pass ${Math.round(s.checks.passRate! * 100)}%`);
    expect(stats).toMatch(/self-corrections per task \d\.\d\d \(max 1\)/);
    expect(stats).toContain(`gate ${s.gate.allow} allow, ${s.gate.ask} ask, ${s.gate.deny} deny`);
    expect(stats).toContain(`approvals ${s.approvals.asked} asked`);
  });

  it("a run's cost reads as the header and the CLI write it: a run under a cent is not $0.000", async () => {
    await page.getByRole('tab', { name: 'Runs' }).click();
    await asked(0);
    const rows = historyRows(journals, 2).map((r, i) => ({ ...r, costUsd: i === 0 ? 0.0004 : 1.5 }));
    await serve(rows);
    expect(await page.locator(`.run-row[data-run="${rows[0]!.runId}"]`).innerText()).toContain('$0.0004');
    expect(await page.locator(`.run-row[data-run="${rows[1]!.runId}"]`).innerText()).toContain('$1.50');
  });

  it('a run whose requests were not all priced says so, as the header does; the stats say over how many runs the cost is known', async () => {
    await page.getByRole('tab', { name: 'Runs' }).click();
    await asked(0);
    // The recorded run with its own requests taken out and these put in before its end: all priced, some, none.
    const base = journals[0]!.filter((e) => e.type !== 'model.usage');
    const usage = (costUsd?: number) => ({ ...base[1]!, type: 'model.usage', inputTokens: 1000, outputTokens: 100, ...(costUsd !== undefined ? { costUsd, costSource: 'table' } : {}) }) as RunEvent;
    const withUsage = (...u: RunEvent[]) => [...base.slice(0, -1), ...u, base.at(-1)!];
    const rows = historyRows([withUsage(usage(0.01), usage(0.02)), withUsage(usage(0.12), usage(), usage(), usage()), withUsage(usage(), usage())], 3);
    await serve(rows);
    const text = (i: number) => page.locator(`.run-row[data-run="${rows[i]!.runId}"]`).innerText();
    // Newest first: none priced, some priced, all priced.
    expect(await text(0)).toContain('no price known');
    expect(await text(0)).not.toContain('$');
    expect(await text(1)).toContain('$0.120 + no price known for 3 requests');
    expect(await text(2)).toContain('$0.030');
    expect(await text(2)).not.toContain('no price known');
    expect(await page.locator('.runs-stats').innerText()).toContain('(cost known for 1 of 3 runs, partial for 1, none for 1; no price known for 5 requests)');
  });

  it('filters by spec (the stats follow) and by outcome; picking a run asks the host to show it and goes back to the timeline', async () => {
    await page.getByRole('tab', { name: 'Runs' }).click();
    const rows = historyRows(journals, 9);
    await serve(rows);
    await page.locator('select[data-filter="spec"]').selectOption('billing');
    // The filter is the host's to apply: the view asks for the first page of billing's runs.
    expect(await serve(rows)).toEqual([{ type: 'loadHistory', filter: { spec: 'billing' }, offset: 0, limit: 100 }]);
    expect(await page.locator('.runs-count').innerText()).toBe('3 of 9 runs');
    expect(await page.locator('.runs-stats').innerText()).toMatch(/^3 runs · tasks/);
    const specs = await page.evaluate(() => Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('.run-row .run-spec'), (e) => e.textContent));
    expect(specs).toEqual(['billing', 'billing', 'billing']);
    await page.locator('select[data-filter="spec"]').selectOption('');
    await page.locator('select[data-filter="outcome"]').selectOption('interrupted');
    await serve(rows);
    expect(await page.locator('.runs-count').innerText()).toBe('3 of 9 runs');
    expect(await page.locator('.run-row.outcome-interrupted').count()).toBe(3);
    expect(await page.locator('.run-row:not(.outcome-interrupted)').count()).toBe(0);

    const pick = rows.find((r) => r.outcome === 'interrupted')!;
    await page.locator(`.run-row[data-run="${pick.runId}"]`).click();
    expect((await posted()).at(-1)).toEqual({ type: 'showRun', runId: pick.runId });
    expect(await page.locator('#runs').isVisible()).toBe(false);
    expect(await page.getByRole('tab', { name: 'Activity' }).getAttribute('aria-selected')).toBe('true');
    // The host answers with the run's journal, read-only in the timeline as any run shown.
    const journal = journals[2]!;
    await send({ type: 'reset', runId: journal[0]!.runId, events: journal });
    expect(await page.locator('#timeline .row').count()).toBeGreaterThan(0);
  });

  it('5,000 runs: the host sends a page at a time, only the rows in sight are in the DOM, and scrolling to the end brings the oldest run', async () => {
    await page.getByRole('tab', { name: 'Runs' }).click();
    const rows = historyRows(journals, 5000);
    await serve(rows);
    expect(await page.locator('.runs-count').innerText()).toBe('5000 runs');
    const built = await page.locator('.run-row').count();
    expect(built).toBeGreaterThan(10);
    expect(built).toBeLessThan(60);
    await page.locator('.runs-list').evaluate((el) => {
      const list = el as { scrollTop: number; scrollHeight: number };
      list.scrollTop = list.scrollHeight;
    });
    // The rows at the end are not there yet: the view asks for their page, shows them when it comes.
    await asked(4900);
    expect(await page.locator('.run-row-loading').count()).toBeGreaterThan(0);
    const asks = await serve(rows);
    expect(asks.map((a) => a.offset)).toContain(4900);
    for (const a of asks) expect(a.limit).toBe(100);
    await page.locator(`.run-row[data-run="${rows.at(-1)!.runId}"]`).waitFor({ state: 'visible' });
    expect(await page.locator('.run-row-loading').count()).toBe(0);
    expect(await page.locator('.run-row').count()).toBeLessThan(60);

    // A run ended: the host sends the first page again. The list stays where the user is, and asks again for the
    // rows in sight (the runs may have moved down by one).
    await send(historyMessage(rows));
    expect(await page.locator('.runs-list').evaluate((el) => (el as { scrollTop: number }).scrollTop)).toBeGreaterThan(1000);
    await asked(4900);
    await serve(rows);
    await page.locator(`.run-row[data-run="${rows.at(-1)!.runId}"]`).waitFor({ state: 'visible' });
  });

  it('an empty workspace says so', async () => {
    await page.getByRole('tab', { name: 'Runs' }).click();
    await serve([]);
    expect(await page.locator('.runs-empty').innerText()).toBe('No runs in this workspace yet.');
    expect(await page.locator('.runs-count').innerText()).toBe('0 runs');
  });
});
