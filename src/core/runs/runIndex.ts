import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runEventSchema } from './events.js';
import { RUNS_DIR, runDir } from './journal.js';

/** What the editor needs to know of a run to offer "View changes" on the tasks it completed. */
export interface RunRecord {
  runId: string;
  workspace: string;
  /** The tasks.md the run worked on, absolute. */
  tasksFile: string;
  startedAt: string;
  /** The tasks it completed (a `task.completed` event), with their titles as the run started. */
  completed: Array<{ id: string | null; title: string }>;
}

/** The run ids under .kiro/runs/, oldest first (ids sort by their start time). */
export async function listRunIds(workspace: string): Promise<string[]> {
  const entries = await readdir(join(workspace, RUNS_DIR), { withFileTypes: true }).catch(() => []);
  return entries
    .filter((d) => d.isDirectory() && /^[A-Za-z0-9._-]+$/.test(d.name))
    .map((d) => d.name)
    .sort();
}

/**
 * A run's record from its journal. Only the first line (run.started) and the task.completed lines are parsed:
 * the rest of a journal (tool output, model text) can be large and is not needed here. Undefined when the run
 * has no readable journal.
 */
export async function readRunRecord(workspace: string, runId: string): Promise<RunRecord | undefined> {
  const text = await readFile(join(runDir(workspace, runId), 'events.jsonl'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const lines = text.split('\n');
  const first = parseLine(lines[0] ?? '');
  if (first?.type !== 'run.started') return undefined;
  const pending = [...first.tasks];
  const completed: RunRecord['completed'] = [];
  for (const line of lines) {
    // Inside a JSON string a quote is escaped, so this finds every task.completed line (and, rarely, a line with
    // such a key in a nested value, which the parse then rules out); the other lines are not parsed at all.
    if (!line.includes('"type":"task.completed"')) continue;
    const e = parseLine(line);
    if (e?.type !== 'task.completed') continue;
    const i = pending.findIndex((t) => t.id === e.taskId);
    const task = i >= 0 ? pending.splice(i, 1)[0]! : undefined;
    if (task) completed.push({ id: task.id, title: task.title });
  }
  return { runId, workspace, tasksFile: resolve(workspace, first.tasksFile), startedAt: first.time, completed };
}

function parseLine(line: string) {
  try {
    const parsed = runEventSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
