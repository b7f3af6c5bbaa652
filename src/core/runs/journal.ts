import { closeSync, fsyncSync, mkdirSync, openSync, writeFileSync, writeSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isTerminal, isTransient, runEventSchema, type NewRunEvent, type RunEvent } from './events.js';

export const RUNS_DIR = '.kiro/runs';

export function runDir(workspace: string, runId: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(runId)) throw new Error(`invalid run id ${JSON.stringify(runId)}`);
  return join(workspace, RUNS_DIR, runId);
}

/** Creates .kiro/runs/ with its .gitignore: run journals and locks are local state, kept out of the user's commits. */
export function ensureRunsDir(workspace: string): void {
  const root = join(workspace, RUNS_DIR);
  mkdirSync(root, { recursive: true });
  if (!existsSync(join(root, '.gitignore'))) writeFileSync(join(root, '.gitignore'), '*\n');
}

/** Sortable, unique enough, safe in a path: `20261125-100512-3f9a1c`. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${Math.random().toString(16).slice(2, 8)}`;
}

/**
 * The append-only journal of a run: `.kiro/runs/<run-id>/events.jsonl`, one event a line. `append` writes
 * synchronously, so an event is in the file (the OS has it, a crash of this process cannot lose it) before the
 * step it describes is dispatched. Terminal events are also flushed to disk.
 */
export class Journal {
  private fd: number | undefined;
  private seq: number;

  private constructor(
    readonly workspace: string,
    readonly runId: string,
    nextSeq: number,
    private readonly listeners: Array<(e: RunEvent) => void>,
  ) {
    this.seq = nextSeq;
  }

  /** Opens a new journal, or an existing one to continue it (resume). */
  static open(workspace: string, runId: string, nextSeq = 0): Journal {
    ensureRunsDir(workspace);
    mkdirSync(runDir(workspace, runId), { recursive: true });
    const journal = new Journal(workspace, runId, nextSeq, []);
    journal.fd = openSync(join(runDir(workspace, runId), 'events.jsonl'), 'a');
    return journal;
  }

  onEvent(listener: (e: RunEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  get nextSeq(): number {
    return this.seq;
  }

  /** Writes the event, then tells the listeners; a transient event (events.ts) only goes to the listeners. */
  append(event: NewRunEvent): RunEvent {
    if (this.fd === undefined) throw new Error(`the journal of run ${this.runId} is closed`);
    if (isTransient(event)) {
      const live = runEventSchema.parse({ ...event, runId: this.runId, seq: Math.max(0, this.seq - 1), time: new Date().toISOString() });
      for (const l of this.listeners) l(live);
      return live;
    }
    const full = runEventSchema.parse({ ...event, runId: this.runId, seq: this.seq, time: new Date().toISOString() });
    writeSync(this.fd, JSON.stringify(full) + '\n');
    this.seq++;
    if (isTerminal(full)) fsyncSync(this.fd);
    for (const l of this.listeners) l(full);
    return full;
  }

  close(): void {
    if (this.fd === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }
}

export interface ReadJournal {
  events: RunEvent[];
  /** A problem at the end of the file (a line cut off by a crash), or undefined. */
  truncated: string | undefined;
  /** True when the journal ends with run.completed, run.failed or run.stopped. */
  ended: boolean;
}

/** Reads a journal up to its last whole, valid event; a line cut off mid-way (a crash) ends the reading. */
export async function readJournal(workspace: string, runId: string): Promise<ReadJournal> {
  const text = await readFile(join(runDir(workspace, runId), 'events.jsonl'), 'utf8');
  const events: RunEvent[] = [];
  let truncated: string | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const last = i === lines.length - 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      truncated = `line ${i + 1} is ${last ? 'cut off' : 'not valid JSON'}; the journal is read up to line ${i}`;
      break;
    }
    const ok = runEventSchema.safeParse(parsed);
    if (!ok.success) {
      truncated = `line ${i + 1} is not a run event (${ok.error.issues[0]?.path.join('.')}: ${ok.error.issues[0]?.message}); the journal is read up to line ${i}`;
      break;
    }
    events.push(ok.data);
  }
  return { events, truncated, ended: events.length > 0 && isTerminal(events.at(-1)!) };
}
