// The Agent Activity webview outside VS Code, for the webview tests and the benchmark: a real HTTP server serving
// the page activityHtml() makes (same CSP), with a stand-in for VS Code's side (test/webview/page/hostStub.ts),
// opened in real Chromium through playwright-core (both from the cache scripts/real-vscode/setup.sh fills).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { activityHtml } from '../../src/webview/activityHtml.js';
import { runEventSchema, type RunEvent } from '../../src/core/runs/events.js';

/** The repository: found from here, since this module also runs bundled in dist/bench.js. */
const ROOT = (() => {
  for (let d = __dirname; d !== dirname(d); d = dirname(d)) if (existsSync(join(d, 'examples/todo-app'))) return d;
  return process.cwd();
})();
const CACHE = process.env.SPEC_AGENT_VSCODE_CACHE || join(homedir(), '.cache/spec-agent/real-vscode');
const PLAYWRIGHT = join(CACHE, 'pw/node_modules/playwright-core/index.mjs');
const CHROMIUM = process.env.SPEC_AGENT_CHROMIUM || '/usr/bin/chromium';
/** As test/vscode/codeServer.mjs: a container has no sandbox and no GPU. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// The part of Playwright's API these tests use (playwright-core is loaded from the cache, without its types).
export interface Locator {
  click(o?: { timeout?: number }): Promise<void>;
  focus(): Promise<void>;
  count(): Promise<number>;
  textContent(): Promise<string | null>;
  innerText(): Promise<string>;
  getAttribute(name: string): Promise<string | null>;
  isVisible(): Promise<boolean>;
  isEnabled(): Promise<boolean>;
  waitFor(o?: { state?: 'attached' | 'visible' | 'hidden' | 'detached'; timeout?: number }): Promise<void>;
  selectOption(value: string): Promise<unknown>;
  first(): Locator;
  last(): Locator;
  locator(selector: string): Locator;
  getByRole(role: string, o?: { name?: string | RegExp }): Locator;
  boundingBox(): Promise<{ x: number; y: number; width: number; height: number } | null>;
  inputValue(): Promise<string>;
  fill(value: string): Promise<void>;
  press(key: string): Promise<void>;
  evaluate<R>(fn: (el: unknown) => R): Promise<R>;
}
export interface Page {
  goto(url: string): Promise<unknown>;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  evaluate<R>(fn: () => R | Promise<R>): Promise<R>;
  locator(selector: string): Locator;
  getByRole(role: string, o?: { name?: string | RegExp }): Locator;
  getByLabel(text: string | RegExp): Locator;
  keyboard: { press(key: string): Promise<void>; type(text: string): Promise<void> };
  mouse: { click(x: number, y: number): Promise<void> };
  on(event: 'console', cb: (m: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', cb: (e: Error) => void): void;
  screenshot(o: { path: string; fullPage?: boolean }): Promise<unknown>;
  setViewportSize(s: { width: number; height: number }): Promise<void>;
  close(): Promise<void>;
}
export interface Browser {
  newPage(o?: { viewport?: { width: number; height: number }; colorScheme?: 'dark' | 'light' }): Promise<Page>;
  close(): Promise<void>;
}

/** Why the real-Chromium tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set SPEC_AGENT_CHROMIUM)`;
  if (!existsSync(PLAYWRIGHT)) return `no playwright-core at ${PLAYWRIGHT} (run scripts/real-vscode/setup.sh)`;
  return null;
}

export async function launchChromium(): Promise<Browser> {
  const pw = (await import(pathToFileURL(PLAYWRIGHT).href)) as { chromium: { launch(o: object): Promise<Browser> } };
  return pw.chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.ttf': 'font/ttf', '.map': 'application/json', '.html': 'text/html' };

export interface ActivityServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the panel as VS Code would show it: activityHtml() with its CSP, the webview files from `webviewDir`
 * (what the host exposes through localResourceRoots), plus the host stub and a Dark Modern theme, loaded the
 * way VS Code's own are (before our script, same nonce).
 */
export async function startActivityServer(o: { webviewDir: string; hostStub: string; /** Another activity.js (the benchmark's peer). */ script?: string }): Promise<ActivityServer> {
  const nonce = 'dGVzdC1ub25jZS0xMjM0NQ==';
  const files: Record<string, string> = {
    '/host/hostStub.js': o.hostStub,
    '/host/theme.css': join(ROOT, 'test/webview/page/theme-dark.css'),
  };
  for (const f of ['activity.js', 'activity.js.map', 'activity.css', 'codicon.css', 'codicon.ttf']) files[`/webview/${f}`] = join(o.webviewDir, f);
  if (o.script) files['/webview/activity.js'] = o.script;
  let origin = '';
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/') {
      const html = activityHtml({
        cspSource: origin,
        nonce,
        scriptUri: `${origin}/webview/activity.js`,
        styleUri: `${origin}/webview/activity.css`,
        codiconsUri: `${origin}/webview/codicon.css`,
      })
        .replace('<link rel="stylesheet"', `<link rel="stylesheet" href="${origin}/host/theme.css">\n<link rel="stylesheet"`)
        .replace(`<script nonce="${nonce}"`, `<script nonce="${nonce}" src="${origin}/host/hostStub.js"></script>\n<script nonce="${nonce}"`);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    // A page outside VS Code asks for a favicon; a webview never does, so it gets "nothing" instead of a 404 error.
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const file = files[path];
    if (!file || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `${origin}/`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const TASKS = '.kiro/specs/todo-priorities/tasks.md';

/**
 * A real run's journal: the CLI runs task 2.1 of examples/todo-app with the recorded demo model in a temp copy
 * (as `npm run demo` does). `cautious` (balanced is the example's own level) makes every write and command ask, which a CLI without a terminal answers
 * "no" (approval.requested + approval.resolved by no-one-to-ask): the source of realistic approval events.
 */
export function recordRun(cliPath: string, level: 'balanced' | 'cautious' = 'balanced'): RunEvent[] {
  const ws = mkdtempSync(join(tmpdir(), 'spec-agent-webview-run-'));
  const state = mkdtempSync(join(tmpdir(), 'spec-agent-webview-state-'));
  try {
    cpSync(join(ROOT, 'examples/todo-app'), ws, { recursive: true });
    const env = { ...process.env, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' };
    for (const args of [['init', '-q', '-b', 'main'], ['add', '-A'], ['commit', '-q', '-m', 'example']]) execFileSync('git', args, { cwd: ws, env, stdio: 'ignore' });
    let out: string;
    try {
      out = execFileSync(process.execPath, [cliPath, 'run', TASKS, '--task', '2.1', '--accept-policy', ...(level === 'cautious' ? ['--level', 'cautious'] : []), '--json', '--model', `replay:${join(ROOT, 'examples/demo/replay-priorities.json')}`], {
        cwd: ws,
        encoding: 'utf8',
        env: { ...env, SPEC_AGENT_ACCEPTANCE_FILE: join(state, 'accepted.json'), SPEC_AGENT_CHECKPOINTS_DIR: join(state, 'checkpoints') },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch (err) {
      // A run that ends failed or paused exits non-zero; its events are still on stdout.
      out = String((err as { stdout?: string }).stdout ?? '');
    }
    return out
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => runEventSchema.parse(JSON.parse(l)));
  } finally {
    rmSync(ws, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  }
}

/**
 * A long run made of a real one: its task body (everything between run.started and the terminal event) repeated
 * with fresh call ids and sequence numbers until there are at least `n` events, then the real ending. A journal of
 * many tasks looks like this.
 */
export function scaleRun(run: RunEvent[], n: number): RunEvent[] {
  const head = run[0]!;
  const tail = run[run.length - 1]!;
  const body = run.slice(1, -1);
  const out: RunEvent[] = [{ ...head, seq: 0 }];
  for (let round = 0; out.length < n - 1; round++) {
    for (const e of body) {
      const copy = { ...e, seq: out.length } as RunEvent;
      if ('callId' in copy) (copy as { callId: string }).callId = `${copy.callId}#${round}`;
      out.push(copy);
      if (out.length >= n - 1) break;
    }
  }
  // A cut in the middle of a call leaves it unfinished, as a journal of a running run would; the end closes it.
  out.push({ ...tail, seq: out.length } as RunEvent);
  return out;
}

/** A page showing the panel, loaded (its first message posted), with what it wrote to the console and threw. */
export interface PanelPage {
  page: Page;
  console: Array<{ type: string; text: string }>;
  errors: Error[];
}

export async function openPanel(browser: Browser, url: string, height = 900): Promise<PanelPage> {
  const page = await browser.newPage({ viewport: { width: 420, height }, colorScheme: 'dark' });
  const out: PanelPage = { page, console: [], errors: [] };
  page.on('console', (m) => out.console.push({ type: m.type(), text: m.text() }));
  page.on('pageerror', (e) => out.errors.push(e));
  await page.goto(url);
  await page.evaluate(async () => {
    const g = globalThis as unknown as { __posted: unknown[] };
    while (g.__posted.length === 0) await new Promise((r) => setTimeout(r, 5));
  });
  return out;
}

/** Closes the page and says what every test must end without: CSP violations, uncaught errors, console errors. */
export async function closePanel(p: PanelPage): Promise<{ csp: unknown[]; errors: string[]; consoleErrors: Array<{ type: string; text: string }> }> {
  const csp = await p.page.evaluate(() => (globalThis as unknown as { __csp: unknown[] }).__csp);
  await p.page.close();
  return { csp, errors: p.errors.map((e) => e.message), consoleErrors: p.console.filter((l) => l.type === 'error') };
}
