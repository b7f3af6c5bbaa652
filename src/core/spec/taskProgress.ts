import type { Task, TaskTree } from './types.js';

export interface TaskProgress {
  task: Task;
  /** `✓ Done`, `● In progress · 2/5 sub-tasks done`, `○ 2/5 sub-tasks done`. */
  label: string;
  /** The first sub-task not done yet, if any. */
  nextOpen: Task | undefined;
  /** Not ticked, though its sub-tasks are done (each done in a run of its own, or by hand): offer to tick it. */
  canMarkDone: boolean;
}

/**
 * Whether a parent task's work is all done: it has sub-tasks and each is ticked (an optional one may stay open).
 * The rule the executor ticks a parent by, and the one the "Mark done" lens is offered by.
 */
export function subtasksAllDone(tree: TaskTree, task: Task): boolean {
  const children = task.children.map((i) => tree.tasks[i]!);
  return children.length > 0 && children.some((c) => c.status === 'done') && children.every((c) => c.status === 'done' || c.optional);
}

/** A progress line for every parent task, for the status CodeLens. */
export function parentProgress(tree: TaskTree): TaskProgress[] {
  const out: TaskProgress[] = [];
  for (const task of tree.tasks) {
    if (task.children.length === 0) continue;
    const children = task.children.map((i) => tree.tasks[i]!);
    const done = children.filter((c) => c.status === 'done').length;
    const counts = `${done}/${children.length} sub-tasks done`;
    const nextOpen = children.find((c) => c.status !== 'done');
    let label: string;
    if (task.status === 'done') label = nextOpen ? `✓ Done · ${counts}` : '✓ Done';
    else if (task.status === 'in_progress') label = `● In progress · ${counts}`;
    else if (task.status === 'queued') label = `◌ Queued · ${counts}`;
    else label = `○ ${counts}`;
    out.push({ task, label, nextOpen, canMarkDone: task.status !== 'done' && subtasksAllDone(tree, task) });
  }
  return out;
}
