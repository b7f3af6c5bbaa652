import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ToolDefinition, ToolResult } from './types.js';

/** What goes back to the model: the head and the tail, with the size of what was left out. */
export const OUTPUT_HEAD_BYTES = 16 * 1024;
export const OUTPUT_TAIL_BYTES = 16 * 1024;
const KILL_GRACE_MS = 2000;

export const runCommandTool: ToolDefinition<{ command: string; timeoutSeconds?: number }> = {
  name: 'run_command',
  description: 'Run a shell command (bash) in the workspace folder and get its exit code and output. Long output is shortened to its beginning and end.',
  input: z.object({ command: z.string().min(1), timeoutSeconds: z.number().int().positive().max(24 * 3600).optional() }),
  changesFiles: true,
  run: (input, ctx) => runInGroup(input.command, ctx.workspaceRoot, input.timeoutSeconds ?? ctx.commandTimeoutSeconds, ctx.signal, ctx.onOutput),
};

class OutputCapture {
  head = '';
  tail = '';
  total = 0;

  add(text: string): void {
    this.total += Buffer.byteLength(text);
    if (this.head.length < OUTPUT_HEAD_BYTES) {
      const room = OUTPUT_HEAD_BYTES - this.head.length;
      this.head += text.slice(0, room);
      text = text.slice(room);
    }
    if (text) this.tail = (this.tail + text).slice(-OUTPUT_TAIL_BYTES);
  }

  toString(): string {
    const kept = Buffer.byteLength(this.head) + Buffer.byteLength(this.tail);
    const omitted = this.total - kept;
    return omitted > 0 ? `${this.head}\n[... ${omitted} bytes omitted ...]\n${this.tail}` : this.head + this.tail;
  }
}

/**
 * Runs `bash -c command` in its own process group, streaming output. On timeout or stop the whole group gets
 * SIGTERM, then SIGKILL 2 s later if anything of it is still alive; the result does not wait for grandchildren
 * that hold the pipes open after that.
 */
export async function runInGroup(
  command: string,
  cwd: string,
  timeoutSeconds: number,
  signal: AbortSignal,
  onOutput?: (chunk: { stream: 'stdout' | 'stderr'; text: string }) => void,
): Promise<ToolResult> {
  const started = performance.now();
  if (signal.aborted) return { ok: false, output: 'stopped before it started', data: { stopped: true, exitCode: null } };
  const child = execa('bash', ['-c', command], {
    cwd,
    detached: true,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    env: { PAGER: 'cat', GIT_PAGER: 'cat', GIT_TERMINAL_PROMPT: '0' },
    cleanup: true,
  });
  const capture = new OutputCapture();
  const pipe = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    capture.add(text);
    onOutput?.({ stream, text });
  };
  child.stdout?.on('data', pipe('stdout'));
  child.stderr?.on('data', pipe('stderr'));

  let timedOut = false;
  let stopped = false;
  let killTimer: NodeJS.Timeout | undefined;
  let groupGone: () => void = () => undefined;
  const killed = new Promise<void>((resolve) => {
    groupGone = resolve;
  });
  const killGroup = () => {
    if (killTimer || child.pid === undefined) return;
    signalGroup(child.pid, 'SIGTERM');
    killTimer = setTimeout(() => {
      signalGroup(child.pid!, 'SIGKILL');
      setTimeout(groupGone, 100);
    }, KILL_GRACE_MS);
    // A group that ends on SIGTERM ends the wait early.
    const poll = setInterval(() => {
      if (!groupAlive(child.pid!)) {
        clearInterval(poll);
        groupGone();
      }
    }, 50);
    void killed.then(() => clearInterval(poll));
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, timeoutSeconds * 1000);
  const onAbort = () => {
    stopped = true;
    killGroup();
  };
  signal.addEventListener('abort', onAbort, { once: true });

  try {
    // After a kill, grandchildren may keep stdout open: stop waiting once the group is gone.
    const result = await Promise.race([child, killed.then(() => undefined)]);
    const exitCode = result && typeof result.exitCode === 'number' ? result.exitCode : null;
    const sig = result?.signal ?? (killTimer ? 'SIGTERM' : undefined);
    const durationMs = Math.round(performance.now() - started);
    const head = stopped ? 'stopped' : timedOut ? `timed out after ${timeoutSeconds} s` : `exit code ${exitCode}`;
    const output = capture.toString();
    return {
      ok: !stopped && !timedOut && exitCode === 0,
      output: `${head}\n${output}`,
      data: { exitCode, signal: sig ?? null, durationMs, timedOut, stopped, outputBytes: capture.total, truncatedBytes: Math.max(0, capture.total - OUTPUT_HEAD_BYTES - OUTPUT_TAIL_BYTES) },
    };
  } finally {
    clearTimeout(timer);
    if (killTimer) clearTimeout(killTimer);
    groupGone();
    signal.removeEventListener('abort', onAbort);
    if (child.pid !== undefined && groupAlive(child.pid)) signalGroup(child.pid, 'SIGKILL');
  }
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}

/**
 * Whether any process of the group is still running. On Linux, zombies count as gone: in a container whose
 * init does not reap orphans, a killed grandchild stays a zombie, and `kill(-pgid, 0)` would still succeed.
 */
export function groupAlive(pgid: number): boolean {
  if (process.platform === 'linux') {
    try {
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
      }
      return false;
    } catch {
      // fall through to the portable check
    }
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
