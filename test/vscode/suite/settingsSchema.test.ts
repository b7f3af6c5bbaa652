// The JSON Schema contributed for .kiro/settings.json, as VS Code's own JSON language features use it.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { until } from './helpers.js';

describe('.kiro/settings.json in a real VS Code', () => {
  const uri = () => vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, '.kiro', 'settings.json');

  it('is JSON with comments, and the example file has no problems', async () => {
    const doc = await vscode.workspace.openTextDocument(uri());
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'jsonc');
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(vscode.languages.getDiagnostics(doc.uri).map((d) => d.message), []);
  });

  it('flags a value the schema does not allow', async () => {
    const editor = await vscode.window.showTextDocument(uri());
    const text = editor.document.getText();
    const at = text.indexOf('"balanced"');
    await editor.edit((e) => e.replace(new vscode.Range(editor.document.positionAt(at), editor.document.positionAt(at + 10)), '"yolo"'));
    try {
      const found = await until('a schema diagnostic', () => vscode.languages.getDiagnostics(editor.document.uri).find((d) => /cautious/.test(d.message)), 20_000);
      assert.match(found.message, /"cautious", "balanced", "full"/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  });

  it('completes the keys of the agent block', async () => {
    const editor = await vscode.window.showTextDocument(uri());
    const text = editor.document.getText();
    const pos = editor.document.positionAt(text.indexOf('"autonomyLevel"'));
    const list = await until('completions', async () => {
      const l = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, pos);
      return l.items.length > 0 ? l : undefined;
    }, 20_000);
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    for (const key of ['protectedPaths', 'maxSelfCorrections', 'largeRewriteLines']) assert.ok(labels.some((l) => l.includes(key)), `${key} in ${labels.join(', ')}`);
  });
});
