import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { NewRunEvent } from '../../../src/core/runs/events.js';
import { Journal, readJournal } from '../../../src/core/runs/journal.js';
import { runFigures } from '../../../src/core/runs/runFigures.js';
import { HISTORY_INDEX, historyPage, readRunHistory } from '../../../src/core/runs/runHistory.js';
import { runStats } from '../../../src/core/runs/runStats.js';
import { costKnownText, runCostText } from '../../../src/core/runs/usageText.js';
import { budget } from '../../support/budget.js';

/*
 * A run whose requests were not all priced (a model not in the price table, a provider that reports no cost) has a
 * cost that is part of its cost: the history says so, as the panel header does, instead of showing the part as all.
 */

const task = (id: string) => ({ id, title: `task ${id}`, line: 1 });
const priced = (costUsd: number): NewRunEvent => ({ type: 'model.usage', inputTokens: 1000, outputTokens: 100, costUsd, costSource: 'table' });
const unpriced: NewRunEvent = { type: 'model.usage', inputTokens: 1000, outputTokens: 100 };

/** A real journal in the workspace: one task of the spec, the requests given, completed. */
function writeRun(ws: string, runId: string, usage: NewRunEvent[]): void {
  const j = Journal.open(ws, runId);
  j.append({ type: 'run.started', tasksFile: '.kiro/specs/billing/tasks.md', workspace: ws, tasks: [task('1')], level: 'balanced', levelSource: 'default', model: 'openai:gpt-x' } as NewRunEvent);
  j.append({ type: 'task.started', task: task('1') } as NewRunEvent);
  for (const u of usage) j.append(u);
  j.append({ type: 'task.completed', taskId: '1', summary: 's', requirements: [], verification: [], verified: false } as NewRunEvent);
  j.append({ type: 'run.completed', tasksCompleted: 1 });
  j.close();
}

// Oldest first: all priced ($0.03), some priced ($0.05 + 2 with no price), none priced (3 with no price).
const RUNS = { all: '20261201-100000-aaaaaa', some: '20261201-110000-bbbbbb', none: '20261201-120000-cccccc' };
const ws = mkdtempSync(join(tmpdir(), 'spec-agent-run-cost-'));

beforeAll(() => {
  writeRun(ws, RUNS.all, [priced(0.01), priced(0.02)]);
  writeRun(ws, RUNS.some, [priced(0.05), unpriced, unpriced]);
  writeRun(ws, RUNS.none, [unpriced, unpriced, unpriced]);
});

describe('a run cost with requests of no known price', () => {
  it("runFigures counts a run's unpriced requests beside the cost of its priced ones", async () => {
    const of = async (id: string) => runFigures((await readJournal(ws, id)).events);
    const all = await of(RUNS.all);
    expect(all.costUsd).toBeCloseTo(0.03);
    expect(all.unpricedRequests).toBe(0);
    const some = await of(RUNS.some);
    expect(some.costUsd).toBeCloseTo(0.05);
    expect(some.unpricedRequests).toBe(2);
    const none = await of(RUNS.none);
    expect(none.costUsd).toBeNull();
    expect(none.unpricedRequests).toBe(3);
  });

  it('the Runs view row says the cost as the header does: "+ no price known for N requests", "no price known" when none was priced', async () => {
    const { rows } = await readRunHistory(ws);
    const page = historyPage(rows, {}, 0, 10).rows;
    expect(page.map((r) => [r.runId, r.unpricedRequests])).toEqual([[RUNS.none, 3], [RUNS.some, 2], [RUNS.all, 0]]);
    expect(page.map((r) => runCostText(r.costUsd, r.unpricedRequests))).toEqual(['no price known', '$0.050 + no price known for 2 requests', '$0.030']);
    expect(runCostText(0.0004, 1)).toBe('$0.0004 + no price known for 1 request');
    expect(runCostText(null, 0)).toBeNull();
  });

  it('an index of the format before unpricedRequests is rebuilt from the journals once, then read as it is', async () => {
    const file = join(ws, '.kiro/runs', HISTORY_INDEX);
    await readRunHistory(ws);
    // The index as format 2 wrote it: no unpricedRequests, sealed as format 2 (its digest right).
    const body = readFileSync(file, 'utf8').trim().split('\n').slice(0, -1).map((l) => {
      const { unpricedRequests: _, ...old } = JSON.parse(l) as Record<string, unknown>;
      return JSON.stringify(old) + '\n';
    }).join('');
    writeFileSync(file, body + JSON.stringify({ seal: 'spec-agent-runs-index/2', sha1: createHash('sha1').update(body).digest('hex') }) + '\n');
    const { rows } = await readRunHistory(ws);
    expect(rows.map((r) => r.unpricedRequests)).toEqual([3, 2, 0]);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ seal: 'spec-agent-runs-index/3' });
    expect(lines.slice(0, -1).map((l) => (JSON.parse(l) as { unpricedRequests: number }).unpricedRequests).sort()).toEqual([0, 2, 3]);
  });

  it('runs stats: the cost per completed task says over how many runs it is known in full, in part, not at all', async () => {
    const { rows } = await readRunHistory(ws);
    const s = runStats(rows).overall;
    expect(s.costKnown).toEqual({ complete: 1, partial: 1, none: 1, unpricedRequests: 5 });
    expect(s.costPerCompletedTask).toBeCloseTo(0.08 / 3);
    expect(costKnownText(s.costKnown, s.runs)).toBe('known for 1 of 3 runs, partial for 1, none for 1; no price known for 5 requests');
    expect(runStats(rows.filter((r) => r.runId === RUNS.all)).overall.costKnown).toEqual({ complete: 1, partial: 0, none: 0, unpricedRequests: 0 });
    expect(costKnownText({ complete: 1, partial: 0, none: 0, unpricedRequests: 0 }, 1)).toBe('');
  });

  it('`runs stats` says it in its text and its --json', { timeout: budget({ cli: 2 }) }, async () => {
    const cli = (...args: string[]) => execa('node', [inject('cliPath'), ...args], { cwd: ws, reject: false });
    const json = await cli('runs', 'stats', '--json');
    expect(json.exitCode).toBe(0);
    const stats = JSON.parse(json.stdout) as { overall: { costKnown: unknown; costPerCompletedTask: number } };
    expect(stats.overall.costKnown).toEqual({ complete: 1, partial: 1, none: 1, unpricedRequests: 5 });
    expect(stats.overall.costPerCompletedTask).toBeCloseTo(0.08 / 3);
    const text = await cli('runs', 'stats');
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain('per completed task: 2,933 tokens, cost $0.0267 (known for 1 of 3 runs, partial for 1, none for 1; no price known for 5 requests)');
  });
});
