// Restricted Mode, in a real VS Code with workspace trust on and this workspace not trusted: a repository must not
// grant itself autonomy. Reading specs works; no run starts; the level is cautious whatever the workspace says.
import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { api, root } from '../suite/helpers.js';

describe('Restricted Mode (an untrusted workspace)', () => {
  it('is what this window is in', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('still reads the spec: lenses and the task tree are there', async () => {
    const a = await api();
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(root(), '.kiro/specs/todo-priorities/tasks.md'));
    assert.ok(a.taskTree(doc).tasks.length > 0);
  });

  it('ignores the workspace\'s own autonomy settings: cautious, and says why', async () => {
    const a = await api();
    // The workspace asks for full in .vscode/settings.json and balanced in .kiro/settings.json.
    assert.match(await readFile(vscode.Uri.joinPath(root(), '.vscode/settings.json').fsPath, 'utf8'), /"full"/);
    const level = await a.autonomy();
    assert.equal(level.level, 'cautious');
    assert.match(level.source, /Restricted Mode/);
  });

  it('starts no run, and leaves tasks.md as it was', async () => {
    const a = await api();
    const tasks = vscode.Uri.joinPath(root(), '.kiro/specs/todo-priorities/tasks.md');
    const before = await readFile(tasks.fsPath, 'utf8');
    const result = await vscode.commands.executeCommand('specAgent.executeTask', tasks, '1');
    assert.equal(result, undefined);
    assert.equal(a.runner.running, undefined);
    assert.equal(a.runner.events.length, 0);
    assert.equal(await readFile(tasks.fsPath, 'utf8'), before);
  });
});
