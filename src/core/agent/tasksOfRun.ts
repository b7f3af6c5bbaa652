import type { Task, TaskTree } from '../spec/index.js';

/**
 * How a run names a task in `taskIds` (the editor's view of a run): its id, or the title of an un-numbered task,
 * the way the extension's runner fills them in from the tasks it selected.
 */
export const runTaskName = (t: Task): string => t.id ?? t.title;

/**
 * The open tasks of tasks.md that belong to a run asked for `taskIds`, in file order: a task named there, or an
 * open sub-task of one. One answer for every place that shows a run on the task lines (the run-state decorations,
 * the `Agent Activity` lenses), so an un-numbered task, named by its title, is part of the run in all of them.
 */
export function tasksOfRun(tree: TaskTree, taskIds: readonly string[]): Task[] {
  const named = new Set(taskIds);
  return tree.tasks.filter((t) => t.status !== 'done' && (named.has(runTaskName(t)) || (t.parent !== null && named.has(runTaskName(tree.tasks[t.parent]!)))));
}
