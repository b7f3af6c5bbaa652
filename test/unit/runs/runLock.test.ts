import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDir } from '../../../src/core/runs/journal.js';
import { liveRunIn, lockRun, lockWorkspace, RunInProgressError, runIsLive } from '../../../src/core/runs/runLock.js';
import { processStartTime } from '../../../src/core/tools/processGroup.js';

describe('run lock', () => {
  const ws = mkdtempSync(join(tmpdir(), 'spec-agent-lock-'));
  const dir = (id: string) => {
    mkdirSync(runDir(ws, id), { recursive: true });
    return runDir(ws, id);
  };

  it('is live while this process holds it, and not once released', () => {
    dir('a');
    const unlock = lockRun(ws, 'a');
    expect(runIsLive(ws, 'a')).toBe(true);
    unlock();
    expect(runIsLive(ws, 'a')).toBe(false);
  });

  it('is not live when the process that held it is gone (a crash or a reload)', () => {
    const gone = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    writeFileSync(join(dir('b'), 'lock.json'), JSON.stringify({ pid: Number(gone), host: hostname() }));
    expect(runIsLive(ws, 'b')).toBe(false);
  });

  it('counts a lock from another machine as live (its process cannot be checked from here)', () => {
    writeFileSync(join(dir('c'), 'lock.json'), JSON.stringify({ pid: 1, host: 'another-machine' }));
    expect(runIsLive(ws, 'c')).toBe(true);
  });

  it.runIf(process.platform === 'linux')('is not live when its pid now belongs to another process (a reboot, pids wrapped)', () => {
    const file = join(dir('d'), 'lock.json');
    const unlock = lockRun(ws, 'd');
    const lock = JSON.parse(readFileSync(file, 'utf8'));
    expect(lock).toMatchObject({ pid: process.pid, startTime: processStartTime(process.pid) });
    // The same pid, running since another time: another process.
    writeFileSync(file, JSON.stringify({ ...lock, startTime: String(Number(lock.startTime) + 1) }));
    expect(runIsLive(ws, 'd')).toBe(false);
    // A lock written before start times were stored keeps the pid check alone.
    writeFileSync(file, JSON.stringify({ pid: process.pid, host: hostname() }));
    expect(runIsLive(ws, 'd')).toBe(true);
    unlock();
  });
});

describe('the workspace lock', () => {
  const workspace = () => mkdtempSync(join(tmpdir(), 'spec-agent-wslock-'));

  it('lets one run at a time take it, names the live run to the next, and is free again once released', () => {
    const ws = workspace();
    const release = lockWorkspace(ws, 'first');
    expect(liveRunIn(ws)).toEqual({ runId: 'first', pid: process.pid, host: hostname(), lockFile: join(ws, '.kiro/runs/.lock') });
    const err = (() => {
      try {
        lockWorkspace(ws, 'second');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(RunInProgressError);
    expect((err as Error).message).toBe(`run first is under way in this workspace (pid ${process.pid}, started from another window or a terminal); stop it there, or wait for it to end; if it is not running any more, delete ${join(ws, '.kiro/runs/.lock')}`);
    release();
    expect(existsSync(join(ws, '.kiro/runs/.lock'))).toBe(false);
    expect(liveRunIn(ws)).toBeUndefined();
    lockWorkspace(ws, 'second')();
  });

  it('takes over a lock left by a process that is gone', () => {
    const ws = workspace();
    mkdirSync(join(ws, '.kiro/runs'), { recursive: true });
    const gone = Number(spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim());
    writeFileSync(join(ws, '.kiro/runs/.lock'), JSON.stringify({ pid: gone, host: hostname(), runId: 'crashed' }));
    expect(liveRunIn(ws)).toBeUndefined();
    const release = lockWorkspace(ws, 'next');
    expect(JSON.parse(readFileSync(join(ws, '.kiro/runs/.lock'), 'utf8'))).toMatchObject({ runId: 'next', pid: process.pid });
    release();
  });

  it('takes no lock it cannot read while it is fresh (being written), and takes over an old unreadable one', () => {
    const ws = workspace();
    mkdirSync(join(ws, '.kiro/runs'), { recursive: true });
    const file = join(ws, '.kiro/runs/.lock');
    writeFileSync(file, '');
    expect(() => lockWorkspace(ws, 'mine')).toThrow(`another run is starting in this workspace; stop it there, or wait for it to end; if it is not running any more, delete ${file}`);
    expect(readFileSync(file, 'utf8')).toBe('');
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    const release = lockWorkspace(ws, 'mine');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ runId: 'mine', pid: process.pid });
    release();
    // No temp file of the two-step creation is left beside it.
    expect(readdirSync(join(ws, '.kiro/runs')).filter((f) => f.startsWith('.lock'))).toEqual([]);
  });

  it('names the file to delete when the run that holds it lives on a machine that is gone', () => {
    const ws = workspace();
    mkdirSync(join(ws, '.kiro/runs'), { recursive: true });
    writeFileSync(join(ws, '.kiro/runs/.lock'), JSON.stringify({ pid: 1, host: 'old-container', runId: 'theirs' }));
    expect(() => lockWorkspace(ws, 'mine')).toThrow(`run theirs is under way in this workspace (pid 1 on old-container, started from another window or a terminal); stop it there, or wait for it to end; if it is not running any more (old-container is gone), delete ${join(ws, '.kiro/runs/.lock')}`);
  });

  it('is refused while a run of another process holds only its own run lock (a window of an earlier version)', async () => {
    const ws = workspace();
    const other = spawn('sleep', ['30']);
    try {
      mkdirSync(runDir(ws, 'theirs'), { recursive: true });
      writeFileSync(join(runDir(ws, 'theirs'), 'lock.json'), JSON.stringify({ pid: other.pid, host: hostname(), startTime: processStartTime(other.pid!) }));
      expect(liveRunIn(ws)).toEqual({ runId: 'theirs', pid: other.pid, host: hostname(), lockFile: join(runDir(ws, 'theirs'), 'lock.json') });
      expect(() => lockWorkspace(ws, 'mine')).toThrow(/^run theirs is under way in this workspace \(pid \d+,/);
      // Refused without leaving its lock behind.
      expect(existsSync(join(ws, '.kiro/runs/.lock'))).toBe(false);
    } finally {
      other.kill('SIGKILL');
    }
  });
});
