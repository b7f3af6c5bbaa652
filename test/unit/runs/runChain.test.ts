import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chainOf, describeChainAction, readRunLinks } from '../../../src/core/runs/runChain.js';

/** Journals under .kiro/runs/ whose first line is a run.started with `resumedFrom`. */
async function runs(links: Record<string, string | undefined>): Promise<string> {
  const ws = await mkdtemp(join(tmpdir(), 'spec-agent-chain-links-'));
  for (const [runId, resumedFrom] of Object.entries(links)) {
    await mkdir(join(ws, '.kiro/runs', runId), { recursive: true });
    const started = { runId, seq: 0, time: new Date().toISOString(), type: 'run.started', tasksFile: 't.md', workspace: ws, tasks: [], level: 'balanced', levelSource: 'x', model: 'replay', ...(resumedFrom ? { resumedFrom } : {}) };
    // A long second line: only the first is read.
    await writeFile(join(ws, '.kiro/runs', runId, 'events.jsonl'), `${JSON.stringify(started)}\n${'x'.repeat(100_000)}\n`);
  }
  return ws;
}

describe('the chain of a run', () => {
  it('goes up to the first run and down to every run that resumed a member, transitively (a branch included)', async () => {
    const ws = await runs({ r1: undefined, r2: 'r1', r3: 'r2', r4: 'r1', other: undefined, late: 'other' });
    const links = await readRunLinks(ws);
    const ids = (id: string) => chainOf(links, id).members.map((m) => m.runId);
    expect(ids('r3')).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(ids('r1')).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(ids('other')).toEqual(['late', 'other'].sort());
    expect(chainOf(links, 'r2').members).toEqual([{ runId: 'r1' }, { runId: 'r2', resumedFrom: 'r1' }, { runId: 'r3', resumedFrom: 'r2' }, { runId: 'r4', resumedFrom: 'r1' }]);
    expect(describeChainAction('discarded', 'r1', chainOf(links, 'r1'))).toBe('discarded run r1 and the runs that resumed it: r2, r3, r4');
    expect(describeChainAction('discarded', 'r2', chainOf(links, 'r2'))).toBe('discarded run r2, with the run it resumed: r1; the run that resumed it: r3; the other run of its chain: r4');
    expect(describeChainAction('kept the changes of', 'late', chainOf(links, 'late'))).toBe('kept the changes of run late and the run it resumed: other');
  });

  it('ends at a run whose journal is gone, and cuts a loop', async () => {
    const ws = await runs({ b: 'gone', c: 'b', x: 'y', y: 'x' });
    const links = await readRunLinks(ws);
    expect(chainOf(links, 'c').members).toEqual([{ runId: 'b' }, { runId: 'c', resumedFrom: 'b' }]);
    expect(chainOf(links, 'x').members.map((m) => m.runId)).toEqual(['x', 'y']);
    expect(describeChainAction('discarded', 'solo', chainOf(links, 'solo'))).toBe('discarded run solo');
  });
});
