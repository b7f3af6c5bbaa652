import { killRunProcessesNow, type RecordedGroup, type RunTrace } from './runProcesses.js';

/**
 * The runs under way in this process, with the process groups of their commands, so that whatever ends this
 * process (a second Ctrl+C, `process.exit`, the extension host shutting down) can still end their processes:
 * an `exit` listener can only do synchronous work, so it sends SIGKILL at once.
 */
const live = new Map<string, RecordedGroup[]>();
let listening = false;

export interface TrackedRun {
  addGroup(group: RecordedGroup): void;
  readonly trace: RunTrace;
  /** The run ended (its processes were ended the patient way): nothing is left to do at exit. */
  done(): void;
}

export function trackRun(runId: string): TrackedRun {
  const groups: RecordedGroup[] = [];
  live.set(runId, groups);
  if (!listening) {
    listening = true;
    process.on('exit', killLiveRunProcessesNow);
  }
  return {
    addGroup: (g) => void groups.push(g),
    trace: { runId, groups },
    done: () => void live.delete(runId),
  };
}

/** SIGKILL for every process of every run under way in this process; returns how many there were. */
export function killLiveRunProcessesNow(): number {
  return killRunProcessesNow([...live].map(([runId, groups]) => ({ runId, groups }))).length;
}
