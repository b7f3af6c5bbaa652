import { readdirSync, readFileSync } from 'node:fs';

/** Sends a signal to every process of a group; a group that is already gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nothing left to signal.
  }
}

/**
 * Whether any process of the group is still running. Zombies count as gone: in a container whose init does
 * not reap orphans, a killed grandchild stays a zombie for ever, and `kill(-pgid, 0)` would still succeed.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue; // exited while we looked
      }
      const fields = statFields(stat);
      if (Number(fields[2]) === pgid && !dead(fields[0])) return true;
    }
    return false;
  } catch {
    return true;
  }
}

/** Whether one process is running (not gone, not a zombie left by an init that does not reap orphans). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    return !dead(statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'))[0]);
  } catch {
    return false; // exited while we looked
  }
}

/**
 * When a process started, as the kernel counts it (Linux: `starttime`, field 22 of /proc/<pid>/stat, in clock ticks
 * since boot), or undefined where there is no /proc or no such process. A pid and its start time name one process:
 * after a reboot, or once pids wrap, the same pid belongs to another process with another start time.
 */
export function processStartTime(pid: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    // statFields starts at field 3 (state): starttime, field 22, is at index 19.
    return statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'))[19];
  } catch {
    return undefined;
  }
}

/** The fields of /proc/<pid>/stat after the command name, which may itself hold spaces and parentheses: state, ppid, pgrp, ... */
const statFields = (stat: string): string[] => stat.slice(stat.lastIndexOf(')') + 2).split(' ');
const dead = (state: string | undefined): boolean => state === 'Z' || state === 'X';
