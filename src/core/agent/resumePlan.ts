import { join } from 'node:path';
import type { RunEvent } from '../runs/events.js';
import { readJournal, RUNS_DIR } from '../runs/journal.js';
import { runIsLive } from '../runs/runLock.js';
import { findTask, loadTasks, type Task } from '../spec/index.js';
import { recoverInterruptedRun, type Recovery } from './interruptedRun.js';
import { resumeState, taskKey, type ResumeState } from './resume.js';

/** A run cannot be resumed: the message says why and what to do instead. */
export class ResumeError extends Error {}

type RunStarted = Extract<RunEvent, { type: 'run.started' }>;

export interface ResumePlan {
  /** The tasks.md the run worked on. */
  file: string;
  /** Its tasks that are still to do, as tasks.md has them now. */
  tasks: Task[];
  state: ResumeState;
  started: RunStarted;
  /** What the resumed run will lack (an earlier run of the chain whose journal is gone), to tell the user. */
  warnings: string[];
  /** The run was cut short (no terminal event, its process gone) and is closed now, before it is resumed. */
  closed?: Recovery;
}

/**
 * What resuming run `id` means, from its journal: the same in the CLI (`runs resume`) and the Agent Activity
 * panel. Tasks the run completed, or that are ticked in tasks.md now, are not run again. A run that was itself a
 * resume is read with the runs it continued (`resumedFrom`), so the conversation and the model turns of those
 * are not lost.
 */
export async function planResume(workspace: string, id: string): Promise<ResumePlan> {
  // A run cut short is closed first, as VS Code's start-up closes one (closeInterruptedRuns): else it would stay
  // "interrupted" in every list for good, after the run that resumed it went on. Its markers go back, and this
  // resume marks its task again.
  const closed = await recoverInterruptedRun(workspace, id);
  const journal = await readJournal(workspace, id).catch(() => {
    throw new ResumeError(`no run "${id}" in ${RUNS_DIR}; run \`spec-agent runs list\`.`);
  });
  const started = startedOf(journal.events);
  if (!started) throw new ResumeError(`run ${id} has no run.started event; it cannot be resumed.`);
  if (journal.events.at(-1)?.type === 'run.completed') throw new ResumeError(`run ${id} completed; there is nothing to resume.`);
  if (!journal.ended && runIsLive(workspace, id)) throw new ResumeError(`run ${id} is still running (in another window or terminal); stop it first.`);
  const { journals, warnings } = await chainOf(workspace, id, started, journal.events);
  const file = join(workspace, started.tasksFile);
  const spec = await loadTasks(file);
  // Every run of the chain names a task as tasks.md had it then; the state names it as tasks.md has it now.
  const keyOf = (t: { id: string | null; title: string }) => {
    const now = findTask(spec.tree, t, started.tasks);
    return now ? taskKey(now) : taskKey(t);
  };
  const state = resumeState(journals, keyOf);
  const tasks: Task[] = [];
  const gone: string[] = [];
  for (const t of started.tasks) {
    const now = findTask(spec.tree, t, started.tasks);
    if (!now) {
      if (!state.completed.has(taskKey(t))) gone.push(`task ${t.id ? `${t.id} ` : ''}"${t.title}"`);
    } else if (now.status !== 'done' && !state.completed.has(taskKey(now)) && !tasks.includes(now)) tasks.push(now);
  }
  if (gone.length > 0) {
    const list = gone.length === 1 ? `${gone[0]} is` : `${gone.slice(0, -1).join(', ')} and ${gone.at(-1)} are`;
    throw new ResumeError(`run ${id}: ${list} no longer in ${started.tasksFile} (renamed or removed since the run), so the run cannot go on as it was; start the tasks again with Execute with Agent in VS Code or \`spec-agent run\`.`);
  }
  if (tasks.length === 0) throw new ResumeError(`run ${id}: its tasks are all done; there is nothing to resume.`);
  return { file, tasks, state, started, warnings, ...(closed ? { closed } : {}) };
}

function startedOf(events: readonly RunEvent[]): RunStarted | undefined {
  const e = events.find((x) => x.type === 'run.started');
  return e?.type === 'run.started' ? e : undefined;
}

/**
 * The journals of run `id` and of the runs it resumed, the first run first. The chain ends at a run that resumed
 * none; an earlier run whose journal is gone, or that worked on another tasks.md, ends it too, with a warning.
 */
async function chainOf(workspace: string, id: string, started: RunStarted, events: RunEvent[]): Promise<{ journals: RunEvent[][]; warnings: string[] }> {
  const journals = [events];
  const warnings: string[] = [];
  const seen = new Set([id]);
  let from = started.resumedFrom;
  let later = id;
  while (from !== undefined) {
    if (seen.has(from)) {
      warnings.push(`run ${later} says it resumed run ${from}, which is already in the chain; the runs before it are left out.`);
      break;
    }
    seen.add(from);
    const earlier = await readJournal(workspace, from).catch(() => undefined);
    const s = earlier && startedOf(earlier.events);
    if (!earlier || !s) {
      warnings.push(`run ${later} resumed run ${from}, whose journal is gone from ${RUNS_DIR}: the model does not get the turns of run ${from} and the runs before it back.`);
      break;
    }
    if (s.tasksFile !== started.tasksFile) {
      warnings.push(`run ${later} resumed run ${from}, which worked on ${s.tasksFile}, not ${started.tasksFile}; the runs before it are left out.`);
      break;
    }
    journals.unshift(earlier.events);
    later = from;
    from = s.resumedFrom;
  }
  return { journals, warnings };
}
