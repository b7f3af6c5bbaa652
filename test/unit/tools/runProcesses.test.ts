import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { processStartTime } from '../../../src/core/tools/processGroup.js';
import { runCommandTool } from '../../../src/core/tools/runCommand.js';
import { endRunProcesses, findRunProcesses, killRunProcessesNow, RUN_MARKER } from '../../../src/core/tools/runProcesses.js';
import { running, workspace } from './workspace.js';

const linux = process.platform === 'linux';
const started: ChildProcess[] = [];

/** A `sleep` in a session of its own (as a daemon would be), with `env` added to its environment. */
async function daemon(env: Record<string, string> = {}): Promise<number> {
  const child = spawn('setsid', ['sleep', '1000'], { env: { ...process.env, ...env }, stdio: 'ignore' });
  started.push(child);
  await once(child, 'spawn');
  return child.pid!;
}

afterEach(() => {
  for (const c of started.splice(0)) {
    try {
      process.kill(c.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

const runId = () => `test-${Math.random().toString(16).slice(2, 10)}`;

describe.runIf(linux)("a run's processes", () => {
  it('are found by the marker in their environment, and no one else', async () => {
    const mine = runId();
    const pid = await daemon({ [RUN_MARKER]: mine });
    const other = await daemon({ [RUN_MARKER]: `${mine}-other` });
    const unmarked = await daemon();
    expect(findRunProcesses([{ runId: mine, groups: [] }])).toEqual([{ runId: mine, pid, command: 'sleep 1000' }]);

    const ended = await endRunProcesses([{ runId: mine, groups: [] }]);
    expect(ended.map((p) => p.pid)).toEqual([pid]);
    expect(running(pid)).toBe(false);
    for (const p of [other, unmarked]) expect(running(p)).toBe(true);
  });

  it('are found by their recorded process group only while its leader is the recorded process (same start time)', async () => {
    const pid = await daemon();
    const id = runId();
    expect(findRunProcesses([{ runId: id, groups: [{ pgid: pid, startTime: 'not-its-start-time' }] }])).toEqual([]);
    const group = { pgid: pid, startTime: processStartTime(pid)! };
    expect(killRunProcessesNow([{ runId: id, groups: [group] }]).map((p) => p.pid)).toEqual([pid]);
    await expect.poll(() => running(pid)).toBe(false);
  });

  it('get SIGKILL when they ignore SIGTERM', async () => {
    const id = runId();
    const child = spawn('setsid', ['bash', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.1; done'], { env: { ...process.env, [RUN_MARKER]: id }, stdio: ['ignore', 'pipe', 'ignore'] });
    started.push(child);
    await once(child.stdout!, 'data');
    const ended = await endRunProcesses([{ runId: id, groups: [] }], 300);
    expect(ended.map((p) => p.pid)).toContain(child.pid);
    expect(running(child.pid!)).toBe(false);
    expect(findRunProcesses([{ runId: id, groups: [] }])).toEqual([]);
  });
});

describe('run_command for a run', () => {
  it("puts the run's marker in the command's environment and reports its pid (its process group) as it starts", async () => {
    const { ctx } = await workspace();
    const pids: number[] = [];
    const r = await runCommandTool.run({ command: `echo "$${RUN_MARKER}"; ps -o pgid= -p $$` }, { ...ctx, runId: 'run-1', onCommandStarted: (pid) => pids.push(pid) });
    expect(pids).toHaveLength(1);
    expect(r.output.split('\n').map((l) => l.trim().replace(/ after \d+\.\d s$/, ''))).toEqual(['exit code 0', 'run-1', String(pids[0]), '']);
  });
});
