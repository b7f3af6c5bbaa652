import type { Task, TaskTree } from './types.js';

type TaskName = { id: string | null; title: string };

/**
 * A task of a run as tasks.md has it now, after the user edited the file while the run was on or before Resume.
 * In order: the same id and title; else the only task with that title (the tasks were renumbered: `1. New` put
 * above and the rest shifted); else the only task with that id whose title is not one of the run's other tasks
 * (the title was fixed). Anything less certain is no task: ticking the wrong box is worse than saying it is gone.
 */
export function findTask(tree: TaskTree, t: TaskName, runTasks: readonly TaskName[] = []): Task | undefined {
  const exact = tree.tasks.find((x) => x.id === t.id && x.title === t.title);
  if (exact) return exact;
  const titled = tree.tasks.filter((x) => x.title === t.title);
  if (titled.length === 1) return titled[0];
  if (titled.length > 1 || t.id === null) return undefined;
  const others = new Set(runTasks.filter((r) => r.id !== t.id || r.title !== t.title).map((r) => r.title));
  const same = tree.tasks.filter((x) => x.id === t.id);
  return same.length === 1 && !others.has(same[0]!.title) ? same[0] : undefined;
}
