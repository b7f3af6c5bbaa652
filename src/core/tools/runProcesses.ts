import { readdirSync, readFileSync } from 'node:fs';
import { groupAlive, processAlive, processStartTime, signalGroup } from './processGroup.js';
import { plural } from '../text/plural.js';

/**
 * The environment variable every command of a run gets, set to the run id. A process that leaves the command's
 * process group (`setsid`, a double fork, `nohup … &`) keeps its environment, so it can still be found as the
 * run's on Linux, where /proc/<pid>/environ shows it. A process that clears its environment (`env -i`) cannot.
 */
export const RUN_MARKER = 'SPEC_AGENT_RUN';

export const runMarker = (runId: string): string => `${RUN_MARKER}=${runId}`;

/** A command's process group as the journal records it (`process.started`). */
export interface RecordedGroup {
  pgid: number;
  /** The leader's start time (Linux), so a pid reused since is not taken for the run's. */
  startTime?: string;
}

/** What to look for: a run's marker and the process groups of its commands. */
export interface RunTrace {
  runId: string;
  groups: readonly RecordedGroup[];
}

/** A live process of a run; on a system without /proc, a whole process group (pid = pgid). */
export interface RunProcess {
  runId: string;
  pid: number;
  /** Its command line, short, for the user; on a system without /proc, `process group <pgid>`. */
  command: string;
  group?: boolean;
}

/** After SIGTERM, how long a run's processes have to end before SIGKILL. */
export const END_GRACE_MS = 2000;
const POLL_MS = 50;

const hasProc = (): boolean => process.platform === 'linux';

/**
 * The live processes of the given runs: on Linux, every process with a run's marker in its environment or in
 * one of its recorded groups whose leader is the recorded one (same start time); elsewhere, the recorded groups
 * that still exist (pid reuse cannot be checked there). This process itself is never one.
 */
export function findRunProcesses(runs: readonly RunTrace[]): RunProcess[] {
  if (runs.length === 0) return [];
  if (!hasProc()) {
    return runs.flatMap((r) => r.groups.filter((g) => groupAlive(g.pgid)).map((g) => ({ runId: r.runId, pid: g.pgid, command: `process group ${g.pgid}`, group: true })));
  }
  const markers = runs.map((r) => ({ runId: r.runId, text: runMarker(r.runId) }));
  const groups = new Map<number, string>();
  for (const r of runs) for (const g of r.groups) if (leaderIsRecorded(g)) groups.set(g.pgid, r.runId);
  const found: RunProcess[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    const stat = read(`/proc/${pid}/stat`);
    if (stat === undefined) continue; // exited while we looked
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') continue;
    let runId = groups.get(Number(fields[2]));
    if (runId === undefined) {
      // Someone else's process is not readable: it cannot be ours.
      const environ = read(`/proc/${pid}/environ`);
      if (environ !== undefined) runId = markers.find((m) => `\0${environ}`.includes(`\0${m.text}\0`))?.runId;
    }
    if (runId === undefined) continue;
    const cmdline = read(`/proc/${pid}/cmdline`)?.split('\0').filter(Boolean).join(' ');
    const command = cmdline || stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    found.push({ runId, pid, command: command.length > 60 ? `${command.slice(0, 57)}...` : command });
  }
  return found;
}

/**
 * Ends the live processes of the given runs: SIGTERM, then SIGKILL after `graceMs` for what is left, and for
 * anything they started meanwhile. Returns what was found running.
 */
export async function endRunProcesses(runs: readonly RunTrace[], graceMs = END_GRACE_MS): Promise<RunProcess[]> {
  const first = findRunProcesses(runs);
  if (first.length === 0) return [];
  const all = new Map(first.map((p) => [p.pid, p]));
  for (const p of first) {
    signal(p, 'SIGTERM');
    // A stopped process would keep SIGTERM pending until it is continued.
    signal(p, 'SIGCONT');
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && first.some(alive)) await sleep(POLL_MS);
  // What is left, and what they started in the meantime, gets SIGKILL until nothing of the runs is found.
  for (let round = 0; round < 10; round++) {
    const left = findRunProcesses(runs);
    if (left.length === 0) break;
    for (const p of left) {
      if (!all.has(p.pid)) all.set(p.pid, p);
      signal(p, 'SIGKILL');
    }
    await sleep(POLL_MS);
  }
  return [...all.values()];
}

/** SIGKILL for every live process of the runs, at once: for when there is no time to wait (the host is exiting). */
export function killRunProcessesNow(runs: readonly RunTrace[]): RunProcess[] {
  const found = findRunProcesses(runs);
  for (const p of found) signal(p, 'SIGKILL');
  return found;
}

/** "2 processes", for the user. */
export const processCount = (n: number): string => plural(n, 'process', 'processes');

/** "pid 1234: sleep 1000; pid 1240: node server.js", for the user. */
export function processList(ps: ReadonlyArray<Pick<RunProcess, 'pid' | 'command' | 'group'>>): string {
  return ps.map((p) => (p.group ? p.command : `pid ${p.pid}: ${p.command}`)).join('; ');
}

function leaderIsRecorded(g: RecordedGroup): boolean {
  if (!processAlive(g.pgid)) return false;
  const now = processStartTime(g.pgid);
  return g.startTime === undefined || now === undefined || now === g.startTime;
}

function signal(p: RunProcess, sig: NodeJS.Signals): void {
  if (p.group) return signalGroup(p.pid, sig);
  try {
    process.kill(p.pid, sig);
  } catch {
    // gone already
  }
}

const alive = (p: RunProcess): boolean => (p.group ? groupAlive(p.pid) : processAlive(p.pid));

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
