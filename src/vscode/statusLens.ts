import * as vscode from 'vscode';
import { parentProgress } from '../core/spec/index.js';
import type { TaskTreeCache } from './taskDocuments.js';

export const REVEAL_TASK_COMMAND = 'specAgent.revealTask';

/**
 * `✓ Done`, `● In progress`, `○ 2/5 sub-tasks done` above each parent task. A lens with open sub-tasks
 * moves the cursor to the first of them; a done one is a plain label. The "Execute with Agent" lens comes
 * with the executor.
 */
export class StatusLensProvider implements vscode.CodeLensProvider {
  private readonly lenses = new Map<string, { version: number; lenses: vscode.CodeLens[] }>();

  constructor(private readonly cache: TaskTreeCache) {}

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const key = doc.uri.toString();
    const hit = this.lenses.get(key);
    if (hit && hit.version === doc.version) return hit.lenses;
    const lenses = parentProgress(this.cache.get(doc)).map(({ task, label, nextOpen }) => {
      const line = task.range.start.line - 1;
      const range = new vscode.Range(line, 0, line, 0);
      if (!nextOpen) return new vscode.CodeLens(range, { title: label, command: '' });
      return new vscode.CodeLens(range, {
        title: label,
        tooltip: `Go to ${nextOpen.id ? `task ${nextOpen.id}` : 'the first open sub-task'}`,
        command: REVEAL_TASK_COMMAND,
        arguments: [doc.uri, nextOpen.range.start.line],
      });
    });
    this.lenses.set(key, { version: doc.version, lenses });
    if (this.lenses.size > 50) this.lenses.delete(this.lenses.keys().next().value!);
    return lenses;
  }
}

export async function revealTask(uri: vscode.Uri, line: number): Promise<void> {
  const editor = await vscode.window.showTextDocument(uri);
  const pos = new vscode.Position(line - 1, 0);
  editor.selection = new vscode.Selection(pos, pos);
  editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
