// In the real extension host: a steering file's front matter is diagnosed as the user types.
import * as assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { api, root, until } from './helpers.js';

describe('Steering front matter diagnostics', () => {
  it('an unknown inclusion and a bad pattern are shown where they stand, and go when fixed', async () => {
    await api();
    const uri = vscode.Uri.joinPath(root(), '.kiro', 'steering', 'diagnosed.md');
    await writeFile(uri.fsPath, '---\ninclusion: sometimes\nfileMatchPattern: ["src/**", 7]\n---\n# Rules\n');
    try {
      const editor = await vscode.window.showTextDocument(uri);
      const found = await until('steering diagnostics', () => {
        const d = vscode.languages.getDiagnostics(uri);
        return d.length >= 2 ? d : undefined;
      });
      assert.deepEqual(
        found.map((d) => [d.range.start.line + 1, d.range.start.character + 1, d.code, d.severity, d.source]).sort(),
        [
          [2, 12, 'steering-inclusion', vscode.DiagnosticSeverity.Error, 'Spec Agent'],
          [3, 30, 'steering-pattern', vscode.DiagnosticSeverity.Error, 'Spec Agent'],
        ],
      );
      assert.match(found.find((d) => d.code === 'steering-inclusion')!.message, /use always, fileMatch, manual or auto/);

      await editor.edit((e) => {
        e.replace(new vscode.Range(1, 11, 1, 20), 'fileMatch');
        e.replace(new vscode.Range(2, 27, 2, 30), '');
      });
      await until('the diagnostics to go', () => (vscode.languages.getDiagnostics(uri).length === 0 ? true : undefined));
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      await rm(uri.fsPath, { force: true });
    }
  });
});
