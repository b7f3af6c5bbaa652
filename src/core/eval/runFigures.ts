import type { RunSummary } from '../runs/summary.js';
import type { CheckResult } from './caseCopy.js';
import type { EvalRun } from './results.js';

/** The figures of one run, from its summary (summary.json) and its hidden checks. */
export function runFigures(summary: RunSummary, checks: CheckResult[]): Omit<EvalRun, 'case' | 'model' | 'level' | 'repeat'> {
  const tasks = summary.tasks;
  return {
    runId: summary.runId,
    status: summary.status,
    ...(summary.reason ? { reason: summary.reason } : {}),
    success: checks.length > 0 && checks.every((c) => c.ok),
    selfVerified: tasks.length > 0 && tasks.every((t) => t.completed && t.verified === true),
    checks,
    tokens: { input: summary.tokens.input, output: summary.tokens.output, total: summary.tokens.input + summary.tokens.output },
    costUsd: summary.tokens.costUsd ?? null,
    durationMs: summary.durationMs ?? 0,
    selfCorrections: summary.selfCorrections,
    gateAsks: summary.gate.ask,
    gateDenies: summary.gate.deny,
  };
}
