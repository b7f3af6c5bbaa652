// Execute with Agent in the real extension host: the lenses, a run with the replay model that ticks the box in
// the open editor, and Stop during a long command. A spec of its own, removed afterwards, keeps the other suites'
// fixtures as they were.
import * as assert from 'node:assert/strict';
import { readdir, readFile, readlink, realpath, writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { agentSpec, api, root, until } from './helpers.js';

const spec = agentSpec('agent-in-host');
const { tasksUri, replay } = spec;
const TASKS = '# Tasks\n\n- [ ] 1. Write the notes\n- [ ] 2. Wait for the build\n- [x] 3. Already done\n';

/** The pid, as this machine numbers it, of the one process running `args` in folder `cwd`; undefined until there is one. */
async function hostPid(args: string[], cwd: string): Promise<number | undefined> {
  const folder = await realpath(cwd);
  for (const p of await readdir('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if ((await readFile(`/proc/${p}/cmdline`, 'utf8')) === `${args.join('\0')}\0` && (await readlink(`/proc/${p}/cwd`)) === folder) return Number(p);
    } catch {
      // gone while we looked, or not ours to read
    }
  }
  return undefined;
}

const lensTitles = async () => ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', tasksUri(), 100)) ?? []).map((l) => `${l.range.start.line + 1}:${l.command?.title ?? ''}`);

describe('Execute with Agent in a real VS Code', () => {
  before(() => spec.setUp(TASKS, 'full'));

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await spec.tearDown();
  });

  it('shows Execute with Agent above each open task and Run all open tasks at the top', async () => {
    await vscode.window.showTextDocument(tasksUri());
    assert.deepEqual(
      (await lensTitles()).filter((t) => t.includes('▶')),
      ['3:▶ Run all open tasks', '3:▶ Execute with Agent', '4:▶ Execute with Agent'],
    );
  });

  it('runs a task with the replay model: the file is written, the box in the open editor becomes [x]', async () => {
    const a = await api();
    await replay('write.json', [
      { toolCalls: [{ tool: 'search_files', input: { query: 'Write the notes' } }] },
      { toolCalls: [{ tool: 'write_file', input: { path: 'NOTES.md', content: 'notes\n' } }] },
      { toolCalls: [{ tool: 'complete_task', input: { summary: 'wrote the notes' } }] },
    ]);
    const editor = await vscode.window.showTextDocument(tasksUri());
    // What the surfaces are given at each change of the run: from its start, task 1 is the one running (its lens
    // says Running, not Queued); at its terminal event, before the session has closed, the run is over and the
    // status bar says so (the lenses and the panel's buttons read the same state).
    const seen: Array<{ current: string | undefined; running: boolean; last: string | undefined; status: string; line: Array<{ line: number; label: string }> | undefined }> = [];
    const watch = a.runner.onDidChange(() => seen.push({ current: a.runner.running?.current, running: a.runner.running !== undefined, last: a.runner.events.at(-1)?.type, status: a.statusBarText(), line: a.runStates.shown.get(tasksUri().toString()) }));
    let result;
    try {
      result = await vscode.commands.executeCommand<{ outcome: { state: string }; runId: string }>('specAgent.executeTask', tasksUri(), '1');
    } finally {
      watch.dispose();
    }
    assert.equal(result?.outcome.state, 'completed');
    assert.deepEqual(seen[0] && { current: seen[0].current, running: seen[0].running }, { current: '1', running: true }, JSON.stringify(seen));
    const ended = seen.find((s) => !s.running);
    assert.equal(ended?.last, 'run.completed', JSON.stringify(seen));
    assert.doesNotMatch(ended.status, /running/);
    // The task line's state as drawn at each change: Running from the start, nothing once the run completed. The
    // runner's listeners are called in the order they subscribed (the decorations before this test), so each entry
    // shows what the decorations had just drawn.
    assert.deepEqual(seen[0]?.line, [{ line: 3, label: '● Running' }], JSON.stringify(seen));
    assert.equal(ended.line, undefined, JSON.stringify(seen));
    assert.ok(!seen.slice(0, seen.indexOf(ended)).some((s) => s.last === 'run.completed'), `the run was still under way after its terminal event: ${JSON.stringify(seen)}`);
    // From the extension host too, the run's commands are confined (its sandbox host forked beside the bundle).
    const started = a.runner.events.find((e) => e.type === 'run.started');
    assert.deepEqual(started?.type === 'run.started' ? started.sandbox : undefined, { confined: true, backend: 'bubblewrap' });
    assert.equal(await readFile(vscode.Uri.joinPath(root(), 'NOTES.md').fsPath, 'utf8'), 'notes\n');
    await until('the editor to show the tick', () => editor.document.getText().includes('- [x] 1. Write the notes'));
    assert.ok(!editor.document.isDirty);
    const types = a.runner.events.filter((e) => e.runId === result!.runId).map((e) => e.type);
    assert.equal(types[0], 'run.started');
    assert.ok(types.includes('gate.decided'));
    assert.equal(types.at(-1), 'run.completed');
    // Search runs on the rg that VS Code ships (a packaged extension has no node_modules of its own).
    assert.match(a.ripgrep ?? '', /@vscode[/\\]ripgrep/);
    const asked = a.runner.events.find((e) => e.type === 'tool.requested' && e.tool === 'search_files');
    const search = a.runner.events.find((e) => e.type === 'tool.finished' && asked?.type === 'tool.requested' && e.callId === asked.callId);
    assert.ok(search?.type === 'tool.finished' && search.ok && search.output.includes('tasks.md'), JSON.stringify(search));
  });

  it('Stop during a long command: the process is gone at once, the run is stopped and the marker restored', async () => {
    const a = await api();
    // A grandchild (sleep) that records its pid: Stop must take the whole process group down.
    await writeFile(vscode.Uri.joinPath(root(), 'slow.sh').fsPath, 'sleep 60 &\necho $! > sleep.pid\nwait\n');
    await replay('slow.json', [{ toolCalls: [{ tool: 'run_command', input: { command: 'sh slow.sh' } }] }]);
    const pending = vscode.commands.executeCommand<{ outcome: { state: string } }>('specAgent.executeTask', tasksUri(), '2');
    const pidFile = vscode.Uri.joinPath(root(), 'sleep.pid').fsPath;
    await until('the command to start', async () => (await readFile(pidFile, 'utf8').catch(() => '')).trim() || undefined);
    // Its pid as this machine numbers it: a confined command has a process namespace of its own.
    const pid = await until('the sleep to be seen from here', async () => hostPid(['sleep', '60'], root().fsPath));
    // The task line says it runs (a decoration, set at once); its lens only leads to the panel, and none says Stop.
    assert.deepEqual(a.runStates.shown.get(tasksUri().toString()), [{ line: 4, label: '● Running' }]);
    assert.deepEqual((await lensTitles()).filter((t) => t.startsWith('4:')), ['4:Agent Activity']);
    assert.equal(await a.autonomyStatusText(), '$(sync~spin) Spec Agent: running 2 · full');
    // One run at a time: a second start while this one runs is refused, and changes nothing.
    assert.equal(await vscode.commands.executeCommand('specAgent.executeTask', tasksUri(), '2'), undefined);
    assert.equal(a.runner.running?.current, '2');
    const stoppedAt = Date.now();
    await vscode.commands.executeCommand('specAgent.stop');
    const result = await pending;
    assert.equal(result?.outcome.state, 'stopped');
    assert.ok(Date.now() - stoppedAt < 5_000, `stopped in ${Date.now() - stoppedAt} ms`);
    // Gone, or a zombie: this container's init does not reap orphans, so a killed orphan can linger as one.
    const state = await readFile(`/proc/${pid}/stat`, 'utf8').then((t) => t.slice(t.lastIndexOf(')') + 2, t.lastIndexOf(')') + 3), () => 'gone');
    assert.ok(state === 'gone' || state === 'Z', `the command's child (pid ${pid}) is ${state}`);
    assert.equal(a.runner.running, undefined);
    assert.match(await readFile(tasksUri().fsPath, 'utf8'), /- \[ \] 2\. Wait for the build/);
    assert.deepEqual(a.runStates.shown.get(tasksUri().toString()), [{ line: 4, label: '■ Stopped' }]);
    assert.ok((await lensTitles()).includes('4:▶ Execute with Agent'));
    // The level again; the warning says the workspace's .kiro/settings.json is still not accepted here.
    assert.equal(await a.autonomyStatusText(), '$(warning) Spec Agent: full');
  });

  it('the window closing (deactivate: the runner shuts down) stops the run and ends its command, the marker restored', async () => {
    const a = await api();
    await writeFile(vscode.Uri.joinPath(root(), 'slow.sh').fsPath, 'echo started > shutdown.flag\nsleep 71\n');
    await replay('shutdown.json', [{ toolCalls: [{ tool: 'run_command', input: { command: 'sh slow.sh' } }] }]);
    const pending = vscode.commands.executeCommand<{ outcome: { state: string; reason?: string } }>('specAgent.executeTask', tasksUri(), '2');
    const pid = await until('the command to run', async () => hostPid(['sleep', '71'], root().fsPath));
    await a.runner.shutdown();
    const result = await pending;
    assert.equal(result?.outcome.state, 'stopped');
    const state = await readFile(`/proc/${pid}/stat`, 'utf8').then((t) => t.slice(t.lastIndexOf(')') + 2, t.lastIndexOf(')') + 3), () => 'gone');
    assert.ok(state === 'gone' || state === 'Z', `the command (pid ${pid}) is ${state} after shutdown`);
    assert.equal(a.runner.running, undefined);
    assert.match(await readFile(tasksUri().fsPath, 'utf8'), /- \[ \] 2\. Wait for the build/);
  });
});
