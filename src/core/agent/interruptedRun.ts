import { join, relative, resolve } from 'node:path';
import { openGitStore, RunCheckpoints, fileAt } from '../checkpoints/index.js';
import type { NewRunEvent, RunEvent } from '../runs/events.js';
import { atomicWrite } from '../fs/atomicWrite.js';
import { Journal, readJournal, runDir } from '../runs/journal.js';
import { interruptionCause, VSCODE_CLOSED } from '../runs/interruption.js';
import { runIsLive } from '../runs/runLock.js';
import { findTask, parseTasks, type TaskStatus } from '../spec/index.js';
import { plural } from '../text/plural.js';
import { diskTaskFile } from './executor.js';

type RunStarted = Extract<RunEvent, { type: 'run.started' }>;


export interface Recovery {
  runId: string;
  cause: string;
  /** The tasks whose `[-]` went back to what they were before the run. */
  marks: Array<{ id: string | null; title: string; status: TaskStatus }>;
  /** The approvals that were waiting when the run ended: journaled as cancelled for the cause, not as a Stop. */
  cancelled: string[];
  /** Why the markers could not be put back (tasks.md unreadable, changed past recognition), when so. */
  marksProblem?: string;
}

/**
 * What a run cut short (its process gone: VS Code closed, the CLI killed) left is set right at the next start, as
 * the run would have on a Stop: the tasks it had marked `[-]` get their marker back (a step of its checkpoints, so a
 * discard puts it back exactly and does not take it for the user's edit), a waiting approval is journaled as
 * cancelled with the cause, and the journal ends with run.stopped, the cause as its reason and `recovered`. Resume
 * marks the task again. Undefined when the run ended, or still runs (another window, a terminal).
 */
export async function recoverInterruptedRun(workspace: string, runId: string): Promise<Recovery | undefined> {
  const journal = await readJournal(workspace, runId).catch(() => undefined);
  if (!journal || runIsLive(workspace, runId)) return undefined;
  const started = journal.events.find((e): e is RunStarted => e.type === 'run.started');
  if (!started) return undefined;
  const last = journal.events.at(-1);
  if (journal.ended) {
    // Stopped as the window closed, in time to journal it but not to get the markers onto the disk (they go
    // through the editor's document): put back now. Offered only while there was something to put back.
    if (last?.type !== 'run.stopped' || last.reason !== VSCODE_CLOSED || last.recovered) return undefined;
    const { marks, marksProblem } = await tryRestoreMarks(workspace, runId, started, journal.events);
    return marks.length > 0 || marksProblem ? { runId, cause: VSCODE_CLOSED, marks, cancelled: [], ...(marksProblem ? { marksProblem } : {}) } : undefined;
  }
  const cause = interruptionCause(started);
  const { marks, marksProblem } = await tryRestoreMarks(workspace, runId, started, journal.events);

  // A line cut off by the crash would hide every event written after it: the journal is rewritten without it first.
  if (journal.truncated) await atomicWrite(join(runDir(workspace, runId), 'events.jsonl'), journal.events.map((e) => JSON.stringify(e) + '\n').join(''));
  const out = Journal.open(workspace, runId, (last?.seq ?? -1) + 1);
  const cancelled: string[] = [];
  try {
    for (const callId of waitingApprovals(journal.events)) {
      out.append({ type: 'approval.resolved', callId, approved: false, by: 'closed', reason: cause });
      cancelled.push(callId);
    }
    const stopped: NewRunEvent = { type: 'run.stopped', reason: cause, completedSteps: finishedSteps(journal.events), recovered: true };
    out.append(stopped);
  } finally {
    out.close();
  }
  return { runId, cause, marks, cancelled, ...(marksProblem ? { marksProblem } : {}) };
}

/**
 * The one way a run cut short is closed, whoever comes to it first: VS Code's start-up, a Resume (CLI or panel, in
 * planResume), a Discard or a Keep of its chain. Each run of `runIds` that has no terminal event and no live process
 * gets what recoverInterruptedRun writes (its markers back, run.stopped with the cause and `recovered`), so
 * `runs list`, `runs stats`, the Runs view and `runs prune` all read it as ended, and none of them has to know that
 * a run was resumed to stop calling it interrupted. The runs that needed it, in the order given.
 */
export async function closeInterruptedRuns(workspace: string, runIds: readonly string[]): Promise<Recovery[]> {
  const closed: Recovery[] = [];
  for (const id of runIds) {
    const r = await recoverInterruptedRun(workspace, id);
    if (r) closed.push(r);
  }
  return closed;
}

/** "run X was cut short (cause): closed; 1 task marker put back, no waiting approval cancelled" */
export function describeRecovery(r: Recovery): string {
  return `run ${r.runId} was cut short (${r.cause}): closed; ${plural(r.marks.length, 'task marker')} put back, ${plural(r.cancelled.length, 'waiting approval')} cancelled${r.marksProblem ? `; ${r.marksProblem}` : ''}`;
}

/** The markers put back, or why not: the journal is ended all the same, so the run is not found again and again. */
async function tryRestoreMarks(workspace: string, runId: string, started: RunStarted, events: readonly RunEvent[]): Promise<{ marks: Recovery['marks']; marksProblem?: string }> {
  try {
    return { marks: await restoreMarks(workspace, runId, started, events) };
  } catch (e) {
    return { marks: [], marksProblem: `the task markers in ${started.tasksFile} were not put back: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** approval.requested without its approval.resolved: the card the user was looking at when the window went. */
function waitingApprovals(events: readonly RunEvent[]): string[] {
  const waiting = new Set<string>();
  for (const e of events) {
    if (e.type === 'approval.requested') waiting.add(e.callId);
    else if (e.type === 'approval.resolved') waiting.delete(e.callId);
  }
  return [...waiting];
}

function finishedSteps(events: readonly RunEvent[]): string[] {
  const requested = new Map<string, string>();
  const steps: string[] = [];
  for (const e of events) {
    if (e.type === 'tool.requested') {
      const i = (e.input ?? {}) as { command?: unknown; path?: unknown };
      requested.set(e.callId, `${e.tool}${typeof i.command === 'string' ? ` ${i.command}` : typeof i.path === 'string' ? ` ${i.path}` : ''}`);
    } else if (e.type === 'tool.finished' && e.ok && requested.has(e.callId)) steps.push(requested.get(e.callId)!);
  }
  return steps;
}

/**
 * Each task the run started and did not complete, still `[-]` in tasks.md, gets the marker it had before the run (in
 * the run's first checkpoint). One the run found `[-]` because an earlier run of its chain left it so goes back to
 * `[ ]`. Without checkpoints (no git), `[ ]`.
 */
async function restoreMarks(workspace: string, runId: string, started: RunStarted, events: readonly RunEvent[]): Promise<Recovery['marks']> {
  const completed = new Set(events.flatMap((e) => (e.type === 'task.completed' ? [e.taskId ?? ''] : [])));
  const begun = events.flatMap((e) => (e.type === 'task.started' && !completed.has(e.task.id ?? '') ? [e.task] : []));
  if (begun.length === 0) return [];
  const file = resolve(workspace, started.tasksFile);
  const access = diskTaskFile(file);
  const now = await access.read();
  const stale = begun.filter((t) => findTask(now.tree, t, started.tasks)?.status === 'in_progress');
  if (stale.length === 0) return [];
  const checkpoints = await openGitStore(workspace)
    .then((store) => RunCheckpoints.open(store, runId).then((run) => ({ store, run })))
    .catch(() => undefined);
  const before = checkpoints ? await fileAt(checkpoints.store, checkpoints.run.data.base, relative(checkpoints.store.workTree, file).split('\\').join('/')).catch(() => null) : null;
  const beforeTree = before ? parseTasks(before.toString('utf8')) : undefined;
  const marks: Recovery['marks'] = [];
  const label = `mark ${stale.map((t) => `task ${t.id ?? t.title}`).join(', ')} back: ${interruptionCause(started)}`;
  await checkpoints?.run.beforeStep(label);
  try {
    for (const t of stale) {
      const was = beforeTree ? findTask(beforeTree, t, started.tasks)?.status : undefined;
      const status: TaskStatus = was === undefined || (was === 'in_progress' && started.resumedFrom !== undefined) ? 'todo' : was;
      // Read again for each: a marker set moves no other task, but the file's hash must be the one written last.
      const spec = await access.read();
      const task = findTask(spec.tree, t, started.tasks);
      if (!task || task.status !== 'in_progress' || status === 'in_progress') continue;
      await spec.setStatus(task, status);
      marks.push({ id: t.id, title: t.title, status });
    }
  } finally {
    await checkpoints?.run.afterStep(label);
  }
  return marks;
}
