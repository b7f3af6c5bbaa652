import { describe, expect, it } from 'vitest';
import { evalRunFigures, spread, totals, type EvalRun } from '../../../src/core/eval/results.js';
import { runEventSchema, type RunEvent } from '../../../src/core/runs/events.js';
import { runFigures } from '../../../src/core/runs/runFigures.js';
import { markdownReport } from '../../../src/core/eval/report.js';
import { tailOf } from '../../../src/core/eval/caseCopy.js';

function run(o: Partial<EvalRun> & Pick<EvalRun, 'case' | 'model' | 'level' | 'repeat'>): EvalRun {
  return { runId: `r-${o.case}-${o.repeat}`, status: 'completed', success: true, selfVerified: true, checks: [{ command: 'node --test check/', exitCode: 0, ok: true }], tokens: { input: 100, output: 50, total: 150 }, costUsd: null, unpricedRequests: 0, durationMs: 1000, selfCorrections: 0, gateAsks: 0, gateDenies: 0, ...o };
}

describe('eval totals', () => {
  it('spread: mean, population standard deviation and range; nothing is all zero', () => {
    expect(spread([1, 3])).toEqual({ mean: 2, sd: 1, min: 1, max: 3 });
    expect(spread([])).toEqual({ mean: 0, sd: 0, min: 0, max: 0 });
  });

  it('rates are shares of cases per repeat, then mean and spread over the repeats; other figures per run; cost only when reported', () => {
    const runs = [
      run({ case: 'a', model: 'm', level: 'balanced', repeat: 1 }),
      run({ case: 'b', model: 'm', level: 'balanced', repeat: 1, success: false, costUsd: 0.5 }),
      run({ case: 'a', model: 'm', level: 'balanced', repeat: 2 }),
      run({ case: 'b', model: 'm', level: 'balanced', repeat: 2, tokens: { input: 300, output: 150, total: 450 }, selfCorrections: 2 }),
      run({ case: 'a', model: 'm', level: 'full', repeat: 1, success: false, selfVerified: false, status: 'paused', reason: 'budget' }),
    ];
    const [balanced, full] = totals(runs, ['m', 'other'], ['balanced', 'full']);
    expect(balanced).toMatchObject({ model: 'm', level: 'balanced', runs: 4, successRate: { mean: 0.75, sd: 0.25, min: 0.5, max: 1 }, selfVerifiedRate: { mean: 1, sd: 0 }, tokens: { mean: 225, max: 450 }, costUsd: { mean: 0.5 }, selfCorrections: { mean: 0.5 } });
    expect(full).toMatchObject({ level: 'full', runs: 1, successRate: { mean: 0 }, costUsd: null });
    // A model with no runs has no row.
    expect(totals(runs, ['m', 'other'], ['balanced', 'full'])).toHaveLength(2);

    const report = markdownReport({ suite: 's', startedAt: 't0', endedAt: 't1', models: ['m'], levels: ['balanced', 'full'], repeat: 2, answers: 'deny', cases: [{ name: 'a', tasks: '1' }, { name: 'b', tasks: '1', description: 'the b case' }], runs, totals: [balanced!, full!] });
    expect(report).toContain('2 cases × 1 model × 2 levels × 2 repeats = 5 runs');
    expect(report).toContain('| m | balanced | 4 | 75% ± 25% | 100% ± 0% |');
    expect(report).toContain('| b | m | balanced | 1/2 | 2/2 | completed | 300 | 1.0 s | 1 | 0/0 |');
    expect(report).toContain('| a | m | full | 1 | r-a-1 | paused: budget |');
    expect(report).toContain('- **b** (tasks 1): the b case');
  });

  it('a cost with requests of no known price is said to be partial, never shown as the whole', () => {
    const runs = [
      run({ case: 'a', model: 'm', level: 'balanced', repeat: 1, costUsd: 0.25, unpricedRequests: 2 }),
      run({ case: 'b', model: 'm', level: 'balanced', repeat: 1, costUsd: 0.25 }),
      run({ case: 'a', model: 'm', level: 'full', repeat: 1, unpricedRequests: 3 }),
    ];
    const [balanced, full] = totals(runs, ['m'], ['balanced', 'full']);
    expect(balanced).toMatchObject({ costUsd: { mean: 0.25 }, unpricedRequests: 2 });
    expect(full).toMatchObject({ costUsd: null, unpricedRequests: 3 });
    const report = markdownReport({ suite: 's', startedAt: 't0', endedAt: 't1', models: ['m'], levels: ['balanced', 'full'], repeat: 1, answers: 'deny', cases: [{ name: 'a', tasks: '1' }, { name: 'b', tasks: '1' }], runs, totals: [balanced!, full!] });
    expect(report).toMatch(/\| m \| balanced \| 2 \| .* \| \$0\.2500 ± \$0\.0000 \+ no price known for 2 requests \|/);
    expect(report).toMatch(/\| m \| full \| 1 \| .* \| no price known for 3 requests \|/);
  });
});

describe("an eval run's figures are the run's own (core/runs/runFigures), with the hidden checks", () => {
  let seq = 0;
  const ev = (e: Record<string, unknown>): RunEvent => runEventSchema.parse({ runId: 'r1', seq: seq++, time: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(), ...e });
  const task = (id: string) => ({ id, title: `task ${id}`, line: 1 });
  const started = () => ev({ type: 'run.started', tasksFile: '/w/.kiro/specs/s/tasks.md', workspace: '/w', tasks: [task('1'), task('1.1'), task('1.2')], level: 'balanced', levelSource: 'default', model: 'replay:x' });
  const done = (id: string, verified: boolean, subtasks?: { done: number; verified: number }) => ev({ type: 'task.completed', taskId: id, summary: 's', requirements: [], verification: verified ? [{ command: 'npm test', exitCode: 0, ok: true }] : [], verified, ...(subtasks ? { subtasks } : {}) });

  it('tokens, cost (the price table counts), gate, self-corrections and selfVerified from the journal', () => {
    seq = 0;
    const events = [
      started(),
      ev({ type: 'task.started', task: task('1.1') }),
      ev({ type: 'model.usage', inputTokens: 1000, outputTokens: 100, costUsd: 0.01, costSource: 'table' }),
      ev({ type: 'gate.decided', callId: 'c1', tool: 'run_command', verdict: 'ask', rule: 'C1', reason: 'r', findings: [] }),
      done('1.1', true),
      ev({ type: 'task.started', task: task('1.2') }),
      ev({ type: 'model.usage', inputTokens: 500, outputTokens: 50 }),
      done('1.2', true),
      // The parent ticked by its sub-tasks: not a task of the figures, its sub-tasks say it.
      done('1', true, { done: 2, verified: 2 }),
      ev({ type: 'run.completed', tasksCompleted: 2 }),
    ];
    const checks = [{ command: 'node --test check/', exitCode: 0, ok: true }];
    expect(evalRunFigures(runFigures(events), checks)).toMatchObject({ runId: 'r1', status: 'completed', success: true, selfVerified: true, tokens: { input: 1500, output: 150, total: 1650 }, costUsd: 0.01, gateAsks: 1, gateDenies: 0, selfCorrections: 0 });
    // One task done without its own checks passing: not self-verified; a failed hidden check: no success.
    const unverified = events.map((e) => (e.type === 'task.completed' && e.taskId === '1.2' ? { ...e, verified: false, verification: [] } : e));
    expect(evalRunFigures(runFigures(unverified), [{ ...checks[0]!, ok: false, exitCode: 1 }])).toMatchObject({ success: false, selfVerified: false });
    // No hidden check ran (no sandbox when required): no success either.
    expect(evalRunFigures(runFigures(events), []).success).toBe(false);
  });
});

describe('the tail of a failed check', () => {
  it('keeps the failure, not the stack frames or TAP closing counts', () => {
    const tap = [
      'not ok 1 - punctuation and spaces collapse to one dash',
      '  ---',
      "  error: 'Expected values to be strictly equal'",
      "  expected: 'hello-world'",
      "  actual: 'hello---world'",
      '  stack: |-',
      '    TestContext.<anonymous> (/tmp/x/check/slug.check.test.js:6:10)',
      '    Test.runInAsyncScope (node:async_hooks:206:9)',
      '    async Test.processPendingSubtests (node:internal/test_runner/test:526:7)',
      '    node:internal/test_runner/harness:255:12',
      '  ...',
      '1..1',
      '# tests 1',
      '# pass 0',
      '# fail 1',
      '# duration_ms 80.5',
    ].join('\n');
    expect(tailOf(tap, 6)).toBe(["  error: 'Expected values to be strictly equal'", "  expected: 'hello-world'", "  actual: 'hello---world'", '  stack: |-', '  ...', '1..1'].join('\n'));
  });
});
