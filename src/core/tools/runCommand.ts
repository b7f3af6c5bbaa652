import { execa } from 'execa';
import { StringDecoder } from 'node:string_decoder';
import { z } from 'zod';
import type { CommandSandbox, ConfinedCommand } from '../sandbox/commandSandbox.js';
import { commandEnvironment } from '../sandbox/environment.js';
import { OutputCapture } from './outputCapture.js';
import { OutputFile } from './outputFile.js';
import { groupAlive, signalGroup } from './processGroup.js';
import { RUN_MARKER } from './runProcesses.js';
import { defineTool, fail, type ToolResult } from './types.js';

/** After SIGTERM, how long the group has to end before SIGKILL. */
export const KILL_GRACE_MS = 2000;
/**
 * After bash exits, how long processes it left in the background may keep its output open. They would hold
 * the result back until the timeout (a server started with `&`), so past this they are stopped.
 */
export const LINGER_MS = 1000;
const POLL_MS = 50;
/** Once the group is gone, the last output still in the pipes; a process that left the group may hold them for ever. */
const DRAIN_MS = 200;

export interface RunCommandInput {
  command: string;
  timeoutSeconds?: number;
  background?: boolean;
}

export const runCommandTool = defineTool<RunCommandInput>({
  name: 'run_command',
  description:
    'Run a bash command in the workspace folder and get its exit code, duration and output (stdout and stderr; long output is cut to its beginning and end, and saved whole to a file you can read). ' +
    'Nothing can answer it: stdin is empty, CI=1, no pager, no prompts, so a command that asks fails instead of waiting. ' +
    'A long-running process (a dev server, a watcher) takes background: true: it starts and you get an id at once; read_output {id} shows what it printed since; it is ended when the task ends.',
  input: z.object({
    command: z.string().min(1).describe('a bash command line, e.g. "npm test -- --run"'),
    timeoutSeconds: z.number().positive().optional().describe('kill it after this many seconds; the default, and the most allowed, is commandTimeoutSeconds of the settings'),
    background: z.boolean().optional().describe('start it in the background and return at once with an id for read_output (for servers and watchers, which do not end)'),
  }),
  changesFiles: true,
  run: (input, ctx) => {
    const limit = ctx.commandTimeoutSeconds;
    const options: RunOptions = {
      cwd: ctx.workspaceRoot,
      timeoutSeconds: Math.min(input.timeoutSeconds ?? limit, limit),
      timeoutLimit: limit,
      ...(input.timeoutSeconds !== undefined && input.timeoutSeconds > limit ? { askedSeconds: input.timeoutSeconds } : {}),
      signal: ctx.signal,
      onOutput: ctx.onOutput,
      ...(ctx.sandbox ? { sandbox: ctx.sandbox } : {}),
      ...(ctx.passEnv ? { passEnv: ctx.passEnv } : {}),
      ...(ctx.runId ? { env: { [RUN_MARKER]: ctx.runId }, outputs: { workspace: ctx.workspaceRoot, runId: ctx.runId } } : {}),
      ...(ctx.onCommandStarted ? { onStarted: ctx.onCommandStarted } : {}),
    };
    if (!input.background) return runInProcessGroup(input.command, options);
    if (!ctx.background) return Promise.resolve(fail('background processes are not available here (they need a run to belong to); run the command without background'));
    return ctx.background.start(input.command, options, ctx.callId);
  },
});

export interface RunOptions {
  cwd: string;
  timeoutSeconds: number;
  signal: AbortSignal;
  onOutput?: (chunk: { stream: 'stdout' | 'stderr'; text: string }) => void;
  /** Confines the command (RULES.md §4); without it the command runs unconfined. */
  sandbox?: CommandSandbox;
  /** Variables kept although they look like credentials (sandbox.passEnv). */
  passEnv?: readonly string[];
  /** More environment for the command (the run's marker, runProcesses.ts). */
  env?: Record<string, string>;
  /** Called with the pid (= the pgid) as soon as the child exists, before any of its output is read. */
  onStarted?: (pid: number) => void;
  /** The most a command may run (commandTimeoutSeconds), for the hint when it timed out. */
  timeoutLimit?: number;
  /** The model's own timeout when it was over the limit and cut to it. */
  askedSeconds?: number;
  /** The run whose outputs folder keeps the whole output when the result has to cut it (outputFile.ts). */
  outputs?: { workspace: string; runId: string };
}

/**
 * Runs `bash -c command` as the leader of its own process group, streaming its output. On timeout or stop the
 * whole group gets SIGTERM, then SIGKILL after KILL_GRACE_MS if anything of it is still alive. The result
 * never waits on a process that holds the output pipes open after the group is gone.
 */
export async function runInProcessGroup(command: string, o: RunOptions): Promise<ToolResult> {
  const started = performance.now();
  if (o.signal.aborted) return notRun('stopped before it started', 0, true);

  let confined: ConfinedCommand | undefined;
  if (o.sandbox) {
    try {
      confined = await o.sandbox.confine(command);
    } catch (err) {
      // Never run unconfined what was meant to run confined.
      return notRun(`not run: ${(err as Error).message}`, performance.now() - started);
    }
  }
  // A confined command that plants what git would run outside the sandbox is stopped at once (gitGuard.ts).
  const trap = new AbortController();
  const unwatch = confined && o.sandbox ? o.sandbox.watchTraps(() => trap.abort()) : () => undefined;
  const signal = confined ? AbortSignal.any([o.signal, trap.signal]) : o.signal;
  const result = await spawnInGroup(confined ? confined.file : 'bash', confined ? confined.args : ['-c', command], commandEnvironment(process.env, o.passEnv, { ...o.env, ...confined?.env }).env, started, { ...o, signal }, confined !== undefined).finally(unwatch);
  if (!confined || !o.sandbox) return result;
  const boundaries = await o.sandbox.finished(confined.commandId, result.output).catch(() => []);
  if (boundaries.length === 0) return { ...result, data: { ...result.data, sandboxed: true } };
  return { ...result, output: `${result.output}\n${boundaries.map((b) => `[sandbox] ${b}`).join('\n')}`, data: { ...result.data, sandboxed: true, boundaries } };
}

/** A command that never ran: the result with the same data a run has, so the journal and the panel read it alike. */
const notRun = (output: string, durationMs: number, stopped = false): ToolResult =>
  fail(output, { exitCode: null, signal: null, durationMs: Math.round(durationMs), timedOut: false, stopped, outputBytes: 0, truncatedBytes: 0 });

function spawnInGroup(file: string, args: string[], env: Record<string, string>, started: number, o: RunOptions, confined: boolean): Promise<ToolResult> {
  const child = execa(file, args, {
    cwd: o.cwd,
    detached: true,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    // Exactly this environment: the user's less its credentials (RULES.md §4 S4).
    env,
    extendEnv: false,
  });
  const pid = child.pid;
  if (pid === undefined) {
    return child.then((r) => notRun(`could not start the command: ${r.shortMessage ?? r.message ?? 'unknown error'}`, 0));
  }
  // Settling is decided below from the process and its pipes; execa's own promise only must not go unhandled.
  child.catch(() => undefined);
  try {
    // Recorded before anything else happens, so a crash of this process right after still leaves the group known.
    o.onStarted?.(pid);
  } catch {
    // A listener that fails must not leave the command unwatched (and its group unkilled) behind it.
  }

  return new Promise<ToolResult>((resolve) => {
    const capture = new OutputCapture();
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let openStreams = 0;
    let why: 'timeout' | 'stop' | 'leftovers' | undefined;
    let settled = false;
    const timers = new Set<NodeJS.Timeout>();
    const later = (ms: number, fn: () => void) => {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, ms);
      timers.add(t);
    };
    let poll: NodeJS.Timeout | undefined;

    const file = o.outputs ? OutputFile.create(o.outputs.workspace, o.outputs.runId) : undefined;
    const result = (kept: boolean): ToolResult => {
      const { text, omittedBytes } = capture.result();
      const exitCode = exit?.code ?? null;
      const timedOut = why === 'timeout';
      const stopped = why === 'stop';
      const durationMs = Math.round(performance.now() - started);
      let status: string;
      if (stopped) status = `stopped after ${formatDuration(durationMs)}`;
      else if (timedOut) status = `timed out after ${o.timeoutSeconds} s (the command and everything it started were killed; ${timeoutHint(o)})`;
      else if (exitCode !== null) status = `exit code ${exitCode} after ${formatDuration(durationMs)}`;
      else status = `killed by ${exit?.signal ?? 'a signal'} after ${formatDuration(durationMs)}`;
      if (o.askedSeconds !== undefined) status += `\n[timeoutSeconds ${o.askedSeconds} was cut to ${o.timeoutSeconds}: commandTimeoutSeconds in .kiro/settings.json is the most a command may run]`;
      const saved = kept && file ? `\n[the whole output (${file.written} bytes${file.dropped ? `, of ${file.written + file.dropped}` : ''}) is in ${file.relativePath}: read it in parts with read_file, or search it with search_files]` : '';
      const notes =
        why !== 'leftovers'
          ? ''
          : confined
            ? '\n[it left processes running in the background; they were stopped: in the sandbox, what a command starts ends with it. A server or a watcher runs with run_command background: true]'
            : '\n[it left processes running in the background that held its output open; they were stopped. A server or a watcher runs with run_command background: true]';
      return {
        ok: !timedOut && !stopped && exitCode === 0,
        output: `${status}\n${text === '' ? '(no output)' : text}${notes}${saved}`,
        data: {
          exitCode,
          signal: exit?.signal ?? null,
          durationMs,
          timedOut,
          stopped,
          outputBytes: capture.total,
          truncatedBytes: omittedBytes,
          ...(why === 'leftovers' ? { backgroundKilled: true } : {}),
          ...(kept && file ? { outputFile: file.relativePath } : {}),
        },
      };
    };

    const settle = () => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      if (poll) clearInterval(poll);
      o.signal.removeEventListener('abort', onAbort);
      // Our ends of the pipes go, so a process that left the group and still holds them cannot keep them busy.
      child.stdout?.destroy();
      child.stderr?.destroy();
      // The file is kept only when the model's result leaves something out.
      if (!file) resolve(result(false));
      else void file.close(capture.result().omittedBytes > 0).then((kept) => resolve(result(kept)), () => resolve(result(false)));
    };
    const maybeSettle = () => {
      if (exit && openStreams === 0) settle();
    };

    const emit = (chunk: { stream: 'stdout' | 'stderr'; text: string }) => {
      try {
        o.onOutput?.(chunk);
      } catch {
        // A listener that fails must not leave the command unwatched (and its group unkilled) behind it.
      }
    };
    const follow = (stream: NodeJS.ReadableStream | null | undefined, name: 'stdout' | 'stderr') => {
      if (!stream) return;
      openStreams++;
      const decoder = new StringDecoder('utf8');
      stream.on('data', (chunk: Buffer) => {
        capture.add(chunk);
        file?.add(chunk);
        const text = decoder.write(chunk);
        if (text) emit({ stream: name, text });
      });
      stream.once('close', () => {
        const rest = decoder.end();
        if (rest) emit({ stream: name, text: rest });
        openStreams--;
        maybeSettle();
      });
    };
    follow(child.stdout, 'stdout');
    follow(child.stderr, 'stderr');

    child.once('exit', (code, signal) => {
      exit = { code, signal };
      maybeSettle();
      if (!settled && !why) {
        later(LINGER_MS, () => {
          if (!settled && !why) terminate('leftovers');
        });
      }
    });

    const terminate = (reason: NonNullable<typeof why>) => {
      if (why) return;
      why = reason;
      signalGroup(pid, 'SIGTERM');
      poll = setInterval(() => {
        if (groupAlive(pid)) return;
        clearInterval(poll);
        poll = undefined;
        later(DRAIN_MS, settle);
      }, POLL_MS);
      later(KILL_GRACE_MS, () => {
        if (!groupAlive(pid)) return;
        signalGroup(pid, 'SIGKILL');
        // SIGKILL cannot be refused; a process stuck in the kernel must still not hold the result for ever.
        later(1000, settle);
      });
    };

    // setTimeout fires at once past 2^31 ms; a timeout that long means none.
    const timer = setTimeout(() => terminate('timeout'), Math.min(o.timeoutSeconds * 1000, 2 ** 31 - 1));
    timers.add(timer);
    const onAbort = () => terminate('stop');
    o.signal.addEventListener('abort', onAbort, { once: true });

  });
}

/** "0.4 s", "12 s", "3 min 5 s": how long a command took, for the model. */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** What a command that timed out can do: ask for longer, or, at the settings' limit, run in the background. */
function timeoutHint(o: RunOptions): string {
  if (o.timeoutLimit === undefined || o.timeoutSeconds < o.timeoutLimit) return 'give a larger timeoutSeconds if it needs longer';
  return `${o.timeoutLimit} s is the most a command may run (commandTimeoutSeconds in .kiro/settings.json); a server or a watcher runs with background: true`;
}
