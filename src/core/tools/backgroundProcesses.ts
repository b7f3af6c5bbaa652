import { execa } from 'execa';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import type { ConfinedCommand } from '../sandbox/commandSandbox.js';
import { commandEnvironment } from '../sandbox/environment.js';
import { OutputFile } from './outputFile.js';
import { groupAlive, signalGroup } from './processGroup.js';
import { formatDuration, KILL_GRACE_MS, type RunOptions } from './runCommand.js';
import { fail, type ToolResult } from './types.js';

/** Why a background process ended: on its own, or ended by the run (its task ended, Stop, the run's end, a trap). */
export type EndedBy = 'exit' | 'task' | 'stop' | 'run' | 'trap';

export interface BackgroundEvents {
  /** It runs: after the gate, in the sandbox when there is one, its output going to `outputFile`. */
  started(p: { callId: string; id: string; command: string; pid: number; outputFile: string }): void;
  /** Its output as it arrives (the caller bounds what it journals, streamedOutput.ts). */
  output(p: { callId: string; id: string; stream: 'stdout' | 'stderr'; text: string }): void;
  ended(p: { callId: string; id: string; command: string; pid: number; exitCode: number | null; signal: string | null; durationMs: number; endedBy: EndedBy }): void;
}

/** Most of a background process's output one read_output returns; the rest waits for the next call. */
export const READ_OUTPUT_LIMIT = 16 * 1024;
const POLL_MS = 50;

interface Tracked {
  id: string;
  callId: string;
  command: string;
  pid: number;
  started: number;
  file: OutputFile;
  /** Where the next read_output without an offset starts. */
  readOffset: number;
  exit?: { code: number | null; signal: string | null; durationMs: number };
  endedBy?: EndedBy;
  /** Resolves once the process has exited and its output file is complete. */
  done: Promise<void>;
}

/**
 * The long-running processes a run's commands started with `background: true` (dev servers, watchers). Each
 * runs confined exactly as a foreground command (the gate decided before; the sandbox wraps it here), in a
 * process group of its own recorded by the run (so the host's death still ends it, liveRuns.ts), with its output
 * written to a file of the run's outputs folder. They are ended at the end of the task that started them, at
 * Stop and at the run's end: SIGTERM to the group, SIGKILL after KILL_GRACE_MS.
 */
export class BackgroundProcesses {
  private readonly all = new Map<string, Tracked>();
  private next: number;

  /** `firstId`: the number of the first id (`bg-N`); a resumed run continues after the runs it resumed. */
  constructor(
    private readonly o: { workspace: string; runId: string; events?: Partial<BackgroundEvents>; firstId?: number },
  ) {
    this.next = o.firstId ?? 1;
  }

  /** Starts `command` in the background; the result comes at once, with the id read_output takes. */
  async start(command: string, ro: RunOptions, callId = ''): Promise<ToolResult> {
    if (ro.signal.aborted) return fail('not started: the run is stopping');
    let confined: ConfinedCommand | undefined;
    if (ro.sandbox) {
      try {
        confined = await ro.sandbox.confine(command);
      } catch (err) {
        // Never run unconfined what was meant to run confined.
        return fail(`not run: ${(err as Error).message}`);
      }
    }
    const file = OutputFile.create(this.o.workspace, this.o.runId, { live: true });
    if (!file) return fail(`not run: the output of a background process goes to a file under .kiro/runs/${this.o.runId}/outputs/, and none could be made there`);
    const id = `bg-${this.next++}`;
    const started = performance.now();
    const child = execa(confined ? confined.file : 'bash', confined ? confined.args : ['-c', command], {
      cwd: ro.cwd,
      detached: true,
      stdin: 'ignore',
      buffer: false,
      reject: false,
      env: commandEnvironment(process.env, ro.passEnv, { ...ro.env, ...confined?.env }).env,
      extendEnv: false,
    });
    child.catch(() => undefined);
    const pid = child.pid;
    if (pid === undefined) {
      await file.close(false);
      const r = await child;
      // The sandbox forgets the network list it holds for the command.
      if (confined && ro.sandbox) await ro.sandbox.finished(confined.commandId, '').catch(() => []);
      return fail(`could not start the command: ${r.shortMessage ?? r.message ?? 'unknown error'}`);
    }
    try {
      // Recorded before anything else, so that a crash of this process right after still leaves the group known.
      ro.onStarted?.(pid);
    } catch {
      // A listener that fails must not leave the process untracked.
    }
    let exited!: () => void;
    const tracked: Tracked = { id, callId, command, pid, started, file, readOffset: 0, done: new Promise<void>((r) => (exited = r)) };
    this.all.set(id, tracked);
    // A confined process that plants what git would run outside the sandbox is ended at once (gitGuard.ts).
    const unwatch = confined && ro.sandbox ? ro.sandbox.watchTraps(() => void this.end(tracked, 'trap')) : () => undefined;

    let open = 0;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const finish = async () => {
      if (!exit || open > 0 || tracked.exit) return;
      unwatch();
      const durationMs = Math.round(performance.now() - started);
      tracked.exit = { code: exit.code, signal: exit.signal, durationMs };
      if (confined && ro.sandbox) {
        const notes = await ro.sandbox.finished(confined.commandId, '').catch(() => []);
        for (const n of notes) file.add(Buffer.from(`\n[sandbox] ${n}\n`));
      }
      await file.close(true);
      tracked.endedBy ??= 'exit';
      try {
        this.o.events?.ended?.({ callId, id, command, pid, exitCode: exit.code, signal: exit.signal, durationMs, endedBy: tracked.endedBy });
      } finally {
        exited();
      }
    };
    for (const [stream, name] of [
      [child.stdout, 'stdout'],
      [child.stderr, 'stderr'],
    ] as const) {
      if (!stream) continue;
      open++;
      const decoder = new StringDecoder('utf8');
      stream.on('data', (chunk: Buffer) => {
        file.add(chunk);
        this.o.events?.output?.({ callId, id, stream: name, text: decoder.write(chunk) });
      });
      stream.once('close', () => {
        const rest = decoder.end();
        if (rest) this.o.events?.output?.({ callId, id, stream: name, text: rest });
        open--;
        void finish();
      });
    }
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      // What it left behind in its group holds the pipes: the group goes with its leader.
      if (groupAlive(pid)) void this.end(tracked, tracked.endedBy ?? 'exit');
      void finish();
    });
    this.o.events?.started?.({ callId, id, command, pid, outputFile: file.relativePath });
    return {
      ok: true,
      output:
        `started in the background as ${id} (pid ${pid}); its output goes to ${file.relativePath}. read_output {"id": "${id}"} shows what it printed since the last read and whether it still runs. It is ended when this task ends.` +
        // bubblewrap gives every command a network namespace of its own (RULES.md §4 S3).
        (confined ? ' It runs in the sandbox with a network of its own: other commands cannot reach its ports, so a check that needs the server starts it in the same command.' : ''),
      data: { background: true, id, pid, outputFile: file.relativePath, ...(confined ? { sandboxed: true } : {}) },
    };
  }

  /** read_output: what `id` printed from `offset` (by default, since the last read), and whether it still runs. */
  async read(id: string, offset?: number): Promise<ToolResult> {
    const t = this.all.get(id);
    if (!t) {
      const n = /^bg-(\d+)$/.exec(id);
      if (n && Number(n[1]) < (this.o.firstId ?? 1)) return fail(`${id} was started by the run this one resumed, and ended with it; run_command with background: true starts it again${this.all.size ? ` (this run's: ${[...this.all.keys()].join(', ')})` : ''}`);
      return fail(this.all.size ? `there is no background process ${id}; there are ${[...this.all.keys()].join(', ')}` : `there is no background process ${id}: none was started in this run (run_command with background: true starts one)`);
    }
    // Looked at before the read, so "ended" is never said of a process whose last output is still unread.
    const exit = t.exit;
    const from = Math.max(0, offset ?? t.readOffset);
    const handle = await open(t.file.path, 'r');
    let bytes: Buffer;
    let size: number;
    try {
      size = (await handle.stat()).size;
      const length = Math.max(0, Math.min(READ_OUTPUT_LIMIT, size - from));
      bytes = Buffer.alloc(length);
      if (length > 0) await handle.read(bytes, 0, length, from);
    } finally {
      await handle.close();
    }
    // Never split a character: the next read starts where this one's last whole character ends.
    const text = wholeCharacters(bytes);
    const nextOffset = from + text.length;
    t.readOffset = nextOffset;
    const state = exit
      ? `${t.endedBy === 'exit' ? (exit.code !== null ? `exited with code ${exit.code}` : `killed by ${exit.signal ?? 'a signal'}`) : `ended by the run (${t.endedBy})`} after ${formatDuration(exit.durationMs)}`
      : `still running (pid ${t.pid}, for ${formatDuration(performance.now() - t.started)})`;
    const more = size - nextOffset > 0 ? `\n[${size - nextOffset} more bytes: read_output again, or read ${t.file.relativePath} with read_file]` : '';
    const body = text.length === 0 ? '(no new output)' : text.toString('utf8');
    return {
      ok: true,
      output: `${id}: ${state}; output bytes ${from}-${nextOffset} of ${size}\n${body}${more}`,
      data: { id, running: !exit, exitCode: exit?.code ?? null, offset: from, nextOffset, size },
    };
  }

  /** The workspace-relative path of `id`'s output file, for the gate. */
  outputFileOf(id: string): string | undefined {
    return this.all.get(id)?.file.relativePath;
  }

  /** The ones still running. */
  running(): Array<{ id: string; command: string; pid: number }> {
    return [...this.all.values()].filter((t) => !t.exit).map(({ id, command, pid }) => ({ id, command, pid }));
  }

  /** Ends every one still running (the task's end, Stop, the run's end); returns which were. */
  async endAll(by: Exclude<EndedBy, 'exit'>): Promise<Array<{ id: string; command: string; pid: number }>> {
    const live = [...this.all.values()].filter((t) => !t.exit);
    await Promise.all(live.map((t) => this.end(t, by)));
    return live.map(({ id, command, pid }) => ({ id, command, pid }));
  }

  /** SIGTERM to the group, SIGKILL after KILL_GRACE_MS; resolves once it exited and its output file is complete. */
  private async end(t: Tracked, by: EndedBy): Promise<void> {
    if (!t.exit) t.endedBy ??= by;
    signalGroup(t.pid, 'SIGTERM');
    // A stopped process would keep SIGTERM pending until it is continued.
    signalGroup(t.pid, 'SIGCONT');
    const deadline = Date.now() + KILL_GRACE_MS;
    while (groupAlive(t.pid) && Date.now() < deadline) await sleep(POLL_MS);
    if (groupAlive(t.pid)) signalGroup(t.pid, 'SIGKILL');
    // SIGKILL cannot be refused; a process stuck in the kernel must still not hold the run for ever.
    await Promise.race([t.done, sleep(1000)]);
  }
}

/** The bytes up to the last whole UTF-8 character. */
function wholeCharacters(b: Buffer): Buffer {
  for (let back = 1; back <= Math.min(4, b.length); back++) {
    const byte = b[b.length - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? b.subarray(0, b.length - back) : b;
  }
  return b;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
