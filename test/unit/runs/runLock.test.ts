import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDir } from '../../../src/core/runs/journal.js';
import { lockRun, runIsLive } from '../../../src/core/runs/runLock.js';

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
});
