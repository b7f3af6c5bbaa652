import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../tools/processGroup.js';
import { runDir } from './journal.js';

const LOCK = 'lock.json';

/**
 * Which process runs a run, while it runs: a journal without a terminal event is either a run cut short (offer
 * Resume, Discard, Keep) or one still going in another window or a terminal (offer nothing: a second agent, or a
 * discard under its feet, would do harm). The lock tells them apart.
 */
export function lockRun(workspace: string, runId: string): () => void {
  const file = join(runDir(workspace, runId), LOCK);
  writeFileSync(file, JSON.stringify({ pid: process.pid, host: hostname() }) + '\n');
  return () => rmSync(file, { force: true });
}

/** Whether a process on this machine still runs the run (a lock from another machine counts as live). */
export function runIsLive(workspace: string, runId: string): boolean {
  let lock: { pid?: unknown; host?: unknown };
  try {
    lock = JSON.parse(readFileSync(join(runDir(workspace, runId), LOCK), 'utf8')) as typeof lock;
  } catch {
    return false;
  }
  if (typeof lock.pid !== 'number') return false;
  if (lock.host !== hostname()) return true;
  return processAlive(lock.pid);
}
