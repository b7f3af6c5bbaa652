import * as vscode from 'vscode';
import { parentProgress, SpecError, subtasksAllDone } from '../core/spec/index.js';
import { setTaskStatus } from './documentStatusEdit.js';
import type { TaskTreeCache } from './taskDocuments.js';

export const REVEAL_TASK_COMMAND = 'specAgent.revealTask';
export const MARK_DONE_COMMAND = 'specAgent.markTaskDone';

/**
 * `✓ Done`, `● In progress`, `○ 2/5 sub-tasks done` above each parent task. A lens with open sub-tasks
 * moves the cursor to the first of them; a done one is a plain label. A parent left `[ ]` although its sub-tasks
 * are all done (each in a run of its own, or ticked by hand) also gets `Mark done`. The "Execute with Agent" lens
 * comes with the executor.
 */
export class StatusLensProvider implements vscode.CodeLensProvider {
  private readonly lenses = new Map<string, { version: number; lenses: vscode.CodeLens[] }>();

  constructor(private readonly cache: TaskTreeCache) {}

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const key = doc.uri.toString();
    const hit = this.lenses.get(key);
    if (hit && hit.version === doc.version) return hit.lenses;
    const lenses = parentProgress(this.cache.get(doc)).flatMap(({ task, label, nextOpen, canMarkDone }) => {
      const line = task.range.start.line - 1;
      const range = new vscode.Range(line, 0, line, 0);
      const status = nextOpen
        ? new vscode.CodeLens(range, {
            title: label,
            tooltip: `Go to ${nextOpen.id ? `task ${nextOpen.id}` : 'the first open sub-task'}`,
            command: REVEAL_TASK_COMMAND,
            arguments: [doc.uri, nextOpen.range.start.line],
          })
        : new vscode.CodeLens(range, { title: label, command: '' });
      if (!canMarkDone) return [status];
      const name = task.id ? `task ${task.id}` : 'this task';
      return [status, new vscode.CodeLens(range, { title: 'Mark done', tooltip: `Tick ${name}: its sub-tasks are all done`, command: MARK_DONE_COMMAND, arguments: [doc.uri, task.range.start.line] })];
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

/**
 * `Mark done`: ticks the parent task on `line` (1-based) through its open document, as a run's tick does (only the
 * mark changes; unsaved edits stay unsaved). Checked again first: the file may have changed since the lens was drawn.
 */
export async function markTaskDone(cache: TaskTreeCache, uri: vscode.Uri, line: number): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const tree = cache.get(doc);
  const task = tree.tasks.find((t) => t.range.start.line === line);
  if (!task || task.status === 'done') return;
  if (!subtasksAllDone(tree, task)) {
    return void vscode.window.showWarningMessage(`Spec Agent: task ${task.id ?? task.title} still has open sub-tasks; it was not ticked.`);
  }
  try {
    await setTaskStatus(cache, uri, { line }, 'done');
  } catch (e) {
    void vscode.window.showErrorMessage(`Spec Agent: ${e instanceof SpecError ? `${vscode.workspace.asRelativePath(e.file)} ${e.message}` : `could not tick task ${task.id ?? task.title}: ${String(e)}`}`);
  }
}
