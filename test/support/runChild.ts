import type { ResultPromise } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEventSchema, type RunEvent } from '../../src/core/runs/events.js';

/**
 * The first event of `type` a `spec-agent run --json` child prints (it prints each event as it is journaled); fails
 * when the run ends first, with what it printed.
 */
export function firstEvent(child: ResultPromise, type: RunEvent['type']): Promise<RunEvent> {
  return new Promise<RunEvent>((done, fail) => {
    let seen = '';
    child.stderr?.on('data', (d: Buffer) => (seen += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      const line = seen.split('\n').find((l) => l.includes(`"type":"${type}"`));
      if (line) done(runEventSchema.parse(JSON.parse(line)));
    });
    void child.then(() => fail(new Error(`the run ended without ${type}:\n${seen}`)));
  });
}

/** A crash at a known point: the first event of `type`, then SIGKILL; resolves with that event once the child is gone. */
export async function killAt(child: ResultPromise, type: RunEvent['type']): Promise<RunEvent> {
  const event = await firstEvent(child, type);
  child.kill('SIGKILL');
  await child.catch(() => undefined);
  return event;
}

/** A run's journal as written on disk, every line checked. */
export const journalOf = (ws: string, runId: string): RunEvent[] =>
  readFileSync(join(ws, '.kiro/runs', runId, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => runEventSchema.parse(JSON.parse(l)));
