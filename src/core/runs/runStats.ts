import type { RunFigures, RunStats, StatsBlock } from './historySchema.js';

export { runStatsSchema, statsBlockSchema, type RunStats, type StatsBlock } from './historySchema.js';

export interface StatsFilter {
  spec?: string;
  /** Runs started at or after this time (ms since the epoch). */
  since?: number;
  /** The run's model as journaled (`openai:gpt-4o`), or the model without its provider (`gpt-4o`). */
  model?: string;
  /** The run's outcome ('running' and 'interrupted' included). */
  outcome?: string;
}

export function matchesFilter(r: Pick<RunFigures, 'spec' | 'startedAt' | 'model' | 'outcome'>, f: StatsFilter): boolean {
  if (f.spec !== undefined && r.spec !== f.spec) return false;
  if (f.since !== undefined && (r.startedAt === null || Date.parse(r.startedAt) < f.since)) return false;
  if (f.model !== undefined && r.model !== f.model && r.model?.slice(r.model.indexOf(':') + 1) !== f.model) return false;
  if (f.outcome !== undefined && r.outcome !== f.outcome) return false;
  return true;
}

/** The value at quantile q (0..1) of sorted numbers, by nearest rank: a figure that was measured, not interpolated. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);

/** The figures of a set of runs, added up. */
export function statsOf(runs: readonly RunFigures[]): StatsBlock {
  const tasks = { completed: 0, failed: 0, paused: 0, stopped: 0, interrupted: 0 };
  let verified = 0;
  let attempts = 0;
  let corrections = 0;
  let maxCorrections = 0;
  const times: number[] = [];
  const checks = { passed: 0, failed: 0 };
  let tokens = 0;
  let cost = 0;
  let costKnown = false;
  const known = { complete: 0, partial: 0, none: 0, unpricedRequests: 0 };
  const gate = { allow: 0, ask: 0, deny: 0 };
  const byRule = new Map<string, { allow: number; ask: number; deny: number }>();
  const approvals = { asked: 0, approved: 0, alwaysAllowed: 0, rejected: 0, unanswered: 0 };
  for (const r of runs) {
    for (const t of r.tasks) {
      if (t.outcome === 'not started') continue;
      attempts++;
      corrections += t.selfCorrections;
      maxCorrections = Math.max(maxCorrections, t.selfCorrections);
      if (t.outcome === 'running') continue;
      tasks[t.outcome]++;
      if (t.outcome === 'completed') {
        if (t.verified) verified++;
        if (t.durationMs !== null) times.push(t.durationMs);
      }
    }
    checks.passed += r.checks.passed;
    checks.failed += r.checks.failed;
    tokens += r.tokens.input + r.tokens.output;
    if (r.costUsd !== null) {
      cost += r.costUsd;
      costKnown = true;
    }
    known[r.unpricedRequests === 0 ? 'complete' : r.costUsd !== null ? 'partial' : 'none']++;
    known.unpricedRequests += r.unpricedRequests;
    gate.allow += r.gate.allow;
    gate.ask += r.gate.ask;
    gate.deny += r.gate.deny;
    for (const [rule, c] of Object.entries(r.gate.byRule)) {
      const sum = byRule.get(rule) ?? { allow: 0, ask: 0, deny: 0 };
      sum.allow += c.allow;
      sum.ask += c.ask;
      sum.deny += c.deny;
      byRule.set(rule, sum);
    }
    for (const k of Object.keys(approvals) as Array<keyof typeof approvals>) approvals[k] += r.approvals[k];
  }
  times.sort((a, b) => a - b);
  return {
    runs: runs.length,
    tasks,
    verifiedShare: ratio(verified, tasks.completed),
    checks: { ...checks, passRate: ratio(checks.passed, checks.passed + checks.failed) },
    selfCorrections: { total: corrections, perTask: ratio(corrections, attempts), max: maxCorrections },
    taskTimeMs: { median: quantile(times, 0.5), p90: quantile(times, 0.9) },
    tokensPerCompletedTask: ratio(tokens, tasks.completed),
    costPerCompletedTask: costKnown ? ratio(cost, tasks.completed) : null,
    costKnown: known,
    gate: {
      ...gate,
      // The rules that decided most first: what the gate spends its time on.
      byRule: [...byRule].map(([rule, c]) => ({ rule, ...c })).sort((a, b) => b.allow + b.ask + b.deny - (a.allow + a.ask + a.deny) || a.rule.localeCompare(b.rule)),
    },
    approvals,
  };
}

/** Overall and per spec (specs by name), over the runs the filter keeps. */
export function runStats(runs: readonly RunFigures[], filter: StatsFilter = {}): RunStats {
  const kept = runs.filter((r) => matchesFilter(r, filter));
  const bySpec = new Map<string, RunFigures[]>();
  for (const r of kept) {
    const list = bySpec.get(r.spec);
    if (list) list.push(r);
    else bySpec.set(r.spec, [r]);
  }
  return {
    overall: statsOf(kept),
    bySpec: [...bySpec].sort(([a], [b]) => a.localeCompare(b)).map(([spec, rs]) => ({ spec, stats: statsOf(rs) })),
  };
}
