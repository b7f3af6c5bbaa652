import type { Task, TaskTree } from './types.js';

/**
 * A task of a run as tasks.md has it now: by its id when that id is unique in the file (the title may have been
 * edited since), by id and title when it is not, by title for a task with no id.
 */
export function findTask(tree: TaskTree, t: { id: string | null; title: string }): Task | undefined {
  if (t.id === null) return tree.tasks.find((x) => x.id === null && x.title === t.title);
  const same = tree.tasks.filter((x) => x.id === t.id);
  return same.length === 1 ? same[0] : same.find((x) => x.title === t.title);
}
