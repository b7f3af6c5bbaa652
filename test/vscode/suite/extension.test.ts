// In the real extension host of VS Code (code-server), against a copy of examples/todo-app plus the
// malformed fixture spec. Nothing here is mocked: the real vscode API, real files, real documents.
import * as assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { api, EXTENSION_ID, root, until } from './helpers.js';

const specUri = (feature: string, file = 'tasks.md') => vscode.Uri.joinPath(root(), '.kiro', 'specs', feature, file);

describe('Spec Agent in a real VS Code', () => {
  it('activates by itself on a workspace that contains a spec', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
    // No activate() call: workspaceContains:.kiro/specs/**/tasks.md must do it.
    await until('activation', () => ext.isActive || undefined);
  });

  it('shows diagnostics for a malformed tasks.md', async () => {
    const uri = specUri('malformed');
    await vscode.window.showTextDocument(uri);
    const diagnostics = await until('diagnostics', () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length >= 8 ? d : undefined;
    });
    const byLine = diagnostics.map((d) => [d.range.start.line + 1, d.code, d.source]).sort((a, b) => (a[0] as number) - (b[0] as number));
    assert.deepEqual(byLine, [
      [4, 'unknown-requirement', 'Spec Agent'],
      [6, 'not-a-task', 'Spec Agent'],
      [8, 'not-a-task', 'Spec Agent'],
      [11, 'not-a-task', 'Spec Agent'],
      [14, 'duplicate-id', 'Spec Agent'],
      [17, 'not-a-task', 'Spec Agent'],
      [19, 'not-a-task', 'Spec Agent'],
      [21, 'not-a-task', 'Spec Agent'],
    ]);
    const heading = diagnostics.find((d) => d.range.start.line === 7)!;
    assert.match(heading.message, /a checkbox in a heading is not a task/);
    assert.equal(heading.severity, vscode.DiagnosticSeverity.Warning);
  });

  it('updates diagnostics as the user types, and when requirements.md gains the missing id', async () => {
    const uri = specUri('malformed');
    const editor = await vscode.window.showTextDocument(uri);
    await editor.edit((e) => e.replace(new vscode.Range(5, 0, 5, 7), '- [ ] 6'));
    await until('the fixed line to lose its warning', () => (vscode.languages.getDiagnostics(uri).some((d) => d.range.start.line === 5) ? undefined : true));
    await vscode.commands.executeCommand('workbench.action.files.revert');

    const reqUri = specUri('malformed', 'requirements.md');
    const before = await readFile(reqUri.fsPath, 'utf8');
    await writeFile(reqUri.fsPath, `${before}\n### Requirement 9\n\n#### Acceptance Criteria\n\n1. a\n2. b\n3. c\n4. d\n5. e\n6. f\n7. g\n8. h\n9. i\n`);
    try {
      await until('the unknown-requirement warning to go', () => (vscode.languages.getDiagnostics(uri).some((d) => d.code === 'unknown-requirement') ? undefined : true), 20_000);
    } finally {
      await writeFile(reqUri.fsPath, before);
    }
  });

  it('resolves requirement refs of a bugfix spec against its bugfix.md, and says so', async () => {
    const folder = vscode.Uri.joinPath(root(), '.kiro', 'specs', 'bugfix-spec');
    await vscode.workspace.fs.createDirectory(folder);
    await writeFile(specUri('bugfix-spec', 'bugfix.md').fsPath, '# Bugfix Requirements Document\n\n### Current Behavior (Defect)\n\n1.1 WHEN a THEN b\n\n### Expected Behavior (Correct)\n\n2.1 WHEN a THEN the system SHALL c\n');
    await writeFile(specUri('bugfix-spec').fsPath, '# Tasks\n\n- [ ] 1. Fix it\n  - _Requirements: 1.1, 2.1, 2.2_\n');
    const uri = specUri('bugfix-spec');
    await vscode.window.showTextDocument(uri);
    const diagnostics = await until('the unknown 2.2', () => {
      const d = vscode.languages.getDiagnostics(uri).filter((x) => x.code === 'unknown-requirement');
      return d.length > 0 ? d : undefined;
    }, 20_000);
    assert.deepEqual(diagnostics.map((d) => [d.range.start.line + 1, d.message]), [[4, 'Requirement 2.2 is not defined in bugfix.md. Add it there, or fix the reference.']]);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('provides status lenses above parent tasks', async () => {
    const uri = specUri('todo-priorities');
    await vscode.window.showTextDocument(uri);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100);
    const ours = lenses.filter((l) => l.command && l.command.title.match(/^[✓●○◌]/));
    assert.deepEqual(
      ours.map((l) => [l.range.start.line + 1, l.command!.title, l.command!.command]),
      [[7, '○ 0/3 sub-tasks done', 'specAgent.revealTask']],
    );
    // The lens moves the cursor to the first open sub-task (2.1, line 8).
    await vscode.commands.executeCommand(ours[0]!.command!.command, ...(ours[0]!.command!.arguments ?? []));
    assert.equal(vscode.window.activeTextEditor!.selection.active.line + 1, 8);
  });

  it('does not re-parse an unchanged document', async () => {
    const a = await api();
    const doc = await vscode.workspace.openTextDocument(specUri('todo-priorities'));
    a.taskTree(doc);
    const parses = a.parseCount();
    for (let i = 0; i < 20; i++) {
      a.taskTree(doc);
      await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri, 100);
    }
    assert.equal(a.parseCount(), parses);
  });

  // After the parse-count test: reverting this test's document is parsed again a moment later (diagnostics).
  it('offers Mark done above a parent whose sub-tasks are all done, and ticks it in the open document, unsaved edits kept', async () => {
    const dir = vscode.Uri.joinPath(root(), '.kiro', 'specs', 'mark-done');
    const uri = vscode.Uri.joinPath(dir, 'tasks.md');
    const text = '# Tasks\n\n- [ ] 1. Parent\n- [x] 1.1 First\n- [x] 1.2 Second\n- [ ] 2. Other\n- [x] 2.1 Done\n- [ ] 2.2 Open\n';
    await mkdir(dir.fsPath, { recursive: true });
    await writeFile(uri.fsPath, text);
    const lenses = async () => ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? []).filter((l) => l.command && /^(Mark done|[✓●○◌])/.test(l.command.title));
    try {
      const editor = await vscode.window.showTextDocument(uri);
      const before = await lenses();
      assert.deepEqual(before.map((l) => [l.range.start.line + 1, l.command!.title]), [[3, '○ 2/2 sub-tasks done'], [3, 'Mark done'], [6, '○ 1/2 sub-tasks done']]);
      // The user has typed a line and not saved it: the tick goes into the buffer, and nothing is saved for them.
      await editor.edit((e) => e.insert(new vscode.Position(editor.document.lineCount, 0), '- [ ] 3. Typed by the user\n'));
      const mark = before.find((l) => l.command!.title === 'Mark done')!.command!;
      await vscode.commands.executeCommand(mark.command, ...(mark.arguments ?? []));
      assert.equal(editor.document.getText(), `${text.replace('- [ ] 1. Parent', '- [x] 1. Parent')}- [ ] 3. Typed by the user\n`);
      assert.ok(editor.document.isDirty);
      assert.equal(await readFile(uri.fsPath, 'utf8'), text);
      assert.deepEqual((await lenses()).map((l) => [l.range.start.line + 1, l.command!.title]), [[3, '✓ Done'], [6, '○ 1/2 sub-tasks done']]);
      // Asked for a parent with an open sub-task (a lens drawn before the file changed), it ticks nothing.
      await vscode.commands.executeCommand(mark.command, uri, 6);
      assert.match(editor.document.getText(), /- \[ \] 2\. Other/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      await rm(dir.fsPath, { recursive: true, force: true });
    }
  });

  it('sets a status through the open document, keeping the user\'s unsaved edits', async () => {
    const a = await api();
    const uri = specUri('todo-priorities');
    const onDisk = await readFile(uri.fsPath, 'utf8');
    const editor = await vscode.window.showTextDocument(uri);
    await editor.edit((e) => e.insert(new vscode.Position(editor.document.lineCount, 0), '\n- [ ] 4. Unsaved task the user is typing\n'));
    const typed = editor.document.getText();
    await a.setTaskStatus(uri, { id: '2.1' }, 'in_progress');
    const after = editor.document.getText();
    const at = typed.indexOf('- [ ] 2.1');
    assert.equal(after, typed.slice(0, at + 3) + '-' + typed.slice(at + 4));
    assert.equal(editor.document.isDirty, true, 'the user\'s edit is not saved for them');
    assert.equal(await readFile(uri.fsPath, 'utf8'), onDisk, 'the file on disk is untouched while the document is dirty');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('saves a clean open document after the status edit', async () => {
    const a = await api();
    const uri = specUri('todo-priorities');
    const onDisk = await readFile(uri.fsPath, 'utf8');
    const editor = await vscode.window.showTextDocument(uri);
    assert.equal(editor.document.isDirty, false);
    await a.setTaskStatus(uri, { line: 20 }, 'done');
    assert.equal(editor.document.isDirty, false);
    assert.equal(await readFile(uri.fsPath, 'utf8'), onDisk.replace('- [ ] 3. Document', '- [x] 3. Document'));
    await a.setTaskStatus(uri, { line: 20 }, 'todo');
    assert.equal(await readFile(uri.fsPath, 'utf8'), onDisk);
  });

  it('edits a closed CRLF file with a BOM on disk, changing one byte', async () => {
    const a = await api();
    const uri = specUri('crlf-bom');
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(uri, '..'));
    const before = Buffer.from('\uFEFF# Plan\r\n\r\n- [ ] 1. Ünïcode first\r\n- [ ] 2. Second', 'utf8');
    await writeFile(uri.fsPath, before);
    await a.setTaskStatus(uri, { id: '2' }, 'done');
    const after = await readFile(uri.fsPath);
    assert.equal(after.length, before.length);
    const changed = [...before.keys()].filter((i) => before[i] !== after[i]);
    assert.equal(changed.length, 1);
    assert.equal(String.fromCharCode(after[changed[0]!]!), 'x');
  });

  it('refuses a task that does not exist with a message naming it', async () => {
    const a = await api();
    await assert.rejects(a.setTaskStatus(specUri('todo-priorities'), { id: '42' }, 'done'), /has no task 42/);
  });
});
