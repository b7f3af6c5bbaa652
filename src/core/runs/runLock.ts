import { linkSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { processAlive, processStartTime } from '../tools/processGroup.js';
import { ensureRunsDir, runDir, RUNS_DIR } from './journal.js';

const LOCK = 'lock.json';
/** The workspace's lock: at most one live run per workspace, whatever window or terminal started it. */
const WORKSPACE_LOCK = '.lock';

interface LockData {
  pid: number;
  host: string;
  /** The process's start time (Linux), so a pid reused after a reboot does not count as the run's. */
  startTime?: string;
  runId?: string;
}

/** Another run is under way in the workspace: a second agent on the same files would mix both runs' work. */
export class RunInProgressError extends Error {
  constructor(readonly live: LiveRun) {
    const elsewhere = live.host !== hostname();
    // A lock from another machine (a container rebuilt under another name) cannot be checked from here: say which
    // file holds the workspace, so a user whose run is gone for good is not locked out.
    const stale = live.lockFile ? `; if it is not running any more${elsewhere ? ` (${live.host} is gone)` : ''}, delete ${live.lockFile}` : '';
    const who = live.pid === undefined ? 'another run is starting in this workspace' : `run ${live.runId} is under way in this workspace (pid ${live.pid}${elsewhere ? ` on ${live.host}` : ''}, started from another window or a terminal)`;
    super(`${who}; stop it there, or wait for it to end${stale}`);
  }
}

export interface LiveRun {
  runId: string;
  /** Unknown while its lock cannot be read yet. */
  pid?: number;
  host: string;
  /** The lock file that says so. */
  lockFile?: string;
}

const thisProcess = (runId?: string): LockData => {
  const startTime = processStartTime(process.pid);
  return { pid: process.pid, host: hostname(), ...(startTime ? { startTime } : {}), ...(runId ? { runId } : {}) };
};

/**
 * Which process runs a run, while it runs: a journal without a terminal event is either a run cut short (offer
 * Resume, Discard, Keep) or one still going in another window or a terminal (offer nothing: a second agent, or a
 * discard under its feet, would do harm). The lock tells them apart.
 */
export function lockRun(workspace: string, runId: string): () => void {
  const file = join(runDir(workspace, runId), LOCK);
  writeFileSync(file, JSON.stringify(thisProcess()) + '\n');
  return () => rmSync(file, { force: true });
}

/** Whether a process on this machine still runs the run (a lock from another machine counts as live). */
export function runIsLive(workspace: string, runId: string): boolean {
  return lockIsLive(readLock(join(runDir(workspace, runId), LOCK)));
}

function readLock(file: string): LockData | undefined {
  try {
    return parseLock(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function parseLock(text: string): LockData | undefined {
  try {
    const lock = JSON.parse(text) as Partial<Record<keyof LockData, unknown>>;
    if (typeof lock.pid !== 'number' || typeof lock.host !== 'string') return undefined;
    return { pid: lock.pid, host: lock.host, ...(typeof lock.startTime === 'string' ? { startTime: lock.startTime } : {}), ...(typeof lock.runId === 'string' ? { runId: lock.runId } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * A lock is live while its process runs: the same pid, and (where /proc tells) the same start time, since after a
 * reboot the pid may belong to another process. A lock from another machine cannot be checked from here: live.
 */
function lockIsLive(lock: LockData | undefined): boolean {
  if (!lock) return false;
  if (lock.host !== hostname()) return true;
  if (!processAlive(lock.pid)) return false;
  const now = processStartTime(lock.pid);
  return lock.startTime === undefined || now === undefined || now === lock.startTime;
}

/** The run under way in the workspace, started from any window or terminal, if one is. */
export function liveRunIn(workspace: string): LiveRun | undefined {
  const file = join(workspace, RUNS_DIR, WORKSPACE_LOCK);
  const held = readLock(file);
  if (held?.runId && lockIsLive(held)) return { runId: held.runId, pid: held.pid, host: held.host, lockFile: file };
  return liveRunDir(workspace);
}

/** A run whose own lock is live (a run started by a version without the workspace lock holds only this one). */
function liveRunDir(workspace: string, except?: string): LiveRun | undefined {
  let ids: string[];
  try {
    ids = readdirSync(join(workspace, RUNS_DIR), { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== except && /^[A-Za-z0-9._-]+$/.test(d.name))
      .map((d) => d.name);
  } catch {
    return undefined;
  }
  for (const runId of ids) {
    const file = join(runDir(workspace, runId), LOCK);
    const lock = readLock(file);
    if (lock && lockIsLive(lock)) return { runId, pid: lock.pid, host: lock.host, lockFile: file };
  }
  return undefined;
}

/**
 * Takes the workspace's lock for a run about to start, or throws RunInProgressError when another run is live in
 * the workspace. The lock file is created whole and exclusively (`createWhole`), so of two runs starting at once
 * only one gets it; a lock left by a process that is gone is taken over. Returns the release.
 */
export function lockWorkspace(workspace: string, runId: string): () => void {
  ensureRunsDir(workspace);
  const file = join(workspace, RUNS_DIR, WORKSPACE_LOCK);
  const text = JSON.stringify(thisProcess(runId)) + '\n';
  for (let attempt = 0; ; attempt++) {
    try {
      createWhole(file, text);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw err;
    }
    let found: string;
    let age: number;
    try {
      found = readFileSync(file, 'utf8');
      age = Date.now() - statSync(file).mtimeMs;
    } catch {
      continue; // released while we looked
    }
    const held = parseLock(found);
    if (held && lockIsLive(held)) throw new RunInProgressError({ runId: held.runId ?? '(starting)', pid: held.pid, host: held.host, lockFile: file });
    // Unreadable: cut off by a crash (taken over once old), or being written by something else (not while fresh).
    if (!held && age < 10_000) throw new RunInProgressError({ runId: '(starting)', host: hostname(), lockFile: file });
    takeOver(file, found);
  }
  const release = () => {
    try {
      // Only our own lock: one taken over by another process after ours was deemed stale is not ours to remove.
      if (readFileSync(file, 'utf8') === text) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
  const other = liveRunDir(workspace, runId);
  if (other) {
    release();
    throw new RunInProgressError(other);
  }
  return release;
}

/** Moves a stale lock aside, unless another process replaced it meanwhile (then it is put back). */
function takeOver(file: string, stale: string): void {
  const aside = `${file}.${process.pid}.${Math.random().toString(16).slice(2, 8)}`;
  try {
    renameSync(file, aside);
  } catch {
    return; // another process took it over first
  }
  try {
    if (readFileSync(aside, 'utf8') !== stale) {
      // A fresh lock of another run: back where it was, unless yet another one appeared (then that one holds).
      try {
        linkSync(aside, file);
      } catch {
        // EEXIST
      }
    }
  } finally {
    rmSync(aside, { force: true });
  }
}

/**
 * Creates `file` with `text` in one step, or fails with EEXIST: written to a file of its own first, then linked in
 * place, so no other process can ever read it empty or half-written and take it for a stale lock.
 */
function createWhole(file: string, text: string): void {
  const temp = `${file}.${process.pid}.${Math.random().toString(16).slice(2, 8)}.new`;
  writeFileSync(temp, text);
  try {
    linkSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
  }
}
