// UI tests in the real workbench (code-server in chromium, driven by Playwright): what the user sees.
import fs from 'node:fs';
import path from 'node:path';
import { workbenchUrl } from './codeServer.mjs';

const tests = [];

/** Quick Open, then wait for the row of this very file (the list first shows recent files) and open it. */
async function openFile(page, folder, file) {
  await page.keyboard.press('Control+P');
  await page.keyboard.type(`${folder}/${file}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: file }).filter({ hasText: folder }).first().waitFor({ timeout: 20_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: file }).waitFor({ timeout: 10_000 });
}
const test = (name, fn) => tests.push({ name, fn });

test('the status bar shows cautious until the workspace policy is accepted in the dialog, then its level', async ({ page, outDir }) => {
  const item = page.locator('.statusbar-item', { hasText: 'Spec Agent: cautious' });
  await item.waitFor({ timeout: 20_000 });
  await item.click();
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.getByText('run without asking: npm test').waitFor({ timeout: 10_000 });
  await page.screenshot({ path: path.join(outDir, 'accept-policy-dialog.png') });
  await dialog.getByRole('button', { name: 'Accept' }).click();
  await page.locator('.statusbar-item', { hasText: 'Spec Agent: balanced' }).waitFor({ timeout: 10_000 });
});

test('opens tasks.md and sees the status lens rendered', async ({ page, outDir }) => {
  await openFile(page, 'todo-priorities', 'tasks.md');
  const lens = page.locator('.codelens-decoration a', { hasText: '○ 0/3 sub-tasks done' });
  await lens.waitFor({ timeout: 30_000 });
  await page.screenshot({ path: path.join(outDir, 'tasks-md-lenses.png') });
  // The lens takes the cursor to the first open sub-task (2.1 on line 8).
  await lens.click();
  await page.locator('.statusbar-item', { hasText: /Ln 8, Col 1/ }).waitFor({ timeout: 10_000 });
});

test('Execute with Agent on task 2.1: the recorded demo runs through the gate and the box becomes [x] in the editor', async ({ page, outDir }) => {
  // tasks.md is open from the test before. The lens of a line is the one drawn just above it.
  const line = page.locator('.view-line', { hasText: '2.1 Store a priority on each item' });
  await line.waitFor({ timeout: 10_000 });
  const lineTop = (await line.boundingBox()).y;
  const lenses = page.locator('.codelens-decoration a', { hasText: '▶ Execute with Agent' });
  await lenses.first().waitFor({ timeout: 20_000 });
  let best;
  for (const lens of await lenses.all()) {
    const box = await lens.boundingBox();
    if (box && box.y < lineTop && (!best || box.y > best.y)) best = { y: box.y, lens };
  }
  if (!best) throw new Error('no Execute with Agent lens above task 2.1');
  await best.lens.click();
  await page.locator('.view-line', { hasText: '[x] 2.1 Store a priority on each item' }).waitFor({ timeout: 60_000 });
  await page.locator('.statusbar-item', { hasText: 'Spec Agent: balanced' }).waitFor({ timeout: 10_000 });
  await page.screenshot({ path: path.join(outDir, 'execute-with-agent-done.png') });
  // The end of the run is announced (in the notification centre, whether or not a toast is showing).
  await page.keyboard.press('Escape');
  await page.locator('.statusbar-item[id="status.notifications"], .statusbar-item.notifications-center-toggle, .codicon-bell-dot, .codicon-bell').first().click();
  await page.locator('.notifications-center', { hasText: /completed; 1\/1 tasks done/ }).waitFor({ timeout: 10_000 });
});

test('shows a warning under a line that looks like a task but is not one', async ({ page, outDir }) => {
  await openFile(page, 'malformed', 'tasks.md');
  await page.locator('.squiggly-warning').first().waitFor({ timeout: 20_000 });
  await page.keyboard.press('Control+Shift+M');
  await page.locator('.markers-panel .monaco-list-row', { hasText: 'a checkbox in a heading is not a task' }).waitFor({ timeout: 20_000 });
  await page.screenshot({ path: path.join(outDir, 'tasks-md-diagnostics.png') });
});

/** Runs a command from the Command Palette by its title. */
async function runCommand(page, title) {
  await page.keyboard.press('Control+Shift+P');
  await page.keyboard.type(title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

test('Set API Key asks with a password box and keeps the key out of settings; Select Model switches to a replay script', async ({ page, outDir, workspace, userSettings }) => {
  await runCommand(page, 'Spec Agent: Set API Key');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Anthropic' }).first().click();
  const box = page.locator('.quick-input-box input');
  await page.locator('.quick-input-title', { hasText: 'API key for Anthropic at https://api.anthropic.com' }).waitFor({ timeout: 10_000 });
  if ((await box.getAttribute('type')) !== 'password') throw new Error('the key is typed into a box that shows it');
  await page.keyboard.type('sk-ui-test-key');
  await page.screenshot({ path: path.join(outDir, 'set-api-key.png') });
  await page.keyboard.press('Enter');
  await page.locator('.notification-list-item', { hasText: 'the API key for https://api.anthropic.com is stored' }).waitFor({ timeout: 10_000 });

  await runCommand(page, 'Spec Agent: Select Model');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'No VS Code language models' }).waitFor({ timeout: 10_000 });
  await page.screenshot({ path: path.join(outDir, 'select-model.png') });
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Replay script' }).first().click();
  await page.locator('.quick-input-title', { hasText: 'Replay script' }).waitFor({ timeout: 10_000 });
  await page.keyboard.press('Control+A');
  await page.keyboard.type('.kiro/replay-ui.json');
  await page.keyboard.press('Enter');
  await page.locator('.notification-list-item', { hasText: 'the agent now uses replay script .kiro/replay-ui.json (workspace settings)' }).waitFor({ timeout: 10_000 });
  const settings = JSON.parse(fs.readFileSync(path.join(workspace, '.vscode/settings.json'), 'utf8'));
  if (settings['specAgent.model.provider'] !== 'replay' || settings['specAgent.model.replayScript'] !== '.kiro/replay-ui.json') throw new Error(`workspace settings: ${JSON.stringify(settings)}`);
  for (const file of [path.join(workspace, '.vscode/settings.json'), ...userSettings]) {
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('sk-ui-test-key')) throw new Error(`the key is in ${file}`);
  }
});

export async function runUiTests({ browser, server, workspace, extensionPath, outDir, log, userSettings = [] }) {
  fs.mkdirSync(outDir, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const result = { passed: 0, failed: 0 };
  try {
    await page.goto(workbenchUrl(server, { folder: workspace, extensionPath }));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // Quick Open needs the workbench to be ready to take keys: wait for the explorer to list the folder.
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    for (const t of tests) {
      const started = Date.now();
      try {
        await t.fn({ page, outDir, workspace, userSettings });
        result.passed++;
        console.log(`  ✔ [ui] ${t.name} (${Date.now() - started} ms)`);
      } catch (err) {
        result.failed++;
        console.log(`  ✖ [ui] ${t.name}: ${String(err.message).split('\n').slice(0, 4).join(' ')}`);
        await page.screenshot({ path: path.join(outDir, `failure-${result.failed}.png`) }).catch(() => {});
      }
    }
  } catch (err) {
    result.failed++;
    log('ui: the workbench did not load:', err.message);
  } finally {
    await context.close();
  }
  return result;
}

/** Against the packaged extension (installed from the .vsix, not loaded from the sources): it activates, reads the policy and draws its lenses. */
export async function runVsixTests({ browser, server, workspace, outDir }) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const started = Date.now();
  try {
    await page.goto(workbenchUrl(server, { folder: workspace }));
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    await page.locator('.statusbar-item', { hasText: 'Spec Agent: cautious' }).waitFor({ timeout: 30_000 });
    await openFile(page, 'todo-priorities', 'tasks.md');
    await page.locator('.codelens-decoration a', { hasText: '▶ Execute with Agent' }).first().waitFor({ timeout: 30_000 });
    await openFile(page, 'malformed', 'tasks.md');
    await page.locator('.squiggly-warning').first().waitFor({ timeout: 20_000 });
    console.log(`  ✔ [vsix] the installed .vsix activates: status bar, Execute with Agent lenses, diagnostics (${Date.now() - started} ms)`);
    return { passed: 1, failed: 0 };
  } catch (err) {
    console.log(`  ✖ [vsix] the installed .vsix: ${String(err.message).split('\n').slice(0, 4).join(' ')}`);
    await page.screenshot({ path: path.join(outDir, 'failure-vsix.png') }).catch(() => {});
    return { passed: 0, failed: 1 };
  } finally {
    await context.close();
  }
}
