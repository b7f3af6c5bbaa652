import type { Task, TaskTree } from '../spec/index.js';
import { runTaskName as key, tasksOfRun } from './tasksOfRun.js';

/**
 * The run state a task line shows in the editor. It is drawn as a decoration at the end of the line, not as a
 * CodeLens: VS Code asks lens providers again only a debounce (≥ 250 ms, 375 ms for an extension under
 * development) after they announce a change, and drops a pending refresh when the editor loses focus, so a lens
 * said "● Running · Stop" for up to a second after the run had stopped. A decoration is set at once.
 */
export type TaskRunState = 'running' | 'stopping' | 'waiting' | 'queued' | 'stopped' | 'paused' | 'failed';

/** The run under way, as the editor needs it. */
export interface RunView {
  /** The tasks asked for (ids, or titles of un-numbered tasks); their open sub-tasks belong to the run too. */
  taskIds: readonly string[];
  current?: string;
  /** A question of the gate waits for the user. */
  waiting: boolean;
  stoppingAfterTask: boolean;
}

/** How the last run ended on the task it was running, when it did not complete: shown until the next run starts. */
export interface RunEnd {
  taskId: string;
  state: 'stopped' | 'paused' | 'failed';
}

export const TASK_RUN_LABELS: Record<TaskRunState, string> = {
  running: '● Running',
  stopping: '● Running · stops after this task',
  waiting: '● Waiting for approval',
  queued: 'Queued',
  stopped: '■ Stopped',
  paused: '⏸ Paused',
  failed: '✖ Failed',
};

/**
 * Which open task shows which state: during a run, its current task and the rest of it (queued); after a run that
 * stopped, paused or failed, the task it was on. A done task shows nothing (its box says it).
 */
export function taskRunStates(tree: TaskTree, run: RunView | undefined, end: RunEnd | undefined): Array<{ task: Task; state: TaskRunState }> {
  const open = tree.tasks.filter((t) => t.status !== 'done');
  if (run) {
    // A parent whose sub-task runs is neither running nor queued: its sub-task's line says where the run is.
    const current = open.find((t) => key(t) === run.current);
    const above = new Set<number>();
    for (let p = current?.parent ?? null; p !== null; p = tree.tasks[p]!.parent) above.add(p);
    return tasksOfRun(tree, run.taskIds).filter((t) => !above.has(t.index)).map((task) => ({
      task,
      state: key(task) !== run.current ? 'queued' : run.waiting ? 'waiting' : run.stoppingAfterTask ? 'stopping' : 'running',
    }));
  }
  if (!end) return [];
  return open.filter((t) => key(t) === end.taskId).map((task) => ({ task, state: end.state }));
}
