// View changes, Run tasks… and markers through the open document, in the real extension host: real runs with the
// replay model, their real checkpoints, the real diff editors and quick pick. A spec of its own, removed afterwards.
import * as assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { readJournal } from '../../../src/core/runs/journal.js';
import { agentSpec, api, root, until } from './helpers.js';

const spec = agentSpec('changes-in-host');
const { tasksUri, replay } = spec;
const todoUri = () => vscode.Uri.joinPath(root(), 'src', 'todo.js');
const TASKS = '# Tasks\n\n- [ ] 1. Write the notes\n  - _Requirements: 1.1_\n- [ ] 2. Second task\n- [ ] 3. Third task\n- [ ] 4. Fourth task\n';
const complete = (summary: string) => ({ toolCalls: [{ tool: 'complete_task', input: { summary } }] });

const lenses = async () => (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', tasksUri(), 100)) ?? [];
const lensTitles = async () => (await lenses()).map((l) => `${l.range.start.line + 1}:${l.command?.title ?? ''}`);
const activeTab = () => vscode.window.tabGroups.activeTabGroup.activeTab;

describe('View changes, Run tasks… and markers through the document in a real VS Code', () => {
  let todoBefore: string;
  let runId: string;

  before(async () => {
    todoBefore = await readFile(todoUri().fsPath, 'utf8');
    await spec.setUp(TASKS, 'full');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await writeFile(todoUri().fsPath, todoBefore);
    await rm(vscode.Uri.joinPath(root(), 'NOTES-changes.md').fsPath, { force: true });
    await spec.tearDown();
  });

  it('shows Run tasks… next to Run all open tasks', async () => {
    await vscode.window.showTextDocument(tasksUri());
    assert.deepEqual((await lensTitles()).filter((t) => t.startsWith('3:')), ['3:▶ Run all open tasks', '3:Run tasks…', '3:▶ Execute with Agent']);
  });

  it('after a real run, View changes on the task it completed opens the multi-file diff: before the run ↔ now', async () => {
    const a = await api();
    await replay('change.json', [
      { toolCalls: [{ tool: 'write_file', input: { path: 'NOTES-changes.md', content: 'notes\n' } }] },
      { toolCalls: [{ tool: 'edit_file', input: { path: 'src/todo.js', edits: [{ oldText: "'use strict';", newText: "'use strict';\n// changed by the agent" }] } }] },
      complete('wrote the notes'),
    ]);
    // The document is open and has no unsaved edits: the tick goes through it and it is saved, inside the run's step.
    const editor = await vscode.window.showTextDocument(tasksUri());
    const result = await a.runner.execute(tasksUri(), '1');
    assert.equal(result?.outcome.state, 'completed', JSON.stringify(result?.outcome));
    runId = result!.runId;
    assert.ok(editor.document.getText().includes('- [x] 1. Write the notes') && !editor.document.isDirty);

    const lens = await until('the View changes lens on task 1', async () => (await lenses()).find((l) => l.range.start.line === 2 && l.command?.title === 'View changes'));
    assert.deepEqual(lens.command!.arguments, [runId]);
    // Rendering the lenses again reads no journal: they come from the index in memory. The file watcher's event
    // for the run's summary.json may still be on its way (it re-reads that one journal): let it land first.
    let reads = a.runIndex.reads;
    for (let quietSince = Date.now(); Date.now() - quietSince < 1_500; ) {
      await new Promise((r) => setTimeout(r, 100));
      if (a.runIndex.reads !== reads) [reads, quietSince] = [a.runIndex.reads, Date.now()];
    }
    for (let i = 0; i < 5; i++) await lensTitles();
    assert.equal(a.runIndex.reads, reads);

    const shown = await vscode.commands.executeCommand<string[]>(lens.command!.command, ...lens.command!.arguments!);
    assert.deepEqual([...shown].sort(), ['.kiro/specs/changes-in-host/tasks.md', 'NOTES-changes.md', 'src/todo.js']);
    const tab = await until('the multi-file diff', () => (activeTab()?.label.includes(runId) ? activeTab() : undefined));
    const input = tab.input as { textDiffs?: Array<{ original: vscode.Uri; modified: vscode.Uri }> };
    assert.ok(Array.isArray(input.textDiffs), `a multi-file diff tab (its input: ${input?.constructor?.name} ${JSON.stringify(Object.keys(input ?? {}))})`);
    const todo = input.textDiffs.find((d) => d.modified.fsPath === todoUri().fsPath);
    assert.ok(todo, JSON.stringify(input.textDiffs.map((d) => [d.original?.toString(), d.modified?.toString()])));
    assert.equal(todo.original.scheme, 'spec-agent-checkpoint');
    assert.equal((await vscode.workspace.openTextDocument(todo.original)).getText(), todoBefore);
    assert.match((await vscode.workspace.openTextDocument(todo.modified)).getText(), /changed by the agent/);
    const tick = input.textDiffs.find((d) => d.modified.fsPath === tasksUri().fsPath)!;
    assert.equal((await vscode.workspace.openTextDocument(tick.original)).getText(), TASKS);
  });

  it('specAgent.openRunDiff opens one file as it was before the run against the file now', async () => {
    await vscode.commands.executeCommand('specAgent.openRunDiff', runId, 'src/todo.js');
    const tab = await until('the diff editor', () => (activeTab()?.input instanceof vscode.TabInputTextDiff ? activeTab() : undefined));
    const input = tab.input as vscode.TabInputTextDiff;
    assert.equal(input.original.scheme, 'spec-agent-checkpoint');
    assert.equal(input.modified.toString(), todoUri().toString());
    assert.equal((await vscode.workspace.openTextDocument(input.original)).getText(), todoBefore);
    assert.match(tab.label, /todo\.js \(before run .+\) ↔ now/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('specAgent.openCheckpointDiff (a step\'s badge in the panel) diffs the workspace now against that checkpoint; another id is refused', async () => {
    const { events } = await readJournal(root().fsPath, runId);
    const edit = events.find((e) => e.type === 'tool.requested' && e.tool === 'edit_file')!;
    const before = events.find((e) => e.type === 'checkpoint.created' && e.callId === (edit as { callId: string }).callId && e.label.startsWith('before '));
    assert.ok(before && before.type === 'checkpoint.created', 'the edit step has its checkpoint, named by its call');
    // Since the checkpoint before the edit: the edit and the tick; the notes were written before it.
    const shown = await vscode.commands.executeCommand<string[]>('specAgent.openCheckpointDiff', runId, before.commit.slice(0, 7));
    assert.deepEqual([...shown].sort(), ['.kiro/specs/changes-in-host/tasks.md', 'src/todo.js']);
    const tab = await until('the multi-file diff', () => (activeTab()?.label.includes(before.commit.slice(0, 7)) ? activeTab() : undefined));
    const input = tab.input as { textDiffs?: Array<{ original: vscode.Uri; modified: vscode.Uri }> };
    const todo = input.textDiffs!.find((d) => d.modified.fsPath === todoUri().fsPath)!;
    assert.equal((await vscode.workspace.openTextDocument(todo.original)).getText(), todoBefore);
    // Not a checkpoint of this run: nothing opens.
    assert.equal(await vscode.commands.executeCommand('specAgent.openCheckpointDiff', runId, 'abcdef0'), undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Run tasks… refuses a range that names no task, then runs the range typed', async () => {
    const a = await api();
    await replay('two.json', [complete('two'), complete('three')]);
    const pending = vscode.commands.executeCommand<{ runId: string; outcome: { state: string } } | undefined>('specAgent.runTasks', tasksUri());
    const qp = await until('the quick pick', () => a.taskPicker.current);
    assert.deepEqual(
      qp.items.map((i) => i.label),
      ['2 Second task', '3 Third task', '4 Fourth task'],
    );
    qp.value = '2-9';
    await until('the picker to show the typed range', () => qp.activeItems[0]?.label.includes('2-9') || qp.items[0]?.label.startsWith('$(error)'), 5_000).catch(() => undefined);
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await until('the message on the typed range', () => qp.items[0]?.label === '$(error) the range 2-9: there is no task 9 in tasks.md');
    assert.equal(a.taskPicker.current, qp, 'the picker stays open');
    qp.value = '2-3';
    await until('the picker to take the new range', () => qp.items[0]?.label === '$(run-all) Run 2-3' || undefined, 5_000).catch(() => undefined);
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const result = await pending;
    const started = a.runner.events.find((e) => e.type === 'run.started');
    assert.ok(started?.type === 'run.started' && started.runId === result?.runId);
    assert.deepEqual(started.tasks.map((t) => t.id), ['2', '3']);
    // Two top-level tasks: the run pauses for review after the first group, as every run of several groups does.
    assert.equal(result?.outcome.state, 'paused', JSON.stringify(result?.outcome));
    assert.match(await readFile(tasksUri().fsPath, 'utf8'), /- \[x\] 2\. Second task\n- \[ \] 3\. Third task/);
    assert.equal(a.taskPicker.current, undefined);
  });

  it('ticks the box through the open document while it has unsaved edits: they stay, unsaved, and nothing is clobbered', async () => {
    const a = await api();
    await replay('four.json', [complete('four')]);
    const editor = await vscode.window.showTextDocument(tasksUri());
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), '<!-- a note of mine, not saved -->\n'));
    await editor.edit((e) => e.insert(editor.document.lineAt(editor.document.lineCount - 1).range.end, '\n- [ ] 5. A task I am adding\n'));
    assert.ok(editor.document.isDirty);
    const disk = await readFile(tasksUri().fsPath, 'utf8');

    const result = await a.runner.execute(tasksUri(), '4');
    assert.equal(result?.outcome.state, 'completed', JSON.stringify(result?.outcome));
    const text = editor.document.getText();
    assert.match(text, /- \[x\] 4\. Fourth task/);
    assert.ok(text.startsWith('<!-- a note of mine, not saved -->\n# Tasks'), text);
    assert.match(text, /- \[ \] 5\. A task I am adding/);
    assert.ok(editor.document.isDirty, 'the user saves their own edits');
    assert.equal(await readFile(tasksUri().fsPath, 'utf8'), disk, 'the file on disk is as the user last saved it');
    // The tick is in the buffer only, so the run's checkpoints saw no change: it is not among the run's changes.
    assert.deepEqual(await vscode.commands.executeCommand('specAgent.viewRunChanges', result!.runId), []);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
