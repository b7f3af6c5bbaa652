import { join } from 'node:path';
import type { RunEvent } from '../runs/events.js';
import { readJournal, RUNS_DIR } from '../runs/journal.js';
import { runIsLive } from '../runs/runLock.js';
import { loadTasks, type Task } from '../spec/index.js';
import { resumeState, taskKey, type ResumeState } from './resume.js';

/** A run cannot be resumed: the message says why and what to do instead. */
export class ResumeError extends Error {}

export interface ResumePlan {
  /** The tasks.md the run worked on. */
  file: string;
  /** Its tasks that are still to do, as tasks.md has them now. */
  tasks: Task[];
  state: ResumeState;
  started: Extract<RunEvent, { type: 'run.started' }>;
}

/**
 * What resuming run `id` means, from its journal: the same in the CLI (`runs resume`) and the Agent Activity
 * panel. Tasks the run completed, or that are ticked in tasks.md now, are not run again.
 */
export async function planResume(workspace: string, id: string): Promise<ResumePlan> {
  const journal = await readJournal(workspace, id).catch(() => {
    throw new ResumeError(`no run "${id}" in ${RUNS_DIR}; run \`spec-agent runs list\`.`);
  });
  const started = journal.events.find((e) => e.type === 'run.started');
  if (!started || started.type !== 'run.started') throw new ResumeError(`run ${id} has no run.started event; it cannot be resumed.`);
  if (journal.events.at(-1)?.type === 'run.completed') throw new ResumeError(`run ${id} completed; there is nothing to resume.`);
  if (!journal.ended && runIsLive(workspace, id)) throw new ResumeError(`run ${id} is still running (in another window or terminal); stop it first.`);
  const file = join(workspace, started.tasksFile);
  const state = resumeState(journal.events);
  const spec = await loadTasks(file);
  const tasks = started.tasks
    .map((t) => spec.tree.tasks.find((x) => x.id === t.id && x.title === t.title))
    .filter((t): t is NonNullable<typeof t> => t !== undefined && t.status !== 'done' && !state.completed.has(taskKey(t)));
  if (tasks.length === 0) throw new ResumeError(`run ${id}: its tasks are all done; there is nothing to resume.`);
  return { file, tasks, state, started };
}
