// UI tests in the real workbench (code-server in chromium, driven by Playwright): what the user sees.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { workbenchUrl } from './codeServer.mjs';

const tests = [];

/** Quick Open, then wait for the row of this very file (the list first shows recent files) and open it. */
async function openFile(page, folder, file) {
  await page.keyboard.press('Control+P');
  // Typed into the box itself: with the focus in a webview (Agent Activity), keys typed at once can go astray.
  const box = page.locator('.quick-input-widget .quick-input-box input');
  await box.waitFor({ timeout: 10_000 });
  await box.fill(`${folder}/${file}`);
  // Clicked, not Enter: while the list updates, Enter may take the row that was first a moment before.
  await page.locator('.quick-input-list .monaco-list-row', { hasText: file }).filter({ hasText: folder }).first().click({ timeout: 20_000 });
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

/**
 * The CodeLens titled `lensText` drawn in the row right above the editor line that shows `lineText`. Lenses
 * arrive a few at a time and push the lines down, so both are measured again until that lens is there: a lens
 * of another line further up (the parent task's) is never clicked in its place.
 */
async function clickLensAbove(page, lineText, lensText) {
  return (await lensAbove(page, lineText, lensText)).click();
}

/** The lens `lensText` right above the line `lineText` (see clickLensAbove), once it is there. */
async function lensAbove(page, lineText, lensText) {
  const line = page.locator('.view-line', { hasText: lineText }).first();
  const lenses = page.locator('.codelens-decoration a', { hasText: lensText }).filter({ visible: true });
  // VS Code drops a pending lens refresh when the editor loses focus (a click in the panel right after a run
  // ended) and asks the providers again when it gets focus back: focus the editor, as a user's click would.
  await line.click().catch(() => undefined);
  for (const deadline = Date.now() + 20_000; ; ) {
    const box = await line.boundingBox().catch(() => null);
    if (box) {
      for (const lens of await lenses.all()) {
        const y = (await lens.boundingBox().catch(() => null))?.y;
        if (y !== undefined && y < box.y && y >= box.y - 2 * box.height) return lens;
      }
    }
    if (Date.now() > deadline) throw new Error(`no "${lensText}" lens right above "${lineText}"`);
    await page.waitForTimeout(100);
  }
}

/** The Agent Activity webview: VS Code draws a webview as an iframe holding the page's own iframe. */
const activity = (page) => page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');

/** The Agent Activity page as a Playwright Frame (to run code in it), found by its controls bar. */
async function activityFrame(page) {
  for (const f of page.frames()) if (await f.evaluate(() => Boolean(document.getElementById('controls') && document.getElementById('timeline'))).catch(() => false)) return f;
  throw new Error('the Agent Activity page is not among the frames');
}

/**
 * Defines, in the workbench page, `__lineState(text)`: the run state drawn after the editor line that shows `text`
 * (a decoration's `after` text: VS Code draws it either as the `::after` content of a span in the line or as
 * injected text, so both are read), '' when there is none, undefined when no such line is on screen.
 */
async function defineLineState(page) {
  await page.evaluate(() => {
    // The editor draws spaces as no-break spaces.
    const plain = (l) => l.textContent.replace(/\s/g, ' ');
    window.__lineState = (text) => {
      const line = [...document.querySelectorAll('.view-line')].find((l) => plain(l).includes(text));
      if (!line) return undefined;
      const after = [...line.querySelectorAll('span')].map((s) => getComputedStyle(s, '::after').content).filter((c) => c && c !== 'none' && c !== 'normal').map((c) => c.replace(/^"|"$/g, ''));
      const injected = plain(line).slice(plain(line).indexOf(text) + text.length).trim();
      return [injected, ...after].filter(Boolean).join(' ');
    };
  });
}

/** The run state drawn after the line `lineText` (see defineLineState). */
async function lineState(page, lineText) {
  await defineLineState(page);
  return page.evaluate((text) => window.__lineState(text), lineText);
}

/** Waits until the line `lineText` shows the run state `state` (see defineLineState). */
async function waitForLineState(page, lineText, state, timeout = 10_000) {
  await defineLineState(page);
  await page.waitForFunction(([text, want]) => (window.__lineState(text) ?? '').includes(want), [lineText, state], { timeout }).catch(async (e) => {
    const html = await page.evaluate((text) => [...document.querySelectorAll('.view-line')].find((l) => l.textContent.replace(/\s/g, ' ').includes(text))?.outerHTML, lineText);
    throw new Error(`the line "${lineText}" does not show "${state}" (${e.message.split('\n')[0]}): ${html}`);
  });
}

/**
 * Records when each surface shows the run over: in the panel, its state `stopped` and the Stop button gone; in the
 * workbench, the status bar item no longer `running`, and the task line's state (a decoration) no longer
 * `● Running` but `■ Stopped`. Mutation observers stamp the times (one clock: the same browser), so the test waits
 * for events and measures after. The lens going back to `▶ Execute with Agent` is stamped too, for the record: it
 * carries no run state, and VS Code redraws it a debounce late.
 */
async function watchSurfaces(page, lineText) {
  const panel = await activityFrame(page);
  await panel.evaluate(() => {
    const at = (window.__surfaces = {});
    const check = () => {
      if (!at.panel && document.querySelector('.state[data-state="stopped"]')) at.panel = Date.now();
      const stop = document.querySelector('[data-action="stop"]');
      if (!at.footer && (!stop || stop.hidden)) at.footer = Date.now();
    };
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  await defineLineState(page);
  await page.evaluate((text) => {
    const at = (window.__surfaces = {});
    const state = () => window.__lineState(text) ?? '';
    const check = () => {
      if (!at.status && ![...document.querySelectorAll('.statusbar-item')].some((e) => e.textContent.includes('Spec Agent: running'))) at.status = Date.now();
      if (!at.decoration) {
        const now = state();
        if (now.includes('Stopped') && !now.includes('Running')) at.decoration = Date.now();
      }
      if (!at.lens && [...document.querySelectorAll('.codelens-decoration a')].some((e) => e.textContent.includes('Execute with Agent'))) at.lens = Date.now();
    };
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  }, lineText);
  return async () => {
    await panel.waitForFunction(() => window.__surfaces.panel && window.__surfaces.footer, null, { timeout: 10_000 });
    await page.waitForFunction(() => window.__surfaces.status && window.__surfaces.decoration, null, { timeout: 10_000 });
    const inPanel = await panel.evaluate(() => window.__surfaces);
    // The lens is not waited for long: it carries no run state (and may never come back while the editor is unfocused).
    await page.waitForFunction(() => window.__surfaces.lens, null, { timeout: 3_000 }).catch(() => undefined);
    const inWorkbench = await page.evaluate(() => window.__surfaces);
    return { footer: inPanel.footer - inPanel.panel, status: inWorkbench.status - inPanel.panel, decoration: inWorkbench.decoration - inPanel.panel, lens: inWorkbench.lens ? inWorkbench.lens - inPanel.panel : undefined };
  };
}

/** Sets the level with the panel's dropdown; the status bar follows. */
async function setLevel(page, level) {
  await activity(page).locator('#autonomy').selectOption(level);
  await page.locator('.statusbar-item', { hasText: `Spec Agent: ${level}` }).waitFor({ timeout: 10_000 });
}

/** Makes a recorded script of test/fixtures/replay the workspace's model, as a user editing .vscode/settings.json. */
async function useReplayScript(page, workspace, fixture) {
  const file = path.join(workspace, '.vscode/settings.json');
  const settings = JSON.parse(fs.readFileSync(file, 'utf8'));
  settings['specAgent.model.id'] = `replay:${fileURLToPath(new URL(`../fixtures/replay/${fixture}`, import.meta.url))}`;
  fs.writeFileSync(file, JSON.stringify(settings, null, 2));
  await page.waitForTimeout(2_000); // VS Code reads a changed settings file through its file watcher
}

/** Polls a condition of the file system (the run's files, a pid file) until it holds. */
async function pollUntil(page, what, probe, timeoutMs = 10_000) {
  for (const deadline = Date.now() + timeoutMs; !probe(); ) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await page.waitForTimeout(100);
  }
}

/**
 * The pids, as this machine numbers them, of the processes running `args` in folder `cwd`. A confined command
 * has a process namespace of its own: the pid it writes itself (`echo $$`) is not the one seen from here.
 */
const hostPids = (args, cwd) =>
  fs.readdirSync('/proc').filter((p) => {
    if (!/^\d+$/.test(p)) return false;
    try {
      return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8') === `${args.join('\0')}\0` && fs.readlinkSync(`/proc/${p}/cwd`) === fs.realpathSync(cwd);
    } catch {
      return false;
    }
  });

const processState = (pid) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return 'gone';
  }
};

test('Agent Activity: the status bar opens it, its dropdown sets cautious, Execute with Agent streams steps and approval cards; Approve each, the box becomes [x]', async ({ page, outDir, workspace }) => {
  // tasks.md is open from the test before; the workspace policy was accepted (balanced).
  await page.locator('.statusbar-item', { hasText: 'Spec Agent: balanced' }).click();
  const panel = activity(page);
  await panel.locator('#autonomy:not([disabled])').waitFor({ timeout: 30_000 });
  await setLevel(page, 'cautious');
  const settings = JSON.parse(fs.readFileSync(path.join(workspace, '.vscode/settings.json'), 'utf8'));
  if (settings['specAgent.autonomyLevel'] !== 'cautious') throw new Error(`the dropdown did not write the workspace setting: ${JSON.stringify(settings)}`);

  await clickLensAbove(page, '2.1 Store a priority on each item', '▶ Execute with Agent');
  const done = page.locator('.view-line', { hasText: '[x] 2.1 Store a priority on each item' });
  const approve = panel.locator('.approval-card [data-action="approve"]').first();
  let cards = 0;
  for (const deadline = Date.now() + 90_000; !(await done.isVisible()); ) {
    if (Date.now() > deadline) throw new Error(`the box was not ticked after ${cards} approvals`);
    if (await approve.isVisible().catch(() => false)) {
      if (cards === 0) {
        // The first card is the write of src/todo.js, with its diff: the README's picture of an approval.
        await panel.locator('.approval-card .diff').first().waitFor({ timeout: 10_000 });
        await page.screenshot({ path: path.join(outDir, 'agent-activity-approval.png') });
      }
      // The card goes away once answered; one that went between the check and the click is not counted.
      if (await approve.click({ timeout: 2_000 }).then(() => true, () => false)) cards++;
    } else await page.waitForTimeout(100);
  }
  if (cards < 3) throw new Error(`cautious asked only ${cards} times`);
  await panel.locator('.state[data-state="completed"]').waitFor({ timeout: 20_000 });
  // The deny of `rm -rf node_modules` shows with its rule.
  await panel.getByText('rm -rf node_modules').first().waitFor({ timeout: 10_000 });
  await page.screenshot({ path: path.join(outDir, 'agent-activity-completed.png') });
  // The model's words streamed in live rows (issue 13), which gave way to each turn's whole text: none is left.
  if (await panel.locator('#timeline [aria-busy="true"]').count()) throw new Error('a live row of streaming text was left after the run');
  const texts = await panel.locator('#timeline .row-text .model-text').allTextContents();
  if (texts.length < 3) throw new Error(`the model's texts are not in the timeline: ${JSON.stringify(texts)}`);
  // Hidden and shown again, the webview starts from nothing and is rebuilt from the run's journal.
  const rows = await panel.locator('#timeline > *').count();
  await page.locator('.view-line', { hasText: '2.1 Store a priority on each item' }).click();
  await page.keyboard.press('Control+J'); // View: Toggle Panel Visibility
  await page.locator('iframe.webview.ready').first().waitFor({ state: 'hidden', timeout: 10_000 });
  await runCommand(page, 'Spec Agent: Show Agent Activity');
  await panel.locator('.state[data-state="completed"]').waitFor({ timeout: 20_000 });
  await panel.getByText('rm -rf node_modules').first().waitFor({ timeout: 10_000 });
  const after = await panel.locator('#timeline > *').count();
  if (after < rows) throw new Error(`the timeline had ${rows} rows, and ${after} after the panel came back`);
  // The texts it streamed live are the texts the journal gives back.
  const textsAfter = await panel.locator('#timeline .row-text .model-text').allTextContents();
  if (JSON.stringify(textsAfter) !== JSON.stringify(texts)) throw new Error(`the model's texts live ${JSON.stringify(texts)} differ from the journal's ${JSON.stringify(textsAfter)}`);
});

test('Agent Activity: a step’s checkpoint badge restores the files to before that step (after a modal), and the notification’s Undo puts them back', async ({ page, workspace }) => {
  // The completed run of 2.1 is in the panel: its edit of src/todo.js (the default priority) has a checkpoint badge.
  const panel = activity(page);
  const todo = path.join(workspace, 'src/todo.js');
  const tasks = path.join(workspace, '.kiro/specs/todo-priorities/tasks.md');
  const fixed = "add(title, priority = 'normal') {";
  if (!fs.readFileSync(todo, 'utf8').includes(fixed)) throw new Error('the run of 2.1 did not leave its fix in src/todo.js');
  const row = panel.locator('.row-call', { has: panel.locator('.checkpoint-menu') }).filter({ hasText: 'src/todo.js' }).last();
  await row.locator('summary.checkpoint').click();
  await row.locator('[data-action="checkpointRestore"]').click();
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.getByText(/Restore the files to checkpoint [0-9a-f]{7}\?/).waitFor({ timeout: 10_000 });
  await dialog.getByRole('button', { name: 'Restore' }).click();
  // Before the edit: src/todo.js without the default, tasks.md with 2.1 in progress as it was then.
  await pollUntil(page, 'the restore to put src/todo.js back as it was before the edit', () => fs.readFileSync(todo, 'utf8').includes('add(title, priority) {'));
  if (!fs.readFileSync(tasks, 'utf8').includes('- [-] 2.1 Store a priority on each item')) throw new Error(`tasks.md after the restore: ${fs.readFileSync(tasks, 'utf8')}`);
  await notification(page, /Restored to checkpoint [0-9a-f]{7}: \d+ files? restored/);
  await page.locator('.notification-list-item', { hasText: 'Restored to checkpoint' }).first().getByRole('button', { name: 'Undo' }).click();
  await pollUntil(page, 'Undo to put the files back as they were after the run', () => fs.readFileSync(todo, 'utf8').includes(fixed) && fs.readFileSync(tasks, 'utf8').includes('- [x] 2.1 Store a priority on each item'));
  await page.locator('.view-line', { hasText: '[x] 2.1 Store a priority on each item' }).waitFor({ timeout: 10_000 });
  // Keys go to the editor again, not to the panel, for the tests after this one.
  await page.locator('.view-line', { hasText: '2.1 Store a priority on each item' }).click();
});

test('Agent Activity: Escape in the panel stops a long command at once; Resume and Discard are offered; Discard puts the files back', async ({ page, outDir, workspace }) => {
  const panel = activity(page);
  await setLevel(page, 'full');
  // Another recorded model: two writes, then a command that runs for two minutes unless stopped.
  await useReplayScript(page, workspace, 'ui-long-command.json');

  // At the start too, the task line says Running (never Queued) with the status bar.
  await defineLineState(page);
  await page.evaluate((text) => {
    const at = (window.__start = {});
    const check = () => {
      if (!at.status && [...document.querySelectorAll('.statusbar-item')].some((e) => e.textContent.includes('Spec Agent: running 2.2'))) at.status = Date.now();
      const state = window.__lineState(text) ?? '';
      if (!at.decoration && state.includes('● Running')) at.decoration = Date.now();
      if (state.includes('Queued')) at.queued = true;
    };
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  }, '2.2 List open items by priority');
  await clickLensAbove(page, '2.2 List open items by priority', '▶ Execute with Agent');
  await page.waitForFunction(() => window.__start.status && window.__start.decoration, null, { timeout: 30_000 });
  const start = await page.evaluate(() => window.__start);
  console.log(`    at the start: the task line's state ${start.decoration - start.status} ms after the status bar's "running 2.2"`);
  if (start.queued) throw new Error('the running task\u2019s line said Queued at the start');
  if (Math.abs(start.decoration - start.status) > 200) throw new Error(`at the start the task line's state and the status bar were ${start.decoration - start.status} ms apart`);
  const pidFile = path.join(workspace, 'long-build.pid');
  await pollUntil(page, 'the long command to start', () => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim() !== '', 30_000);
  await pollUntil(page, 'the long command to be seen from outside its sandbox', () => hostPids(['sleep', '120'], workspace).length === 1, 10_000);
  const [pid] = hostPids(['sleep', '120'], workspace);
  await panel.locator('.state[data-state="running"]').waitFor({ timeout: 10_000 });
  // The running task's own line says so (not Queued), as does the status bar; its lens only leads to the panel.
  await waitForLineState(page, '2.2 List open items by priority', '● Running');
  const shown = await lineState(page, '2.2 List open items by priority');
  if (shown !== '● Running') throw new Error(`the running task's line shows "${shown}", not "● Running"`);
  await lensAbove(page, '2.2 List open items by priority', 'Agent Activity');
  if ((await page.locator('.codelens-decoration a', { hasText: 'Running' }).count()) > 0) throw new Error('a lens still says what the run is doing');
  await page.locator('.statusbar-item', { hasText: 'Spec Agent: running 2.2' }).waitFor({ timeout: 10_000 });
  // Its hover offers Stop, Stop after this task and the panel.
  const marked = await page.evaluate(() => {
    const span = [...document.querySelectorAll('.view-line span')].find((s) => getComputedStyle(s, '::after').content.includes('Running') || (s.children.length === 0 && s.textContent.includes('● Running')));
    const box = span?.getBoundingClientRect();
    return box && { x: box.right - 8, y: box.top + box.height / 2 };
  });
  if (!marked) throw new Error('no span of the task line draws "● Running"');
  await page.mouse.move(marked.x, marked.y);
  const hover = page.locator('.monaco-hover', { hasText: 'the agent is on this task' }).filter({ visible: true });
  await hover.waitFor({ timeout: 10_000 });
  for (const name of ['Stop', 'Stop after this task', 'Show Agent Activity']) await hover.getByRole('link', { name, exact: true }).waitFor({ timeout: 5_000 });
  await page.screenshot({ path: path.join(outDir, 'task-line-running.png') });
  const surfaces = await watchSurfaces(page, '2.2 List open items by priority');
  // Focus inside the panel (the header), then Escape: the key goes to the webview, which stops the run.
  await panel.locator('#header').click();
  const pressed = Date.now();
  await page.keyboard.press('Escape');
  await panel.locator('.state[data-state="stopped"]').waitFor({ timeout: 10_000 });
  // Every surface follows the run's terminal event within 200 ms of the panel: the status bar, the footer and the
  // task line's state. No excuse for a debounce: the state is a decoration, set at once.
  const lag = await surfaces();
  console.log(`    after the panel showed "stopped": status bar ${lag.status} ms, footer ${lag.footer} ms, task line's state ${lag.decoration} ms (the lens back to Execute, not a state: ${lag.lens === undefined ? 'not within 3 s' : `${lag.lens} ms`})`);
  if (lag.status > 200 || lag.footer > 200 || lag.decoration > 200) throw new Error(`the status bar (${lag.status} ms), the footer (${lag.footer} ms) or the task line's state (${lag.decoration} ms) lagged the panel by more than 200 ms`);
  const state = processState(pid);
  if (state !== 'gone' && state !== 'Z') throw new Error(`the command (pid ${pid}) is still ${state} ${Date.now() - pressed} ms after Escape`);
  await panel.locator('[data-action="resume"]:not([hidden])').waitFor({ timeout: 10_000 });
  await panel.locator('[data-action="discard"]:not([hidden])').waitFor({ timeout: 10_000 });
  await page.screenshot({ path: path.join(outDir, 'agent-activity-stopped.png') });
  if (!fs.existsSync(path.join(workspace, 'NOTES-FROM-AGENT.md'))) throw new Error('the run did not write its note');
  // An unsaved edit to a file the run changed: Discard asks first, then the editor follows the file on disk (a
  // later save would otherwise bring the agent's change back).
  const todo = path.join(workspace, 'src/todo.js');
  if (!fs.readFileSync(todo, 'utf8').includes('// the long build was here')) throw new Error('the run did not edit src/todo.js');
  await openFile(page, 'src', 'todo.js');
  await page.locator('.view-line', { hasText: 'the long build was here' }).click();
  await page.keyboard.press('End');
  await page.keyboard.type(' (and my unsaved words)');
  await page.locator('.tab.active.dirty', { hasText: 'todo.js' }).waitFor({ timeout: 10_000 });
  await panel.locator('[data-action="discard"]').click();
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.getByText('src/todo.js has unsaved edits').waitFor({ timeout: 10_000 });
  await dialog.getByRole('button', { name: 'Drop My Edits and Discard' }).click();
  await pollUntil(
    page,
    'Discard to remove the files the run created and restore the one it edited',
    () => !fs.existsSync(path.join(workspace, 'NOTES-FROM-AGENT.md')) && !fs.existsSync(path.join(workspace, 'long-build.sh')) && !fs.readFileSync(todo, 'utf8').includes('the long build was here'),
  );
  await page.locator('.tab.active:not(.dirty)', { hasText: 'todo.js' }).waitFor({ timeout: 10_000 });
  if ((await page.locator('.view-line', { hasText: 'the long build was here' }).count()) > 0) throw new Error('the editor still shows the agent\u2019s line after Discard');
  await panel.locator('[data-action="undoDiscard"]:not([hidden])').waitFor({ timeout: 10_000 });
  await openFile(page, 'todo-priorities', 'tasks.md');
  await page.locator('.view-line', { hasText: '[ ] 2.2 List open items by priority' }).waitFor({ timeout: 10_000 });
  // Discarded: the task line no longer says how the run ended.
  await defineLineState(page);
  await page.waitForFunction((text) => window.__lineState(text) === '', '2.2 List open items by priority', { timeout: 10_000 });
  // Keys go to the editor again, not to the panel, for the tests after this one.
  await page.locator('.view-line', { hasText: '2.2 List open items by priority' }).click();
});

test('Agent Activity hidden: the gate’s questions come as notifications (Reject with Reason… there: the model is told why; Approve there), and so does the end of the run', async ({ page, workspace }) => {
  await setLevel(page, 'cautious');
  await useReplayScript(page, workspace, 'ui-hidden-panel.json');

  // Task 3 is further down tasks.md: bring its line into view (Go to Line).
  await page.locator('.view-line', { hasText: '2.1 Store a priority on each item' }).click();
  await page.keyboard.press('Control+G');
  await page.keyboard.type('20');
  await page.keyboard.press('Enter');
  await clickLensAbove(page, '3. Document priorities in a README', '▶ Execute with Agent');
  // The run opens the panel (it may still be open from the test before: wait for the run itself, under way, so its
  // own opening of the panel is behind us); the user hides it again.
  await page.locator('.statusbar-item', { hasText: 'Spec Agent: running 3' }).waitFor({ timeout: 20_000 });
  await page.locator('iframe.webview.ready').first().waitFor({ timeout: 10_000 });
  await page.waitForTimeout(500);
  await page.locator('.view-line', { hasText: '3. Document priorities in a README' }).click();
  await page.keyboard.press('Control+J');
  await page.locator('iframe.webview.ready').first().waitFor({ state: 'hidden', timeout: 10_000 });
  const done = page.locator('.view-line', { hasText: '[x] 3. Document priorities in a README' });
  const ask = page.locator('.notification-list-item', { hasText: 'Spec Agent asks' }).filter({ visible: true }).first();
  let answered = 0;
  for (const deadline = Date.now() + 60_000; !(await done.isVisible()); ) {
    if (Date.now() > deadline) throw new Error(`the box was not ticked after ${answered} notifications`);
    if (await ask.isVisible().catch(() => false)) {
      if (answered === 0) {
        // The write of PRIORITIES.md: rejected with a reason, typed into the input box the notification opens.
        await ask.getByText('write_file PRIORITIES.md').waitFor({ timeout: 5_000 });
        // The task line says the run waits for the user, with the panel hidden.
        await waitForLineState(page, '3. Document priorities in a README', '● Waiting for approval');
        await ask.getByRole('button', { name: 'Reject with Reason…' }).click();
        const box = page.locator('.quick-input-widget .quick-input-box input');
        await page.locator('.quick-input-title', { hasText: 'Reject: write_file PRIORITIES.md' }).waitFor({ timeout: 10_000 });
        await box.fill('the README is the place for this');
        await box.press('Enter');
        await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
        answered++;
      } else if (await ask.getByRole('button', { name: 'Approve' }).click({ timeout: 2_000 }).then(() => true, () => false)) answered++;
    } else if (!(await page.locator('.notifications-center').isVisible().catch(() => false))) {
      // Toasts or the notification centre: open the centre, which lists them all.
      await page.locator('.statusbar-item[id="status.notifications"], .codicon-bell-dot, .codicon-bell').first().click();
    } else await page.waitForTimeout(100);
  }
  if (answered < 2) throw new Error(`expected the write and the verification to ask, got ${answered} answers`);
  await notification(page, /run \S+ completed; 1\/1 tasks done/);
  if (fs.existsSync(path.join(workspace, 'PRIORITIES.md'))) throw new Error('the rejected write happened');
  // The journal of the run: the rejection with its reason, and the model told the user rejected it, and why.
  const runs = path.join(workspace, '.kiro/runs');
  const latest = fs.readdirSync(runs).filter((d) => fs.existsSync(path.join(runs, d, 'events.jsonl'))).map((d) => ({ d, at: fs.statSync(path.join(runs, d, 'events.jsonl')).mtimeMs })).sort((a, b) => b.at - a.at)[0].d;
  const events = fs.readFileSync(path.join(runs, latest, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const write = events.find((e) => e.type === 'tool.requested' && e.tool === 'write_file');
  const resolved = events.find((e) => e.type === 'approval.resolved' && e.callId === write?.callId);
  const told = events.find((e) => e.type === 'tool.finished' && e.callId === write?.callId);
  if (!resolved || resolved.approved !== false || resolved.by !== 'user' || resolved.reason !== 'the README is the place for this') throw new Error(`the rejection was journaled as ${JSON.stringify(resolved)}`);
  if (!told || !told.output.includes('The user rejected this') || !told.output.includes('Their reason: the README is the place for this')) throw new Error(`the model was told ${JSON.stringify(told?.output)}`);
});

test('shows a warning under a line that looks like a task but is not one', async ({ page, outDir }) => {
  await openFile(page, 'malformed', 'tasks.md');
  await page.locator('.squiggly-warning').first().waitFor({ timeout: 20_000 });
  await page.keyboard.press('Control+Shift+M');
  await page.locator('.markers-panel .monaco-list-row', { hasText: 'a checkbox in a heading is not a task' }).waitFor({ timeout: 20_000 });
  await page.screenshot({ path: path.join(outDir, 'tasks-md-diagnostics.png') });
});

test('a window reloaded while a write waits for approval: after the reload the task is [ ] again, the card reads "VS Code closed", and the notice offers the panel\u2019s buttons', async ({ page, workspace }) => {
  const file = path.join(workspace, '.vscode/settings.json');
  const settings = JSON.parse(fs.readFileSync(file, 'utf8'));
  // Cautious: the run's first write asks, and nobody answers before the reload.
  settings['specAgent.autonomyLevel'] = 'cautious';
  fs.writeFileSync(file, JSON.stringify(settings, null, 2));
  await useReplayScript(page, workspace, 'ui-hidden-panel.json');
  await openFile(page, 'todo-priorities', 'tasks.md');
  const tasks = path.join(workspace, '.kiro/specs/todo-priorities/tasks.md');
  await clickLensAbove(page, '2.2 List open items by priority', '▶ Execute with Agent');
  await activity(page).locator('.approval-card [data-action="approve"]').first().waitFor({ timeout: 60_000 });
  await pollUntil(page, 'the task marked in progress on disk', () => fs.readFileSync(tasks, 'utf8').includes('- [-] 2.2 List open items by priority'), 20_000);

  await page.reload();
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
  await notification(page, 'did not finish: VS Code closed during the run');
  const notice = page.locator('.notification-list-item', { hasText: 'did not finish: VS Code closed during the run' }).first();
  await notice.getByRole('button', { name: 'Resume' }).waitFor({ timeout: 10_000 });
  const buttons = (await notice.locator('.monaco-button').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  if (!fs.readFileSync(tasks, 'utf8').includes('- [ ] 2.2 List open items by priority')) throw new Error('the marker of the interrupted task is still not back after the reload');
  await runCommand(page, 'Spec Agent: Show Agent Activity');
  const panel = activity(page);
  await panel.getByText('Cancelled: VS Code closed during the run').first().waitFor({ timeout: 20_000 });
  const shown = [];
  for (const [action, label] of [['resume', 'Resume'], ['discard', 'Discard changes'], ['undoDiscard', 'Undo discard'], ['keep', 'Keep changes']]) {
    if (await panel.locator(`[data-action="${action}"]:not([hidden])`).isVisible()) shown.push(label);
  }
  if (JSON.stringify(buttons) !== JSON.stringify(shown)) throw new Error(`the notice offers ${JSON.stringify(buttons)}, the panel shows ${JSON.stringify(shown)}`);
});

/** Runs a command from the Command Palette by its title. */
/** A notification, toast or not: a toast first; else the notification centre, which lists them all. */
async function notification(page, text) {
  const item = page.locator('.notification-list-item', { hasText: text }).first();
  if (await item.waitFor({ timeout: 5_000 }).then(() => true, () => false)) return;
  if (!(await page.locator('.notifications-center').isVisible().catch(() => false))) await page.locator('.statusbar-item[id="status.notifications"], .codicon-bell-dot, .codicon-bell').first().click();
  await item.waitFor({ timeout: 15_000 });
}

async function runCommand(page, title) {
  await page.keyboard.press('Control+Shift+P');
  // Filled into the box itself, as openFile does: with the focus in a webview or a notification, keys typed at
  // once went astray (the palette showed only its ">").
  const box = page.locator('.quick-input-widget .quick-input-box input');
  await box.waitFor({ timeout: 10_000 });
  await box.fill(`>${title}`);
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
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
  await notification(page, 'the API key for https://api.anthropic.com is stored');

  await runCommand(page, 'Spec Agent: Select Model');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'No VS Code language models' }).waitFor({ timeout: 10_000 });
  await page.screenshot({ path: path.join(outDir, 'select-model.png') });
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Replay script' }).first().click();
  await page.locator('.quick-input-title', { hasText: 'Replay script' }).waitFor({ timeout: 10_000 });
  await page.keyboard.press('Control+A');
  await page.keyboard.type('.kiro/replay-ui.json');
  await page.keyboard.press('Enter');
  await notification(page, 'the agent now uses replay script .kiro/replay-ui.json (workspace settings)');
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
    // SPEC_AGENT_UI_GREP: only the UI tests whose name matches (a quick turn while working on one).
    const grep = process.env.SPEC_AGENT_UI_GREP ? new RegExp(process.env.SPEC_AGENT_UI_GREP) : undefined;
    for (const t of tests.filter((x) => !grep || grep.test(x.name))) {
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
    // The workspace chose full (its .kiro/settings.json is not accepted here, which the item flags).
    await page.locator('.statusbar-item', { hasText: 'Spec Agent: full' }).waitFor({ timeout: 30_000 });
    await openFile(page, 'todo-priorities', 'tasks.md');
    await page.locator('.codelens-decoration a', { hasText: '▶ Execute with Agent' }).first().waitFor({ timeout: 30_000 });
    // The packaged webview: a run streams into Agent Activity and completes (the workspace chose full and the demo model).
    await clickLensAbove(page, '2.1 Store a priority on each item', '▶ Execute with Agent');
    await activity(page).locator('.state[data-state="completed"]').waitFor({ timeout: 60_000 });
    // Its commands ran confined: the sandbox host and its helpers are in the package, and found beside the bundle.
    const sandbox = await activity(page).locator('.header-sandbox').innerText();
    if (sandbox !== 'sandboxed') throw new Error(`the packaged extension's run says "${sandbox}", not "sandboxed"`);
    await page.locator('.view-line', { hasText: '[x] 2.1 Store a priority on each item' }).waitFor({ timeout: 10_000 });
    await openFile(page, 'malformed', 'tasks.md');
    await page.locator('.squiggly-warning').first().waitFor({ timeout: 20_000 });
    console.log(`  ✔ [vsix] the installed .vsix activates: status bar, lenses, diagnostics, and a run streams into Agent Activity to [x], its commands sandboxed (${Date.now() - started} ms)`);
    return { passed: 1, failed: 0 };
  } catch (err) {
    console.log(`  ✖ [vsix] the installed .vsix: ${String(err.message).split('\n').slice(0, 4).join(' ')}`);
    await page.screenshot({ path: path.join(outDir, 'failure-vsix.png') }).catch(() => {});
    return { passed: 0, failed: 1 };
  } finally {
    await context.close();
  }
}
