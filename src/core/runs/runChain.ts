import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { runEventSchema } from './events.js';
import { runDir } from './journal.js';
import { listRunIds } from './runIndex.js';
import { nounFor } from '../text/plural.js';

/** A run of a chain, and the run it resumed (its `run.started` says `resumedFrom`). */
export interface ChainMember {
  runId: string;
  resumedFrom?: string;
}

/**
 * A run and the runs that resumed it, transitively, from the first run on: one piece of work. Discard, Undo discard
 * and Keep act on the whole chain, since discarding one member alone would leave the others' changes on top of
 * files put back under them (and blame the user for the later runs' changes).
 */
export interface RunChain {
  /** Every member, oldest first (run ids sort by their start time); one member for a run never resumed. */
  members: ChainMember[];
}

/** Which run each run resumed, from the first line of every journal under .kiro/runs/ (the rest is not read). */
export async function readRunLinks(workspace: string): Promise<Map<string, string | undefined>> {
  const links = new Map<string, string | undefined>();
  for (const id of await listRunIds(workspace)) {
    const first = await firstLine(join(runDir(workspace, id), 'events.jsonl'));
    if (first === undefined) continue;
    try {
      const e = runEventSchema.safeParse(JSON.parse(first));
      if (e.success && e.data.type === 'run.started') links.set(id, e.data.resumedFrom);
    } catch {
      // a journal cut off in its first line: a run that never started, in no chain
    }
  }
  return links;
}

/**
 * The chain run `runId` belongs to: up through `resumedFrom` to the first run (a run whose journal is gone ends the
 * way up, a loop is cut), then down to every run that resumed a member, transitively.
 */
export function chainOf(links: ReadonlyMap<string, string | undefined>, runId: string): RunChain {
  let root = runId;
  const seen = new Set([root]);
  for (let up = links.get(root); up !== undefined && links.has(up) && !seen.has(up); up = links.get(up)) {
    seen.add(up);
    root = up;
  }
  const children = new Map<string, string[]>();
  for (const [id, from] of links) if (from !== undefined) children.set(from, [...(children.get(from) ?? []), id]);
  const ids = new Set<string>([root]);
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      if (ids.has(child)) continue;
      ids.add(child);
      queue.push(child);
    }
  }
  if (!links.has(runId)) ids.add(runId);
  const members = [...ids].sort().map((id) => {
    const from = links.get(id);
    return from !== undefined && ids.has(from) ? { runId: id, resumedFrom: from } : { runId: id };
  });
  return { members };
}

/** The chain of run `runId` in `workspace`. */
export async function runChain(workspace: string, runId: string): Promise<RunChain> {
  return chainOf(await readRunLinks(workspace), runId);
}

/**
 * How a decision on the chain reads from the run the user picked: "discarded run A and the run that resumed it: B",
 * "discarded run B, with the run it resumed: A; the run that resumed it: C". One member: "discarded run B".
 */
export function describeChainAction(verb: string, runId: string, chain: RunChain): string {
  const byId = new Map(chain.members.map((m) => [m.runId, m]));
  const earlier: string[] = [];
  for (let up = byId.get(runId)?.resumedFrom; up !== undefined && !earlier.includes(up); up = byId.get(up)?.resumedFrom) earlier.unshift(up);
  const later = chain.members.filter((m) => m.runId !== runId && isDescendant(byId, m.runId, runId)).map((m) => m.runId);
  const others = chain.members.map((m) => m.runId).filter((id) => id !== runId && !earlier.includes(id) && !later.includes(id));
  const parts = [
    earlier.length > 0 ? `the ${nounFor(earlier.length, 'run')} it resumed: ${earlier.join(', ')}` : '',
    later.length > 0 ? `the ${nounFor(later.length, 'run')} that resumed it: ${later.join(', ')}` : '',
    others.length > 0 ? `the other ${nounFor(others.length, 'run')} of its chain: ${others.join(', ')}` : '',
  ].filter(Boolean);
  if (parts.length === 0) return `${verb} run ${runId}`;
  // Each part holds commas of its own: several are set apart with semicolons.
  return parts.length === 1 ? `${verb} run ${runId} and ${parts[0]}` : `${verb} run ${runId}, with ${parts.join('; ')}`;
}

function isDescendant(byId: ReadonlyMap<string, ChainMember>, id: string, ancestor: string): boolean {
  const seen = new Set<string>();
  for (let up = byId.get(id)?.resumedFrom; up !== undefined && !seen.has(up); up = byId.get(up)?.resumedFrom) {
    if (up === ancestor) return true;
    seen.add(up);
  }
  return false;
}

/** The first line of a file, read a block at a time: a journal's other lines (tool output) can be large. */
async function firstLine(file: string): Promise<string | undefined> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const chunks: Buffer[] = [];
    for (let position = 0; ; ) {
      const buffer = Buffer.alloc(16 * 1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      const end = chunk.indexOf(0x0a);
      if (end >= 0) {
        chunks.push(chunk.subarray(0, end));
        break;
      }
      chunks.push(chunk);
      position += bytesRead;
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    await handle.close();
  }
}
