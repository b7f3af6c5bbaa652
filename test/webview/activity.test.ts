// The Agent Activity webview in real Chromium: the page activityHtml() makes, with its CSP, driven through the
// same messages the extension host posts, fed with journals of real runs of the CLI.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { ActivityModel } from '../../src/webview/activityModel.js';
import { buildHostStub, buildWebview } from '../../scripts/buildWebview.mjs';
import type { HostMessage, WebviewMessage } from '../../src/core/runs/activityProtocol.js';
import type { RunEvent } from '../../src/core/runs/events.js';
import { budget, patience } from '../support/budget.js';
import { chromiumMissing, closePanel, launchChromium, openPanel, recordRun, scaleRun, startActivityServer, type ActivityServer, type Browser, type Page, type PanelPage } from '../support/webviewPage.js';

const ROOT = resolve(__dirname, '../..');
const SHOTS = join(ROOT, 'test-output/webview');

/** The page's globals, as hostStub.ts defines them (the test side has no DOM types). */
interface PageGlobals {
  __host: {
    send(...msgs: unknown[]): Promise<void>;
    timed(msg: unknown, lastSeq: number): Promise<{ lastRowMs: number; ms: number; longestTaskMs: number; longTasks: number }>;
    domNodes(): number;
  };
  __posted: WebviewMessage[];
  __acquired: number;
  __csp: string[];
}

const missing = chromiumMissing();
// In CI a missing browser is a failure (npm test installs it before these tests), never a silent skip.
if (missing && process.env.CI) throw new Error(`the webview tests need a browser: ${missing}`);
if (missing) console.warn(`webview tests skipped: ${missing}`);

describe.skipIf(missing !== null)('Agent Activity webview (real Chromium)', () => {
  let dir: string;
  let browser: Browser;
  let server: ActivityServer;
  let panel: PanelPage;
  let page: Page;
  let run: RunEvent[];
  let cautious: RunEvent[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spec-agent-webview-'));
    await Promise.all([buildWebview({ outdir: join(dir, 'webview') }), buildHostStub({ outfile: join(dir, 'hostStub.js') })]);
    [server, browser] = await Promise.all([startActivityServer({ webviewDir: join(dir, 'webview'), hostStub: join(dir, 'hostStub.js') }), launchChromium()]);
    run = recordRun(inject('cliPath'), 'balanced');
    cautious = recordRun(inject('cliPath'), 'cautious');
    mkdirSync(SHOTS, { recursive: true });
    // Two recorded runs (each a CLI start, 3 git commands, a run with the example's npm test) and a browser.
  }, budget({ browser: 1, cli: 2, git: 6, verifiedRun: 2 }));

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    panel = await openPanel(browser, server.url);
    page = panel.page;
    // A new page loading the panel, bounded like the browser's start (vitest's 10 s hook default is too short under load).
  }, budget({ browser: 1 }));

  afterEach(async () => {
    // Every test: no CSP violation, no uncaught error, no console error.
    const end = await closePanel(panel);
    expect(end.csp).toEqual([]);
    expect(end.errors).toEqual([]);
    expect(end.consoleErrors).toEqual([]);
  });

  const send = (...msgs: Array<HostMessage | Record<string, unknown>>) => page.evaluate((m) => (globalThis as unknown as PageGlobals).__host.send(...m), msgs);
  const posted = () => page.evaluate(() => (globalThis as unknown as PageGlobals).__posted);
  const runId = () => run[0]!.runId;
  const controls = (over: Partial<Extract<HostMessage, { type: 'controls' }>['controls']> = {}): HostMessage => ({
    type: 'controls',
    controls: { running: false, stoppingAfterTask: false, canResume: false, canDiscard: false, canUndoDiscard: false, canKeep: false, ...over },
  });
  /** The cautious run up to (and with) its first approval.requested of `tool`: the moment the card is pending. */
  const pendingAt = (tool: string) => {
    const i = cautious.findIndex((e) => e.type === 'approval.requested' && e.tool === tool);
    expect(i).toBeGreaterThan(0);
    return { events: cautious.slice(0, i + 1), request: cautious[i] as Extract<RunEvent, { type: 'approval.requested' }> };
  };

  it('posts ready first, acquires the VS Code API once, and shows the empty state for no run', async () => {
    expect((await posted())[0]).toEqual({ type: 'ready' });
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__acquired)).toBe(1);
    await send({ type: 'reset', runId: null, events: [] });
    expect(await page.locator('#empty').innerText()).toBe('No run yet. Click ▶ Execute with Agent above a task in tasks.md.');
    expect(await page.locator('#timeline .row').count()).toBe(0);
  });

  it('renders a real run: header (task, state, level and source, steps) and one row per meaningful thing', async () => {
    await send({ type: 'reset', runId: runId(), events: run }, controls({ canDiscard: true, canKeep: true }));
    expect(await page.locator('#empty').isVisible()).toBe(false);
    expect(await page.locator('.header-task').innerText()).toBe('2.1 Store a priority on each item');
    expect(await page.locator('.badge.state').getAttribute('data-state')).toBe('completed');
    expect(await page.locator('.badge.state').innerText()).toMatch(/^\s*completed$/);
    // After a discard the header says so, not "completed" alone.
    await send(controls({ canUndoDiscard: true, disposition: 'discarded' }));
    expect(await page.locator('.badge.state').innerText()).toMatch(/^\s*completed · discarded$/);
    await send(controls({ canDiscard: true, canKeep: true }));
    expect(await page.locator('.header-level').innerText()).toBe('balanced (from .kiro/settings.json)');
    expect(await page.locator('.header-steps').innerText()).toBe(`${run.filter((e) => e.type === 'step.started').length} steps`);
    expect(await page.locator('.header-elapsed').innerText()).toMatch(/^\d+(\.\d)? (ms|s)$/);
    // The CLI ran it confined (bubblewrap is installed before the tests).
    expect(await page.locator('.header-sandbox').innerText()).toBe('sandboxed');

    const tl = page.locator('#timeline');
    // Reads are one-liners with what they read.
    expect(await tl.locator('.row-call[data-call="replay-0-1"]').innerText()).toMatch(/^Read src\/todo\.js\s+\S*\s*\d+ lines allow · R3$/);
    // Writes carry their diffstat from tool.finished data.
    const created = await tl.locator('.row-call[data-call="replay-1-1"]').innerText();
    expect(created).toContain('test/priority.test.js');
    expect(created).toContain('new · 16 lines');
    const edit = await tl.locator('.row-call[data-call="replay-3-0"]').innerText();
    expect(edit).toMatch(/\+1\s+−1/);
    // Commands: the command, exit code and duration; the failing one and the passing one.
    expect(await tl.locator('.row-call[data-call="replay-2-0"] .status').innerText()).toMatch(/exit 1 · \d/);
    expect(await tl.locator('.row-call[data-call="replay-4-0"] .status').innerText()).toMatch(/exit 0 · \d/);
    expect(await tl.locator('.row-call[data-call="replay-2-0"] .command').innerText()).toBe('npm test');
    // The deny stands out and says why.
    const deny = tl.locator('.row-call.verdict-deny');
    expect(await deny.count()).toBe(1);
    expect(await deny.locator('.badge.gate').innerText()).toBe('deny · C5');
    expect(await deny.locator('.gate-reason').innerText()).toContain('matches the forbidden command "rm -rf"');
    // Every other call shows its allow and the rule.
    expect(await tl.locator('.row-call[data-call="replay-2-0"] .badge.gate').innerText()).toBe('allow · C8');
    expect(await tl.locator('.row-selfcorrection').innerText()).toContain('Self-correction 1/3');
    // The example's always-included steering file is said, with why.
    expect(await tl.locator('.row-steering').innerText()).toMatch(/^Steering conventions included\s+always$/);
    expect(await tl.locator('.row-checkpoint').first().innerText()).toMatch(/Checkpoint before the run [0-9a-f]{7}/);
    // The completion report: summary, requirements with evidence, verification, files changed in the task.
    const report = tl.locator('.row-completion');
    const text = await report.innerText();
    expect(text).toContain('Task 2.1 completed');
    expect(text).toContain('verified');
    expect(text).toContain("test 'an item gets the priority normal by default'");
    expect(await report.locator('.report-list li.ok').innerText()).toContain('npm test exit 0');
    const fileList = await report.locator('.files').innerText();
    expect(fileList).toContain('src/todo.js');
    expect(fileList).toContain('test/priority.test.js');
    expect(await tl.locator('.row-end.end-completed').innerText()).toBe('Run completed · 1 task done');
    // A denied command never ran: no output to open, the reason is the row's text.
    expect(await deny.getByRole('button', { name: /Output/ }).count()).toBe(0);
    // One row per item of the model: nothing dropped, nothing doubled.
    const model = new ActivityModel();
    model.reset(runId(), run);
    expect(await tl.locator('.row').count()).toBe(model.items.length);
    // The ended run offers what the host allows, and no Stop.
    expect(await page.getByRole('button', { name: 'Keep changes' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Stop Agent' }).isVisible()).toBe(false);
    await send({ type: 'autonomy', autonomy: { level: 'balanced', source: '.kiro/settings.json', setting: 'inherit' } });
    await page.screenshot({ path: join(SHOTS, 'activity-completed-run.png') });
  });

  it('a run whose commands were not confined says so in the header, with why (RULES.md §4 S6)', async () => {
    const id = 'unconfined-run';
    const events = run.map((e) => ({ ...e, runId: id, ...(e.type === 'run.started' ? { sandbox: { confined: false, why: 'bubblewrap is not installed', mode: 'auto' } } : {}) })) as RunEvent[];
    await send({ type: 'reset', runId: id, events });
    const label = page.locator('.header-sandbox');
    expect(await label.innerText()).toBe('not sandboxed: bubblewrap is not installed');
    expect(await label.getAttribute('class')).toContain('warning');
    expect(await label.getAttribute('title')).toContain('full level decides commands as balanced does');
  });

  it("a run asked for from the chat shows the user's note under the header; a run without one shows no line", async () => {
    const id = 'noted-run';
    const events = run.map((e) => ({ ...e, runId: id, ...(e.type === 'run.started' ? { note: 'use jsonwebtoken with 1h expiry' } : {}) })) as RunEvent[];
    await send({ type: 'reset', runId: id, events });
    const note = page.locator('.header-note');
    expect(await note.innerText()).toBe('Your note: use jsonwebtoken with 1h expiry');
    await send({ type: 'reset', runId: runId(), events: run });
    expect(await note.isVisible()).toBe(false);
  });

  it('a command that hit the sandbox says which boundary on its row, outside its folded output', async () => {
    const id = 'boundary-run';
    const head = run.slice(0, 2).map((e) => ({ ...e, runId: id }));
    let seq = head.length;
    const ev = (e: Record<string, unknown>) => ({ runId: id, seq: seq++, time: head[0]!.time, ...e }) as RunEvent;
    const note = 'write to /etc/x refused by the sandbox: commands write only inside the workspace';
    await send({
      type: 'reset',
      runId: id,
      events: [
        ...head,
        ev({ type: 'tool.requested', callId: 'b1', tool: 'run_command', input: { command: 'npm test' } }),
        ev({ type: 'gate.decided', callId: 'b1', verdict: 'allow', rule: 'C8', reason: 'allow: every command matches allowedCommands ("npm test")', findings: [] }),
        ev({ type: 'tool.finished', callId: 'b1', ok: false, output: `exit code 1\nEROFS\n[sandbox] ${note}`, data: { exitCode: 1, durationMs: 80, sandboxed: true, boundaries: [note] }, durationMs: 80 }),
      ],
    });
    expect(await page.locator('[data-call="b1"] .sandbox-boundary').innerText()).toContain(note);
  });

  it('a condensed context is one row, its summary folded until asked; cached tokens show in the header', async () => {
    const id = 'condensed-run';
    const head = run.slice(0, 2).map((e) => ({ ...e, runId: id }));
    let seq = head.length;
    const ev = (e: Record<string, unknown>) => ({ runId: id, seq: seq++, time: head[0]!.time, ...e }) as RunEvent;
    await send({
      type: 'reset',
      runId: id,
      events: [
        ...head,
        ev({ type: 'model.usage', inputTokens: 98_000, outputTokens: 900, cachedInputTokens: 80_000 }),
        ev({ type: 'context.condensed', taskId: '2.1', reason: 'window', by: 'model', summary: '5. What remains: edit src/todo.js', tokensBefore: 98_000, tokensAfter: 12_400, replaced: 14 }),
      ],
    });
    const row = page.locator('.row-condensed');
    expect(await row.locator('.title').innerText()).toBe('Context condensed: 98k → 12k tokens');
    expect(await row.innerText()).toContain('14 earlier messages summarised by the model');
    expect(await row.innerText()).not.toContain('What remains');
    await row.getByRole('button', { name: 'Show summary' }).click();
    await expect.poll(() => row.innerText()).toContain('5. What remains: edit src/todo.js');
    expect(await page.locator('.header').innerText()).toContain('98k in / 80k cached / 900 out tokens');
  });

  it('the header adds up tokens (in / cached / out) and cost as they come; a model with no price says so, and the maxCostPerRun warning shows once', async () => {
    const id = 'cost-run';
    const started = { ...run[0]!, runId: id, seq: 0, pricing: { model: 'openai:gpt-4o', rates: { input: 2.5, cachedInput: 1.25, output: 10 }, asOf: '2026-12-07' } } as RunEvent;
    let seq = 1;
    const ev = (e: Record<string, unknown>) => ({ runId: id, seq: seq++, time: started.time, ...e }) as RunEvent;
    await send({ type: 'reset', runId: id, events: [started, ev({ type: 'model.usage', inputTokens: 8000, cachedInputTokens: 3000, outputTokens: 200, costUsd: 0.01, costSource: 'table' })] }, controls({ running: true }));
    const tokens = page.locator('.header-tokens');
    const cost = page.locator('.header-cost');
    expect(await tokens.innerText()).toBe('8.0k in / 3.0k cached / 200 out tokens');
    expect(await cost.innerText()).toBe('· $0.010');
    await send({ type: 'events', runId: id, events: [ev({ type: 'model.usage', inputTokens: 9000, cachedInputTokens: 8000, outputTokens: 150, costUsd: 0.0042, costSource: 'table' })] });
    await expect.poll(() => tokens.innerText()).toBe('17k in / 11k cached / 350 out tokens');
    expect(await cost.innerText()).toBe('· $0.014');
    expect(await page.locator('.header-pricing').isVisible()).toBe(false);

    const warning = 'maxCostPerRun ($0.010) cannot be enforced: no price known for vllm:m (not in the price table, src/core/models/prices.ts, and the provider reports no cost); the run shows tokens only.';
    const unpriced = { ...started, runId: 'unpriced-run', model: 'vllm:m', pricing: { model: 'vllm:m', warning } } as RunEvent;
    await send({ type: 'reset', runId: 'unpriced-run', events: [unpriced, { ...ev({ type: 'model.usage', inputTokens: 5000, outputTokens: 20 }), runId: 'unpriced-run' }] });
    expect(await tokens.innerText()).toBe('5.0k in / 0 cached / 20 out tokens');
    expect(await cost.innerText()).toBe('· no price known');
    expect(await cost.getAttribute('title')).toContain('vllm:m is not in the price table');
    expect(await page.locator('.header-pricing').innerText()).toBe(warning);
    expect(await page.locator('.header-meta').innerText()).not.toContain('$0');
  });

  it('a rate-limit wait counts down live in the header from the one model.waiting event, and goes when the answer comes', async () => {
    const id = 'wait-run';
    const head = run.slice(0, 2).map((e) => ({ ...e, runId: id }));
    let seq = head.length;
    const ev = (e: Record<string, unknown>) => ({ runId: id, seq: seq++, time: new Date().toISOString(), ...e }) as RunEvent;
    await send({ type: 'reset', runId: id, events: head }, controls({ running: true }));
    const wait = page.locator('.header-wait');
    expect(await wait.isVisible()).toBe(false);
    await send({ type: 'events', runId: id, events: [ev({ type: 'model.waiting', host: 'api.example.com', status: 429, until: new Date(Date.now() + 23_000).toISOString(), attempt: 1, retryAfter: true })] });
    const first = await wait.innerText();
    expect(first).toMatch(/^rate-limited by api\.example\.com \(429\): retrying in 2[23] s$/);
    expect(await wait.getAttribute('role')).toBe('status');
    // Counted down by the page's own one-second tick, not by more events (waited for, not slept for).
    await expect.poll(() => wait.innerText(), { timeout: patience({ tick: 1 }) }).not.toBe(first);
    expect(Number(/in (\d+) s/.exec(await wait.innerText())![1])).toBeLessThan(Number(/in (\d+) s/.exec(first)![1]));
    await send({ type: 'events', runId: id, events: [ev({ type: 'model.usage', inputTokens: 100, outputTokens: 10 })] });
    await expect.poll(() => wait.isVisible()).toBe(false);
  }, budget({ tick: 2 }));

  it('a budget pause offers Resume with a raised limit for this run: prefilled, checked against what was spent, posted with the run id; the raise is a timeline row', async () => {
    const id = 'budget-run';
    const head = run.slice(0, 2).map((e) => ({ ...e, runId: id }));
    let seq = head.length;
    const ev = (e: Record<string, unknown>) => ({ runId: id, seq: seq++, time: new Date().toISOString(), ...e }) as RunEvent;
    const reason = "the run reached maxCostPerRun ($0.010): $0.012 (the provider's reported cost, else the price table's rates for gpt-4o as of 2026-12-07); task 2.1 so far: 4,800 tokens (4,760 in, 40 out) in 2 model turns, 1 s.";
    await send(
      { type: 'reset', runId: id, events: [...head, ev({ type: 'run.paused', kind: 'budget', reason, budget: { setting: 'maxCostPerRun', limit: 0.01, spent: 0.012 } }), ev({ type: 'run.stopped', reason: `paused: ${reason}`, completedSteps: [] })] },
      controls({ canResume: true }),
    );
    expect(await page.locator('.row-pause').innerText()).toBe(`Paused (budget reached)\n${reason}`);
    const form = page.locator('.raise-budget');
    expect(await form.isVisible()).toBe(true);
    const box = page.getByLabel('Resume with a raised limit for this run: maxCostPerRun (US dollars)');
    expect(await box.inputValue()).toBe('0.02');
    expect(await form.locator('.raise-note').innerText()).toBe('Spent $0.012 of $0.010. Applies to this run only (journaled); .kiro/settings.json stays as it is.');
    // A limit the run has already spent lets it go nowhere: said, not posted.
    const before = (await posted()).length;
    await box.fill('0.005');
    await page.getByRole('button', { name: 'Resume with a raised limit' }).click();
    expect(await form.locator('.raise-error').innerText()).toBe('The run has spent $0.012 already: a limit above that lets it go on.');
    expect(await posted()).toHaveLength(before);
    await box.fill('0.5');
    await box.press('Enter');
    expect((await posted()).at(-1)).toEqual({ type: 'resume', runId: id, raise: { setting: 'maxCostPerRun', value: 0.5 } });
    expect(await page.getByRole('button', { name: 'Resume with a raised limit' }).isEnabled()).toBe(false);
    // Another kind of pause offers no raise.
    await send({ type: 'reset', runId: id, events: [...head, ev({ type: 'run.paused', kind: 'group', reason: 'group done' }), ev({ type: 'run.stopped', reason: 'paused: group done', completedSteps: [] })] }, controls({ canResume: true }));
    expect(await form.isVisible()).toBe(false);
    // The run that resumed with it shows the raise.
    await send({ type: 'reset', runId: 'resumed-run', events: [{ ...head[0]!, runId: 'resumed-run' }, { ...ev({ type: 'budget.raised', setting: 'maxCostPerRun', value: 0.5, previous: 0.01 }), runId: 'resumed-run' }] }, controls({ running: true }));
    expect(await page.locator('.row-budget').innerText()).toBe('Budget raised for this run: maxCostPerRun $0.500 · .kiro/settings.json says $0.010');
  });

  it('a background process has a row that says it runs, then how it ended', async () => {
    const id = 'background-run';
    const head = run.slice(0, 2).map((e) => ({ ...e, runId: id }));
    let seq = head.length;
    const ev = (e: Record<string, unknown>) => ({ runId: id, seq: seq++, time: head[0]!.time, ...e }) as RunEvent;
    const events = [
      ...head,
      ev({ type: 'tool.requested', callId: 'srv', tool: 'run_command', input: { command: 'node server.js', background: true } }),
      ev({ type: 'gate.decided', callId: 'srv', verdict: 'allow', rule: 'C8', reason: 'allow: every command matches allowedCommands ("node")', findings: [] }),
      ev({ type: 'background.started', callId: 'srv', id: 'bg-1', command: 'node server.js', pid: 4242, outputFile: '.kiro/runs/background-run/outputs/1.log' }),
      ev({ type: 'tool.finished', callId: 'srv', ok: true, output: 'started in the background as bg-1', data: { background: true, id: 'bg-1', pid: 4242 }, durationMs: 6 }),
    ];
    await send({ type: 'reset', runId: id, events });
    const row = page.locator('.row-background');
    expect(await row.innerText()).toMatch(/Background bg-1: node server\.js[\s\S]*running · pid 4242 · output in \.kiro\/runs\/background-run\/outputs\/1\.log/);
    await send({ type: 'events', runId: id, events: [ev({ type: 'background.ended', callId: 'srv', id: 'bg-1', command: 'node server.js', pid: 4242, exitCode: null, signal: 'SIGTERM', durationMs: 4200, endedBy: 'stop' })] });
    await expect.poll(() => row.innerText()).toMatch(/ended by Stop after 4\.2 s/);
    expect(await page.locator('.row-background').count()).toBe(1);
  });

  it('a section the user opened stays open when the host sends the run again (the panel hidden and shown)', async () => {
    const id = runId();
    let seq = 3;
    const ev = (e: Record<string, unknown>) => ({ runId: id, seq: seq++, time: new Date().toISOString(), ...e }) as RunEvent;
    const events = [
      ...run.slice(0, 3),
      ev({ type: 'tool.requested', callId: 'kept-open', tool: 'run_command', input: { command: 'npm test' } }),
      ev({ type: 'gate.decided', callId: 'kept-open', verdict: 'allow', rule: 'C8', reason: 'allow: every command matches allowedCommands', findings: [] }),
      ev({ type: 'tool.output', callId: 'kept-open', stream: 'stdout', text: 'ok 1\nok 2\n' }),
    ];
    await send({ type: 'reset', runId: id, events }, controls({ running: true }));
    const toggle = () => page.locator('.row-call[data-call="kept-open"]').getByRole('button', { name: /Output/ });
    await toggle().click();
    expect(await toggle().getAttribute('aria-expanded')).toBe('true');
    await send({ type: 'reset', runId: id, events }, controls({ running: true }));
    expect(await toggle().getAttribute('aria-expanded')).toBe('true');
    // Another run starts with everything folded.
    await send({ type: 'reset', runId: 'another-run', events: events.map((e) => ({ ...e, runId: 'another-run' })) }, controls({ running: true }));
    expect(await toggle().getAttribute('aria-expanded')).toBe('false');
  });

  it('command output is collapsed by default, expands on demand, streams while open, and keeps only its last 200 lines', async () => {
    const id = runId();
    const head = run.slice(0, 3);
    let seq = head.length;
    const ev = (e: Record<string, unknown>) => ({ runId: id, seq: seq++, time: new Date().toISOString(), ...e }) as RunEvent;
    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i + 1}`);
    await send(
      { type: 'reset', runId: id, events: head },
      controls({ running: true }),
      {
        type: 'events',
        runId: id,
        events: [
          ev({ type: 'tool.requested', callId: 'big', tool: 'run_command', input: { command: 'npm run build' } }),
          ev({ type: 'gate.decided', callId: 'big', verdict: 'allow', rule: 'C8', reason: 'allow: every command matches allowedCommands', findings: [] }),
          // Chunks split mid-line, as a pipe delivers them.
          ...chunk(lines.join('\n') + '\n', 997).map((text) => ev({ type: 'tool.output', callId: 'big', stream: 'stdout', text })),
        ],
      },
    );
    const row = page.locator('.row-call[data-call="big"]');
    expect(await row.locator('.status').innerText()).toContain('running');
    const toggle = row.getByRole('button', { name: /Output/ });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await toggle.innerText()).toContain('1000 lines');
    expect(await row.locator('.output-text').count()).toBe(0);
    await toggle.click();
    expect(await row.getByRole('button', { name: /Output/ }).getAttribute('aria-expanded')).toBe('true');
    const shown = (await row.locator('.output-text').textContent())!.split('\n');
    expect(shown).toHaveLength(200);
    expect(shown[0]).toBe('line 801');
    expect(shown.at(-1)).toBe('line 1000');
    expect(await row.locator('.output-note').innerText()).toContain('800 earlier lines not shown');
    // Scrolled to its end, as a terminal is.
    expect(await row.locator('.output-text').evaluate((el: unknown) => { const e = el as { scrollTop: number; scrollHeight: number; clientHeight: number }; return e.scrollHeight - e.scrollTop - e.clientHeight; })).toBeLessThan(2);
    await page.screenshot({ path: join(SHOTS, 'activity-running-output.png') });
    // Still open, new output arrives; then the call finishes with its exit code.
    await send({
      type: 'events',
      runId: id,
      events: [ev({ type: 'tool.output', callId: 'big', stream: 'stderr', text: 'done\n' }), ev({ type: 'tool.finished', callId: 'big', ok: true, output: 'exit code 0', data: { exitCode: 0, durationMs: 4200 }, durationMs: 4200 })],
    });
    expect((await row.locator('.output-text').textContent())!.split('\n').at(-1)).toBe('done');
    expect((await row.locator('.status').innerText()).trim()).toBe('exit 0 · 4.2 s');
    await row.getByRole('button', { name: /Output/ }).click();
    expect(await row.locator('.output-text').count()).toBe(0);
  });

  it('Open diff on a write posts openDiff with the run id and the path; a path posts openFile', async () => {
    await send({ type: 'reset', runId: runId(), events: run });
    await page.locator('.row-call[data-call="replay-3-0"]').getByRole('button', { name: 'Open diff of src/todo.js' }).click();
    await page.locator('.row-call[data-call="replay-0-1"]').getByRole('button', { name: 'src/todo.js' }).click();
    expect((await posted()).slice(1)).toEqual([
      { type: 'openDiff', runId: runId(), path: 'src/todo.js' },
      { type: 'openFile', path: 'src/todo.js' },
    ]);
  });

  it('a pending command approval shows a card (command, rule, reason, the exact Always-allow entry); Approve posts approve with the call id', async () => {
    const { events, request } = pendingAt('run_command');
    await send({ type: 'reset', runId: request.runId, events }, controls({ running: true }));
    expect(await page.locator('.badge.state').getAttribute('data-state')).toBe('waiting');
    const card = page.locator(`.approval-card[data-call="${request.callId}"]`);
    expect(await card.locator('.card-subject').innerText()).toBe('npm test');
    expect(await card.locator('.badge.gate').innerText()).toBe(`ask · ${request.rule}`);
    expect(await card.locator('.card-reason').innerText()).toBe(request.reason);
    // No Always allow until the host has checked that an entry would cover the command.
    expect(await card.getByRole('button', { name: /Always allow/ }).count()).toBe(0);
    await send({ type: 'approvalDetail', detail: { callId: request.callId } });
    expect(await card.getByRole('button', { name: /Always allow/ }).count()).toBe(0);
    // The host's detail names the exact entry; the card shows that one.
    await send({ type: 'approvalDetail', detail: { callId: request.callId, alwaysAllowEntries: ['npm test --'] } });
    expect(await card.locator('.always-note').innerText()).toBe('adds "npm test --" to allowedCommands');
    expect(await card.getByRole('button', { name: /Always allow/ }).getAttribute('aria-label')).toBe('Always allow: adds "npm test --" to allowedCommands');
    // A compound line: one entry per simple command, all shown.
    await send({ type: 'approvalDetail', detail: { callId: request.callId, alwaysAllowEntries: ['npm test', 'npm run lint'] } });
    expect(await card.locator('.always-note').innerText()).toBe('adds "npm test", "npm run lint" to allowedCommands');
    // At cautious the entry does not stop the questions yet: the card says so.
    await send({ type: 'approvalDetail', detail: { callId: request.callId, alwaysAllowEntries: ['npm test'], alwaysAllowNote: 'at the cautious level every command still asks; the entry applies at balanced or full' } });
    expect(await card.locator('.always-note').innerText()).toBe('adds "npm test" to allowedCommands; at the cautious level every command still asks; the entry applies at balanced or full');
    await card.getByRole('button', { name: 'Approve' }).click();
    expect((await posted()).at(-1)).toEqual({ type: 'approve', callId: request.callId });
    // Resolved: the card goes, its row says who decided.
    await send({ type: 'events', runId: request.runId, events: [{ runId: request.runId, seq: request.seq + 1, time: request.time, type: 'approval.resolved', callId: request.callId, approved: true, by: 'user' }] });
    expect(await page.locator('.approval-card').count()).toBe(0);
    expect(await page.locator(`.row-call[data-call="${request.callId}"] .approval-outcome`).innerText()).toBe('Approved by you');
    expect(await page.locator('.badge.state').getAttribute('data-state')).toBe('running');
  });

  it('Always allow posts alwaysAllow; a resolved always-allow reads as such', async () => {
    const { events, request } = pendingAt('run_command');
    await send({ type: 'reset', runId: request.runId, events }, controls({ running: true }), { type: 'approvalDetail', detail: { callId: request.callId, alwaysAllowEntries: ['npm test'] } });
    await page.locator('.approval-card').getByRole('button', { name: /Always allow/ }).click();
    expect((await posted()).at(-1)).toEqual({ type: 'alwaysAllow', callId: request.callId });
    await send({ type: 'events', runId: request.runId, events: [{ runId: request.runId, seq: request.seq + 1, time: request.time, type: 'approval.resolved', callId: request.callId, approved: true, by: 'user', alwaysAllow: 'npm test' }] });
    expect(await page.locator(`.row-call[data-call="${request.callId}"] .approval-outcome`).innerText()).toBe('Always allowed: "npm test" added to allowedCommands');
  });

  it('a question left in a journal whose run is no longer live shows no card (nobody is waiting for it)', async () => {
    const { events, request } = pendingAt('run_command');
    await send({ type: 'reset', runId: request.runId, events }, controls({ running: false, canResume: true }));
    expect(await page.locator('.approval-card').count()).toBe(0);
    await send(controls({ running: true }));
    expect(await page.locator(`.approval-card[data-call="${request.callId}"]`).count()).toBe(1);
  });

  it('a pending write shows the diff from approvalDetail with added and removed lines, offers no Always allow; Reject posts reject', async () => {
    const { events, request } = pendingAt('write_file');
    await send({ type: 'reset', runId: request.runId, events }, controls({ running: true }));
    const card = page.locator('.approval-card');
    expect(await card.locator('.card-subject').innerText()).toBe('src/todo.js');
    expect(await card.getByRole('button', { name: /Always allow/ }).count()).toBe(0);
    await card.getByRole('button', { name: 'Reject' }).focus();
    const diff = '--- a/src/todo.js\n+++ b/src/todo.js\n@@ -1,3 +1,4 @@\n \'use strict\';\n-const old = 1;\n+const PRIORITIES = [\'high\', \'normal\', \'low\'];\n+const added = 2;\n';
    await send({ type: 'approvalDetail', detail: { callId: request.callId, diff } });
    expect(await card.locator('.diff-add').count()).toBe(2);
    expect(await card.locator('.diff-del').innerText()).toBe('-const old = 1;');
    // The card was rebuilt for its diff; the keyboard focus stayed on Reject.
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent)).toContain('Reject');
    await page.keyboard.press('Enter');
    expect((await posted()).at(-1)).toEqual({ type: 'reject', callId: request.callId });
    await page.screenshot({ path: join(SHOTS, 'activity-approval-diff.png') });
  });

  it('Reject carries the reason typed in the card (kept through a re-render, Enter in the box rejects); the row shows it', async () => {
    const { events, request } = pendingAt('run_command');
    await send({ type: 'reset', runId: request.runId, events }, controls({ running: true }));
    const box = page.locator('.approval-card').getByRole('textbox', { name: /Reason to reject/ });
    await box.focus();
    await page.keyboard.type('use node --test instead');
    // The host's detail rebuilds the card: the words typed stay, and so does the focus.
    await send({ type: 'approvalDetail', detail: { callId: request.callId, alwaysAllowEntries: ['npm test'] } });
    expect(await page.locator('.approval-card .always-note').count()).toBe(1);
    expect(await box.inputValue()).toBe('use node --test instead');
    // Still focused after the re-render: Enter goes to the box.
    await page.keyboard.press('Enter');
    expect((await posted()).at(-1)).toEqual({ type: 'reject', callId: request.callId, reason: 'use node --test instead' });
    expect(await page.locator('.approval-card button:not([disabled])').count()).toBe(0);
    await send({ type: 'events', runId: request.runId, events: [{ runId: request.runId, seq: request.seq + 1, time: request.time, type: 'approval.resolved', callId: request.callId, approved: false, by: 'user', reason: 'use node --test instead' }] });
    expect(await page.locator(`.row-call[data-call="${request.callId}"] .approval-outcome`).innerText()).toBe('Rejected by you: use node --test instead');
    await page.screenshot({ path: join(SHOTS, 'activity-reject-reason.png') });
  });

  it('a task completed with no verifyCommands says so, with a link adding the check the run passed', async () => {
    // The same run as if .kiro/settings.json had no verifyCommands: its completion ran no checks.
    const unchecked = run.map((e) => (e.type === 'task.completed' ? { ...e, verification: [], verified: false } : e));
    await send({ type: 'reset', runId: runId(), events: unchecked }, controls());
    const report = page.locator('.row-completion');
    expect(await report.locator('.no-checks .badge').innerText()).toBe('no verifyCommands set');
    expect(await report.innerText()).not.toContain('not verified');
    const link = report.getByRole('button', { name: 'Add "npm test" as verifyCommands' });
    expect(await link.getAttribute('title')).toBe('Adds "npm test" to verifyCommands in .kiro/settings.json');
    await link.click();
    expect((await posted()).at(-1)).toEqual({ type: 'addVerifyCommands', runId: runId() });
    // With checks set and passed, no link.
    await send({ type: 'reset', runId: runId(), events: run }, controls());
    expect(await page.locator('.row-completion .no-checks').count()).toBe(0);
  });

  it('folds a step\'s checkpoints into its row: a badge with the id and a menu (diff against it, restore to it), also from an older journal', async () => {
    const steps = run.filter((e): e is Extract<RunEvent, { type: 'checkpoint.created' }> => e.type === 'checkpoint.created' && e.callId !== undefined);
    expect(steps.length).toBeGreaterThanOrEqual(2);
    // A journal written before checkpoints named their call: the same rows, found by the label and the order.
    for (const events of [run, run.map((e) => (e.type === 'checkpoint.created' ? { ...e, callId: undefined } : e))]) {
      await send({ type: 'reset', runId: runId(), events }, controls());
      // Only the run's base stays a row of its own.
      expect(await page.locator('#timeline .row-checkpoint').count()).toBe(1);
      const before = steps.find((e) => e.label.startsWith('before '))!;
      const row = page.locator(`.row-call[data-call="${before.callId}"]`);
      const badge = row.locator('.checkpoint-menu > summary');
      expect((await badge.innerText()).trim()).toBe(before.commit.slice(0, 7));
      expect(await badge.getAttribute('title')).toContain(`Checkpoint before this step: ${before.commit}; after it: `);
      await badge.click();
      await row.getByRole('menuitem', { name: /Diff now against this checkpoint/ }).click();
      expect((await posted()).at(-1)).toEqual({ type: 'checkpointDiff', runId: runId(), commit: before.commit });
      // The menu closed on the choice; it opens again by keyboard.
      expect(await row.locator('.checkpoint-menu').getAttribute('open')).toBeNull();
      await badge.focus();
      await page.keyboard.press('Enter');
      await row.getByRole('menuitem', { name: /Restore files to this checkpoint/ }).click();
      expect((await posted()).at(-1)).toEqual({ type: 'checkpointRestore', runId: runId(), commit: before.commit });
    }
    await page.locator('.row-call .checkpoint-menu > summary').first().click();
    await page.screenshot({ path: join(SHOTS, 'activity-checkpoint-menu.png') });
  });

  it('Escape posts stop while a run is running, also with the focus on a pending approval card; not after the run', async () => {
    const { events, request } = pendingAt('run_command');
    await send({ type: 'reset', runId: request.runId, events }, controls({ running: true }));
    await page.locator('.approval-card').getByRole('button', { name: 'Approve' }).focus();
    await page.keyboard.press('Escape');
    expect((await posted()).at(-1)).toEqual({ type: 'stop' });
    await page.locator('.approval-card').focus();
    await page.keyboard.press('Escape');
    await page.locator('#timeline .row').first().click();
    await page.keyboard.press('Escape');
    expect((await posted()).filter((m) => m.type === 'stop')).toHaveLength(3);
    expect(await page.locator('.approval-card').getByRole('button', { name: 'Approve' }).isEnabled()).toBe(true);
    // Stop Agent and Stop after this task are there while it runs.
    await page.getByRole('button', { name: 'Stop after this task' }).click();
    expect((await posted()).at(-1)).toEqual({ type: 'stopAfterTask' });
    await page.getByRole('button', { name: 'Stop Agent' }).click();
    expect((await posted()).at(-1)).toEqual({ type: 'stop' });
    await send(controls({ running: true, stoppingAfterTask: true }));
    expect(await page.locator('[data-action="stopAfterTask"]').innerText()).toContain('Stopping after this task');
    // The elapsed time ticks while the run is under way.
    const elapsed = await page.locator('.header-elapsed').innerText();
    // Waited for, not slept for: on a loaded machine the one-second tick can come late.
    await expect.poll(() => page.locator('.header-elapsed').innerText(), { timeout: patience({ tick: 1 }) }).not.toBe(elapsed);
    // Its terminal event ends it at once: Stop goes with it, before the host's next controls (which may come later).
    const last = events.at(-1)!;
    await send({ type: 'events', runId: request.runId, events: [{ runId: request.runId, seq: last.seq + 1, time: new Date().toISOString(), type: 'run.stopped', reason: 'stopped by the user', completedSteps: [] }] });
    expect(await page.locator('[data-action="stop"]').isVisible()).toBe(false);
    expect(await page.locator('[data-action="stopAfterTask"]').isVisible()).toBe(false);
    // Ended: Escape does nothing.
    await send({ type: 'reset', runId: runId(), events: run }, controls({ running: false }));
    const before = (await posted()).length;
    await page.keyboard.press('Escape');
    expect(await posted()).toHaveLength(before);
  }, budget({ tick: 2 }));

  it('a denied write under .kiro/ stands out with its rule and reason; a group pause shows the summary it carries', async () => {
    const id = runId();
    const head = run.slice(0, 3);
    let seq = head.length;
    const ev = (e: Record<string, unknown>) => ({ runId: id, seq: seq++, time: new Date().toISOString(), ...e }) as RunEvent;
    const reason = 'deny: .kiro/settings.json is the policy itself; the agent may not change it';
    await send({
      type: 'reset',
      runId: id,
      events: [
        ...head,
        ev({ type: 'tool.requested', callId: 'k', tool: 'edit_file', input: { path: '.kiro/settings.json', edits: [] } }),
        ev({ type: 'gate.decided', callId: 'k', verdict: 'deny', rule: 'W2', reason, findings: [] }),
        ev({ type: 'tool.finished', callId: 'k', ok: false, output: `Denied by the policy gate (rule W2): ${reason}`, durationMs: 0 }),
        ev({ type: 'model.text', text: Array.from({ length: 12 }, (_, i) => `Reasoning line ${i + 1}.`).join('\n') }),
        ev({ type: 'run.paused', kind: 'group', reason: 'Task group 2 is done: 2.1 Store a priority, 2.2 List by priority. Review, then resume.' }),
        ev({ type: 'run.stopped', reason: 'paused: task group 2 is done', completedSteps: ['2.1', '2.2'] }),
      ],
    });
    const row = page.locator('.row-call[data-call="k"]');
    expect(await row.getAttribute('class')).toContain('verdict-deny');
    expect(await row.locator('.badge.gate').innerText()).toBe('deny · W2');
    expect(await row.locator('.gate-reason').innerText()).toBe(reason);
    expect(await row.getByRole('button', { name: 'Open diff of .kiro/settings.json' }).count()).toBe(0);
    expect(await page.locator('.row-pause').innerText()).toBe('Paused (task group done)\nTask group 2 is done: 2.1 Store a priority, 2.2 List by priority. Review, then resume.');
    expect(await page.locator('.badge.state').getAttribute('data-state')).toBe('paused');
    // Long model text starts collapsed, and opens.
    const text = page.locator('.row-text').last();
    expect(await text.locator('.model-text').getAttribute('class')).toContain('clamped');
    await text.getByRole('button', { name: 'Show more' }).click();
    expect(await page.locator('.row-text').last().locator('.model-text').getAttribute('class')).not.toContain('clamped');
    expect(await page.locator('.row-text').last().getByRole('button', { name: 'Show less' }).count()).toBe(1);
  });

  it('ignores invalid host messages with a warning, and events of another run', async () => {
    await send({ type: 'reset', runId: runId(), events: run });
    const rows = await page.locator('#timeline .row').count();
    await send(
      { type: 'reset', runId: 5, events: [] },
      { type: 'bogus' },
      { type: 'events', runId: runId(), events: [{ type: 'model.text', text: 'no seq, no time' }] },
      { type: 'events', runId: 'some-other-run', events: [{ ...run[4]!, runId: 'some-other-run' }] },
    );
    expect(await page.locator('#timeline .row').count()).toBe(rows);
    expect(panel.console.filter((l) => l.type === 'warning' && l.text.includes('ignoring an invalid message'))).toHaveLength(3);
    expect(panel.console.filter((l) => l.type === 'warning' && l.text.includes('some-other-run'))).toHaveLength(1);
  });

  it('the autonomy dropdown shows the setting and posts setAutonomy; controls post with the run id; a notice is dismissible', async () => {
    await send(
      { type: 'reset', runId: runId(), events: run },
      { type: 'autonomy', autonomy: { level: 'balanced', source: '.kiro/settings.json', setting: 'inherit' } },
      controls({ canResume: true, canDiscard: true, canUndoDiscard: true, canKeep: true }),
      { type: 'notice', level: 'info', text: 'Discarded: 3 files restored' },
    );
    const select = page.getByRole('combobox', { name: 'Autonomy level' });
    expect(await select.inputValue()).toBe('inherit');
    await select.selectOption('full');
    for (const name of ['Resume', 'Discard changes', 'Undo discard', 'Keep changes']) {
      await page.getByRole('button', { name }).click();
      // One click, one action: every one of these buttons waits for the host's next controls, not for an autonomy update.
      for (const other of ['Resume', 'Discard changes', 'Undo discard', 'Keep changes']) expect(await page.getByRole('button', { name: other }).isEnabled()).toBe(false);
      await send({ type: 'autonomy', autonomy: { level: 'balanced', source: '.kiro/settings.json', setting: 'inherit' } });
      expect(await page.getByRole('button', { name }).isEnabled()).toBe(false);
      await send(controls({ canResume: true, canDiscard: true, canUndoDiscard: true, canKeep: true }));
      expect(await page.getByRole('button', { name }).isEnabled()).toBe(true);
    }
    expect((await posted()).slice(1)).toEqual([
      { type: 'setAutonomy', level: 'full' },
      { type: 'resume', runId: runId() },
      { type: 'discard', runId: runId() },
      { type: 'undoDiscard', runId: runId() },
      { type: 'keep', runId: runId() },
    ]);
    expect(await page.locator('.notice').innerText()).toContain('Discarded: 3 files restored');
    await page.getByRole('button', { name: 'Dismiss notice' }).click();
    expect(await page.locator('.notice').count()).toBe(0);
    // The host changes the setting (palette command): the dropdown follows; the header of this finished run keeps
    // the level it ran at.
    await page.locator('.header').click();
    await send({ type: 'autonomy', autonomy: { level: 'cautious', source: 'the specAgent.autonomyLevel setting', setting: 'cautious' } });
    expect(await select.inputValue()).toBe('cautious');
    const started = run[0] as Extract<RunEvent, { type: 'run.started' }>;
    expect(await page.locator('.header-level').innerText()).toBe(`${started.level} (from ${started.levelSource})`);
    // A run under way follows the level as it is now: a change applies from its next decision.
    await send({ type: 'reset', runId: runId(), events: run.slice(0, 3) }, controls({ running: true }));
    expect(await page.locator('.header-level').innerText()).toBe('cautious (from the specAgent.autonomyLevel setting)');
  });

  it('a notice belongs to its run: the panel of another run starts without it', async () => {
    await send({ type: 'reset', runId: runId(), events: run }, { type: 'notice', level: 'info', text: 'Kept the changes of this run.' });
    expect(await page.locator('.notice').innerText()).toContain('Kept the changes');
    // The same run sent again (the panel hidden and shown) keeps it; another run does not.
    await send({ type: 'reset', runId: runId(), events: run });
    expect(await page.locator('.notice').count()).toBe(1);
    await send({ type: 'reset', runId: cautious[0]!.runId, events: cautious });
    expect(await page.locator('.notice').count()).toBe(0);
  });

  it('renders a reset of 20,000 events completely, with no task over 1 s, and follows the stream at the bottom', async () => {
    const big = scaleRun(run, 20_000);
    expect(big).toHaveLength(20_000);
    const model = new ActivityModel();
    model.reset(runId(), big);
    const t = await page.evaluate(([m, last]) => (globalThis as unknown as PageGlobals).__host.timed(m, last), [{ type: 'reset', runId: runId(), events: big } as HostMessage, big.at(-1)!.seq] as const);
    console.log(`webview: reset of 20,000 events: last row painted after ${t.lastRowMs.toFixed(0)} ms, all ${model.items.length} rows after ${t.ms.toFixed(0)} ms (longest task ${t.longestTaskMs.toFixed(0)} ms)`);
    expect(await page.locator('#timeline .row').count()).toBe(model.items.length);
    expect(await page.locator('#timeline .row').last().getAttribute('data-seq')).toBe(String(big.at(-1)!.seq));
    expect(t.longestTaskMs).toBeLessThan(1000);
    // The view sits at the bottom, so the last row is on screen.
    expect(await page.locator('.row-end').isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'activity-20000-events.png') });
  }, budget({ bigReset: 1 }));
});

function chunk(s: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}
