import { z } from 'zod';
import type { RunFigures } from '../runs/runFigures.js';
import type { CheckResult } from './caseCopy.js';

const checkResult = z.object({ command: z.string(), exitCode: z.number().int().nullable(), ok: z.boolean(), tail: z.string().optional() });

/** One run of one case with one model at one level: what `results.json` and `--json` hold per run. */
export const evalRunSchema = z.object({
  case: z.string(),
  model: z.string(),
  level: z.string(),
  /** 1-based. */
  repeat: z.number().int().min(1),
  runId: z.string().nullable(),
  /** How the run ended: completed, failed, paused (a budget, a limit), stopped; `error` when it could not start. */
  status: z.enum(['completed', 'failed', 'paused', 'stopped', 'running', 'error']),
  reason: z.string().optional(),
  /** Every hidden check passed. */
  success: z.boolean(),
  /** Every task it ran was completed and verified by its own verifyCommands. */
  selfVerified: z.boolean(),
  checks: z.array(checkResult),
  tokens: z.object({ input: z.number(), output: z.number(), total: z.number() }),
  /** The provider's reported cost (OpenRouter), else the price table's; null when neither knew a price. */
  costUsd: z.number().nullable(),
  /** Model requests of no known price: with them, costUsd is the priced part only (null when none was priced). */
  unpricedRequests: z.number().int(),
  durationMs: z.number(),
  selfCorrections: z.number().int(),
  gateAsks: z.number().int(),
  gateDenies: z.number().int(),
});
export type EvalRun = z.infer<typeof evalRunSchema>;

/**
 * The eval's figures of one run: the run's own figures (core/runs/runFigures.ts, the ones `runs stats` and the Runs
 * view read, so an eval and the history count a run the same way) with the hidden checks' verdict.
 */
export function evalRunFigures(f: RunFigures, checks: CheckResult[]): Omit<EvalRun, 'case' | 'model' | 'level' | 'repeat'> {
  return {
    runId: f.runId,
    // A journal cut short (its process died) reads as interrupted; a run the eval waited for did not end so.
    status: f.outcome === 'interrupted' ? 'failed' : f.outcome,
    ...(f.reason ? { reason: f.reason } : {}),
    success: checks.length > 0 && checks.every((c) => c.ok),
    // A parent ticked by its sub-tasks is not among the figures' tasks: its sub-tasks are, and say it.
    selfVerified: f.tasks.length > 0 && f.tasks.every((t) => t.outcome === 'completed' && t.verified),
    checks,
    tokens: { input: f.tokens.input, output: f.tokens.output, total: f.tokens.input + f.tokens.output },
    costUsd: f.costUsd,
    unpricedRequests: f.unpricedRequests,
    durationMs: f.durationMs ?? 0,
    selfCorrections: f.selfCorrections,
    gateAsks: f.gate.ask,
    gateDenies: f.gate.deny,
  };
}

/** Mean and spread of a figure: sd is the population standard deviation, min and max its range. */
export const spreadSchema = z.object({ mean: z.number(), sd: z.number(), min: z.number(), max: z.number() });
export type Spread = z.infer<typeof spreadSchema>;

/** The totals of one model at one level over every case and repeat. */
export const evalTotalSchema = z.object({
  model: z.string(),
  level: z.string(),
  runs: z.number().int(),
  /** The share of cases that succeeded, per repeat: its mean and spread over the repeats. */
  successRate: spreadSchema,
  selfVerifiedRate: spreadSchema,
  /** Per run. */
  tokens: spreadSchema,
  costUsd: spreadSchema.nullable(),
  /** Requests of no known price over these runs: when above 0, costUsd is a lower bound. */
  unpricedRequests: z.number().int(),
  durationMs: spreadSchema,
  selfCorrections: spreadSchema,
  gateAsks: spreadSchema,
  gateDenies: spreadSchema,
});
export type EvalTotal = z.infer<typeof evalTotalSchema>;

/** `results.json`, and the stdout of `spec-agent eval --json`. */
export const evalResultsSchema = z.object({
  suite: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  models: z.array(z.string()),
  levels: z.array(z.string()),
  repeat: z.number().int().min(1),
  answers: z.enum(['deny', 'approve']),
  cases: z.array(z.object({ name: z.string(), description: z.string().optional(), tasks: z.string() })),
  runs: z.array(evalRunSchema),
  totals: z.array(evalTotalSchema),
});
export type EvalResults = z.infer<typeof evalResultsSchema>;

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { mean: 0, sd: 0, min: 0, max: 0 };
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
  return { mean, sd, min: Math.min(...values), max: Math.max(...values) };
}

/** Per model and level, in the order given: rates per repeat (mean and spread over repeats), other figures per run. */
export function totals(runs: readonly EvalRun[], models: readonly string[], levels: readonly string[]): EvalTotal[] {
  const out: EvalTotal[] = [];
  for (const model of models)
    for (const level of levels) {
      const mine = runs.filter((r) => r.model === model && r.level === level);
      if (mine.length === 0) continue;
      const repeats = [...new Set(mine.map((r) => r.repeat))].sort((a, b) => a - b);
      const rate = (pick: (r: EvalRun) => boolean) =>
        spread(
          repeats.map((n) => {
            const of = mine.filter((r) => r.repeat === n);
            return of.filter(pick).length / of.length;
          }),
        );
      const costs = mine.flatMap((r) => (r.costUsd === null ? [] : [r.costUsd]));
      out.push({
        model,
        level,
        runs: mine.length,
        successRate: rate((r) => r.success),
        selfVerifiedRate: rate((r) => r.selfVerified),
        tokens: spread(mine.map((r) => r.tokens.total)),
        costUsd: costs.length ? spread(costs) : null,
        unpricedRequests: mine.reduce((n, r) => n + r.unpricedRequests, 0),
        durationMs: spread(mine.map((r) => r.durationMs)),
        selfCorrections: spread(mine.map((r) => r.selfCorrections)),
        gateAsks: spread(mine.map((r) => r.gateAsks)),
        gateDenies: spread(mine.map((r) => r.gateDenies)),
      });
    }
  return out;
}
