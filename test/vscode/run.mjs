// `npm run test:vscode`: the extension's tests in a real VS Code. Installs the test VS Code once (cached
// outside the repo), then (1) runs the mocha suites of dist/test/vscode/suite inside the real extension
// host and (2) drives the real workbench in chromium with Playwright (ui.mjs). Ends with `N passed, N failed, N skipped`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM_ARGS, installVsix, loadPlaywright, startCodeServer, workbenchUrl } from './codeServer.mjs';
import { runUiTests, runVsixTests } from './ui.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const t0 = Date.now();
const log = (...a) => console.log(`[test:vscode ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

if (!process.env.SPEC_AGENT_SKIP_SETUP) {
  const setup = spawnSync('bash', [path.join(ROOT, 'scripts/real-vscode/setup.sh')], { stdio: 'inherit' });
  if (setup.status !== 0) { console.error('test:vscode: setup of the test VS Code failed'); process.exit(1); }
}
if (!fs.existsSync(path.join(ROOT, 'dist/extension.js'))) { console.error('test:vscode: dist/ is missing; run `npm run build` first'); process.exit(1); }

/** A fresh workspace: the example project plus the malformed fixture spec. */
function makeWorkspace(name) {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), `spec-agent-${name}-`));
  fs.cpSync(path.join(ROOT, 'examples/todo-app'), ws, { recursive: true });
  fs.cpSync(path.join(ROOT, 'test/fixtures/specs/malformed'), path.join(ws, '.kiro/specs/malformed'), { recursive: true });
  return ws;
}

const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'spec-agent-vscode-run-'));
const report = path.join(runDir, 'report.txt');
const counts = { passed: 0, failed: 0, skipped: 0 };
let server;
let browser;
try { phases: {
  // Installed beside the extension: a fixture that provides a scripted vscode.lm chat model (models.test.ts).
  server = await startCodeServer({ runDir, extensions: [path.join(ROOT, 'test/vscode/fixtures/lm-provider')], env: { SPEC_AGENT_TEST_REPORT: report, SPEC_AGENT_ACCEPTANCE_FILE: path.join(runDir, 'accepted-policies.json'), SPEC_AGENT_CHECKPOINTS_DIR: path.join(runDir, 'checkpoints') } });
  log('code-server up at', server.base);
  const { chromium } = await loadPlaywright();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });

  // (1) In-host tests (SPEC_AGENT_UI_GREP skips them, and Restricted Mode, for a quick turn on the UI tests).
  if (!process.env.SPEC_AGENT_UI_GREP) {
    const inhost = makeWorkspace('inhost');
    // Desktop VS Code's default, as in the UI workspace: in a browser VS Code saves unsaved edits after a second,
    // and a run longer than that (a loaded machine, the sandbox starting) saved the user's edits in a test that
    // checks they stay unsaved.
    fs.mkdirSync(path.join(inhost, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(inhost, '.vscode/settings.json'), JSON.stringify({ 'files.autoSave': 'off' }));
    await inHostTests({ server, report, folder: inhost, testsPath: path.join(ROOT, 'dist/test/vscode/suite'), what: 'the in-host tests' });
  }

  // (1b) Restricted Mode: a window of its own with workspace trust on; the folder is not trusted. It asks for
  // full autonomy in .vscode/settings.json, which Restricted Mode must ignore.
  const restrictedDir = path.join(runDir, 'restricted');
  const restrictedReport = path.join(restrictedDir, 'report.txt');
  fs.mkdirSync(restrictedDir, { recursive: true });
  const restrictedServer = process.env.SPEC_AGENT_UI_GREP ? undefined : await startCodeServer({ runDir: restrictedDir, trust: true, env: { SPEC_AGENT_TEST_REPORT: restrictedReport, SPEC_AGENT_ACCEPTANCE_FILE: path.join(restrictedDir, 'accepted-policies.json'), SPEC_AGENT_CHECKPOINTS_DIR: path.join(restrictedDir, 'checkpoints') } });
  if (restrictedServer) try {
    const untrusted = makeWorkspace('restricted');
    fs.mkdirSync(path.join(untrusted, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(untrusted, '.vscode/settings.json'), JSON.stringify({ 'specAgent.autonomyLevel': 'full', 'specAgent.model.id': `replay:${path.join(ROOT, 'examples/demo/replay-priorities.json')}` }));
    await inHostTests({ server: restrictedServer, report: restrictedReport, folder: untrusted, testsPath: path.join(ROOT, 'dist/test/vscode/restricted'), what: 'the Restricted Mode tests' });
  } finally {
    restrictedServer.stop();
  }

  // SPEC_AGENT_INHOST_ONLY=1: only (1), for a quick turn while working on the in-host suites.
  if (process.env.SPEC_AGENT_INHOST_ONLY) break phases;

  // (2) UI tests in the real workbench.
  // The UI workspace runs the recorded demo model (the user's own setting, as they would choose a model).
  const uiWorkspace = makeWorkspace('ui');
  fs.mkdirSync(path.join(uiWorkspace, '.vscode'), { recursive: true });
  // Desktop VS Code's default: unsaved edits stay unsaved (in a browser, VS Code saves them after a second).
  fs.writeFileSync(path.join(uiWorkspace, '.vscode/settings.json'), JSON.stringify({ 'files.autoSave': 'off', 'specAgent.model.id': `replay:${path.join(ROOT, 'examples/demo/replay-priorities.json')}` }));
  const ui = await runUiTests({ browser, server, workspace: uiWorkspace, extensionPath: ROOT, outDir: path.join(ROOT, 'test-output'), log, userSettings: [path.join(runDir, 'user-data/User/settings.json')] });
  counts.passed += ui.passed; counts.failed += ui.failed;

  // (3) The packaged extension: a .vsix of the current build, installed into a second code-server.
  server.stop();
  const vsixDir = path.join(runDir, 'vsix');
  const vsix = path.join(vsixDir, 'spec-agent.vsix');
  fs.mkdirSync(vsixDir, { recursive: true });
  const packed = spawnSync('npx', ['vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', vsix], { cwd: ROOT, encoding: 'utf8' });
  if (packed.status !== 0) throw new Error(`vsce package failed: ${packed.stdout}${packed.stderr}`);
  installVsix(vsixDir, vsix);
  server = await startCodeServer({ runDir: vsixDir, env: { SPEC_AGENT_ACCEPTANCE_FILE: path.join(vsixDir, 'accepted-policies.json'), SPEC_AGENT_CHECKPOINTS_DIR: path.join(vsixDir, 'checkpoints') } });
  const vsixWorkspace = makeWorkspace('vsix');
  fs.mkdirSync(path.join(vsixWorkspace, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(vsixWorkspace, '.vscode/settings.json'), JSON.stringify({ 'specAgent.autonomyLevel': 'full', 'specAgent.model.id': `replay:${path.join(ROOT, 'examples/demo/replay-priorities.json')}` }));
  const packaged = await runVsixTests({ browser, server, workspace: vsixWorkspace, outDir: path.join(ROOT, 'test-output') });
  counts.passed += packaged.passed; counts.failed += packaged.failed;
} } catch (err) {
  counts.failed++;
  log('harness error:', err.stack || String(err));
} finally {
  await browser?.close().catch(() => {});
  server?.stop();
}
/** Runs mocha suites inside the extension host of a window on `folder`; the workbench calls codeAutomationExit at the end. */
async function inHostTests({ server, report, folder, testsPath, what }) {
  const page = await browser.newPage();
  let resolveExit;
  const exited = new Promise((r) => { resolveExit = r; });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
  await page.goto(workbenchUrl(server, { folder, extensionPath: ROOT, testsPath }));
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 240_000))]);
  await page.close();
  const text = fs.existsSync(report) ? fs.readFileSync(report, 'utf8') : '';
  process.stdout.write(text.replace(/^RESULT .*\n?/m, ''));
  const m = /^RESULT (\d+) passed, (\d+) failed, (\d+) skipped/m.exec(text);
  if (m) {
    counts.passed += Number(m[1]); counts.failed += Number(m[2]); counts.skipped += Number(m[3]);
  } else {
    counts.failed++;
    log(`${what} did not report (exit ${code}); server log: ${path.join(path.dirname(report), 'server.log')}`);
  }
  if (code === 'timeout') { counts.failed++; log(`${what} timed out after 240 s`); }
}

if (counts.failed === 0) fs.rmSync(runDir, { recursive: true, force: true });
else log('kept', runDir, 'for inspection');
console.log(`${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(counts.failed === 0 ? 0 : 1);
