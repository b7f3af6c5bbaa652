import * as vscode from 'vscode';
import { diskTaskFile, type TaskFileAccess } from '../core/agent/executor.js';
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
  const version = doc.version;
  await editStatus(doc, findTask(cache.get(doc), which, uri.fsPath), status, () => {
    if (doc.version !== version) throw new SpecError('changed while the status was being set; it was not written. Try again.', uri.fsPath);
  });
}

/** One mark through the document; a document without unsaved edits is saved after it, one with them is not. */
async function editStatus(doc: vscode.TextDocument, task: Task, status: TaskStatus, beforeApply: () => void): Promise<boolean> {
  const wasDirty = doc.isDirty;
  const { offset, length, text } = statusEdit(task, status);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(offset), doc.positionAt(offset + length)), text);
  beforeApply();
  // The edit carries the document's version: if the user typed since it was made, it is refused, not misplaced.
  if (!(await vscode.workspace.applyEdit(edit))) return false;
  if (!wasDirty) await doc.save();
  return true;
}

/** The same task in a newer reading of the file: by id and title, else by title at the same depth. */
function findAgain(tree: TaskTree, task: Task, file: string): Task {
  const found = tree.tasks.find((t) => t.id !== null && t.id === task.id && t.title === task.title) ?? tree.tasks.find((t) => t.title === task.title && t.depth === task.depth);
  if (!found) throw new SpecError(`has no task ${task.id ?? task.title} any more; its marker was not set.`, file);
  return found;
}

/**
 * tasks.md for a run in this window: through its document when it is open (checked at every read, as the user
 * may open or close it during the run), else the file on disk as in the CLI. The task is found again by id and
 * title at each write, so the user can type in the file while the agent works.
 *
 * With unsaved edits in the document, a marker goes into the buffer and is not saved for the user: their edits
 * stay theirs to save. The run's checkpoints read the disk, so such a tick is not in the run's steps; when the
 * user saves, it counts as their change, and discarding the run leaves it (and their edits) as they are.
 */
export function documentTaskFile(cache: TaskTreeCache, file: string): TaskFileAccess {
  const disk = diskTaskFile(file);
  const openDoc = () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
  return {
    async read() {
      const doc = openDoc();
      if (!doc) return disk.read();
      return {
        tree: cache.get(doc),
        setStatus: async (task, status) => {
          for (let attempt = 0; attempt < 3; attempt++) {
            if (doc.isClosed) {
              const onDisk = await disk.read();
              return onDisk.setStatus(findAgain(onDisk.tree, task, file), status);
            }
            const current = findAgain(cache.get(doc), task, file);
            if (current.status === status) return;
            if (await editStatus(doc, current, status, () => undefined)) return;
          }
          throw new SpecError('kept changing while a task marker was being set; it was not set.', file);
        },
      };
    },
  };
}
