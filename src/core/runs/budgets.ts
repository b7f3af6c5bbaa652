import { formatUsd } from '../models/prices.js';
import type { AgentSettings } from '../settings/schema.js';

/**
 * The budgets of .kiro/settings.json that pause a run (issue 13), and the flag that raises each for one run: part of
 * the run's vocabulary (run.paused, budget.raised, the panel's Resume with a raised limit).
 */
export const BUDGETS = ['maxTurnsPerTask', 'maxTokensPerTask', 'maxMinutesPerTask', 'maxCostPerRun'] as const;
export type BudgetSetting = (typeof BUDGETS)[number];
export type RaisedBudgets = Partial<Record<BudgetSetting, number>>;

export const BUDGET_FLAGS: Record<BudgetSetting, string> = {
  maxTurnsPerTask: '--max-turns-per-task',
  maxTokensPerTask: '--max-tokens-per-task',
  maxMinutesPerTask: '--max-minutes-per-task',
  maxCostPerRun: '--max-cost-per-run',
};

/**
 * The settings with the limits raised for this run: a raise never lowers a limit the settings file has since
 * raised further, and a budget the file leaves out (no limit) stays without one.
 */
/** Two sets of raised limits as one: each limit at the higher of the two. */
export function higherOf(a: RaisedBudgets, b: RaisedBudgets): RaisedBudgets {
  const out: RaisedBudgets = { ...a };
  for (const k of BUDGETS) {
    const v = b[k];
    if (v !== undefined) out[k] = Math.max(v, out[k] ?? v);
  }
  return out;
}

export function withRaised(s: AgentSettings, raised: RaisedBudgets): AgentSettings {
  const out = { ...s };
  for (const k of BUDGETS) {
    const r = raised[k];
    const now = s[k];
    if (r !== undefined && now !== undefined) (out as Record<BudgetSetting, number | undefined>)[k] = Math.max(now, r);
  }
  return out;
}

/** A budget's value in words, the same in the panel and the CLI: "$1.00", "400,000 tokens", "30 min", "50 model turns". */
export function budgetText(setting: BudgetSetting, value: number): string {
  if (setting === 'maxCostPerRun') return formatUsd(value);
  if (setting === 'maxMinutesPerTask') return `${Math.round(value * 10) / 10} min`;
  return `${Math.round(value).toLocaleString('en-US')} ${setting === 'maxTurnsPerTask' ? 'model turns' : 'tokens'}`;
}
