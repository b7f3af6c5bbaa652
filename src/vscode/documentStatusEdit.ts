import * as vscode from 'vscode';
import { loadTasks, SpecError, statusEdit, writeTaskStatus, type Task, type TaskStatus, type TaskTree } from '../core/spec/index.js';
import type { TaskTreeCache } from './taskDocuments.js';

/** Which task: by id as written, or by its 1-based line. */
export type TaskSelector = { id: string } | { line: number };

function findTask(tree: TaskTree, which: TaskSelector, file: string): Task {
  const task = 'id' in which ? tree.tasks.find((t) => t.id === which.id) : tree.tasks.find((t) => t.range.start.line === which.line);
  if (!task) throw new SpecError(`has no task ${'id' in which ? which.id : `on line ${which.line}`}.`, file);
  return task;
}

/**
 * Sets a task's status, changing only the mark inside `[ ]`. When the document is open, the edit goes
 * through it so unsaved edits of the user stay (and are not saved for them); a clean document is saved
 * after the edit. A closed file is edited on disk, atomically and only if unchanged since it was read.
 */
export async function setTaskStatus(cache: TaskTreeCache, uri: vscode.Uri, which: TaskSelector, status: TaskStatus): Promise<void> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (!doc) {
    const spec = await loadTasks(uri.fsPath);
    await writeTaskStatus(uri.fsPath, spec.hash, findTask(spec.tree, which, uri.fsPath), status);
    return;
  }
  const wasDirty = doc.isDirty;
  const version = doc.version;
  const task = findTask(cache.get(doc), which, uri.fsPath);
  const { offset, length, text } = statusEdit(task, status);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(doc.positionAt(offset), doc.positionAt(offset + length)), text);
  if (doc.version !== version || !(await vscode.workspace.applyEdit(edit))) {
    throw new SpecError('changed while the status was being set; it was not written. Try again.', uri.fsPath, task.range.start.line);
  }
  if (!wasDirty) await doc.save();
}
