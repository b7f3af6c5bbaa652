import { endRunProcesses, processCount, processList, type RecordedGroup, type RunProcess } from '../tools/runProcesses.js';
import { readJournal } from './journal.js';
import { runIsLive } from './runLock.js';

export interface LeftBehind {
  runId: string;
  processes: RunProcess[];
}

/**
 * Ends the processes that runs cut short (the CLI killed with SIGKILL, the extension host gone: no terminal
 * event, and no live process holds their lock) left running: their commands' recorded process groups, and on
 * Linux every process with their marker. A live run, or one that ended (it ended its own), is left alone.
 */
export async function endInterruptedRunProcesses(workspace: string, runIds: readonly string[]): Promise<LeftBehind[]> {
  const traces = [];
  for (const runId of runIds) {
    const journal = await readJournal(workspace, runId).catch(() => undefined);
    if (!journal || journal.ended || runIsLive(workspace, runId)) continue;
    const groups: RecordedGroup[] = journal.events.flatMap((e) => (e.type === 'process.started' ? [{ pgid: e.pgid, ...(e.startTime ? { startTime: e.startTime } : {}) }] : []));
    traces.push({ runId, groups });
  }
  return endRecordedRunProcesses(traces);
}

/**
 * The same, for runs already known to be cut short, with the process groups their journals recorded (the runs
 * index keeps them: readRunHistory's `cutShort`), so no journal is read again.
 */
export async function endRecordedRunProcesses(traces: ReadonlyArray<{ runId: string; groups: RecordedGroup[] }>): Promise<LeftBehind[]> {
  if (traces.length === 0) return [];
  const ended = await endRunProcesses(traces);
  return traces.map((t) => ({ runId: t.runId, processes: ended.filter((p) => p.runId === t.runId) })).filter((l) => l.processes.length > 0);
}

/** "run X left 1 process running (pid 1234: sleep 1000): ended" */
export function describeLeftBehind(l: LeftBehind): string {
  return `run ${l.runId} left ${processCount(l.processes.length)} running (${processList(l.processes)}): ended`;
}
