import { loadSettings } from '../settings/loadSettings.js';
import type { AgentSettings } from '../settings/schema.js';
import { withRaised, type BudgetSetting, type RaisedBudgets } from './budgets.js';
import type { RunEvent } from './events.js';
import { readJournal, type ReadJournal } from './journal.js';

/** One budget: what was spent against the limit in force (absent: no limit), and whether this run raised it. */
export interface Gauge {
  spent: number;
  limit?: number;
  raised?: boolean;
}

/**
 * What a run has spent of its budgets (.kiro/settings.json, issue 13), counted as the executor counts them when it
 * checks them between steps: turns, tokens and minutes of the task under way in this run (they start again at each
 * task, and at each Resume), the cost of the whole chain of runs it resumed. `/status` shows it for a run under way
 * or cut short, so the user sees how near a pause is before resuming.
 */
export interface BudgetUse {
  /** The task the per-task budgets count for: the last one started and not completed; absent between tasks. */
  task?: { id: string | null; title: string };
  maxTurnsPerTask: Gauge;
  maxTokensPerTask: Gauge;
  maxMinutesPerTask: Gauge;
  /** `spent` is of the requests whose cost was known; `known: false`: none was and none can be ("no price known"). */
  maxCostPerRun: Gauge & { known: boolean; unpriced: number };
}

/**
 * The budget use of the last run of `journals` (the chain it resumed first, itself last), against `settings` as the
 * settings file has them now (raised for the chain by its budget.raised events). `now`: the clock for a run under
 * way; a run that is not is counted to its last event.
 */
export function budgetUse(journals: ReadonlyArray<readonly RunEvent[]>, settings: AgentSettings, now?: number): BudgetUse {
  const raised: RaisedBudgets = {};
  let cost = 0;
  let unpriced = 0;
  let priced = false;
  for (const events of journals) {
    for (const e of events) {
      if (e.type === 'budget.raised') raised[e.setting] = e.value;
      if (e.type === 'run.started' && (e.pricing?.rates || e.pricing?.providerReports)) priced = true;
      if (e.type === 'model.usage') {
        if (e.costUsd === undefined) unpriced++;
        else {
          cost += e.costUsd;
          priced = true;
        }
      }
    }
  }
  // Per task: from the last task.started of this run on, as the executor's counters start at each task it runs.
  const events = journals.at(-1) ?? [];
  let task: BudgetUse['task'];
  let startedAt: string | undefined;
  let turns = 0;
  let tokens = 0;
  for (const e of events) {
    if (e.type === 'task.started') {
      task = { id: e.task.id, title: e.task.title };
      startedAt = e.time;
      turns = 0;
      tokens = 0;
    } else if (e.type === 'task.completed') task = undefined;
    else if (e.type === 'step.started' && e.label === 'model') turns++;
    else if (e.type === 'model.usage') tokens += (e.inputTokens ?? 0) + (e.outputTokens ?? 0);
  }
  const end = now ?? Date.parse(events.at(-1)?.time ?? '');
  const minutes = task && startedAt ? Math.max(0, (end - Date.parse(startedAt)) / 60_000) : 0;
  const limits = withRaised(settings, raised);
  const gauge = (setting: BudgetSetting, spent: number): Gauge => {
    const limit = limits[setting];
    return { spent: task || setting === 'maxCostPerRun' ? spent : 0, ...(limit !== undefined ? { limit } : {}), ...(raised[setting] !== undefined && limit !== undefined && limit === raised[setting] ? { raised: true } : {}) };
  };
  return {
    ...(task ? { task } : {}),
    maxTurnsPerTask: gauge('maxTurnsPerTask', turns),
    maxTokensPerTask: gauge('maxTokensPerTask', tokens),
    maxMinutesPerTask: gauge('maxMinutesPerTask', minutes),
    maxCostPerRun: { ...gauge('maxCostPerRun', cost), known: priced, unpriced },
  };
}

/**
 * The budget use of run `runId` from its journal, the journals of the runs it resumed (up through `resumedFrom`
 * while they are there) and the workspace's settings file. `live`: the run is under way, so its task's minutes run
 * to now.
 */
export async function readBudgetUse(workspace: string, runId: string, live: boolean): Promise<BudgetUse> {
  const journals: RunEvent[][] = [];
  const seen = new Set<string>();
  for (let id: string | undefined = runId; id !== undefined && !seen.has(id); ) {
    seen.add(id);
    const j: ReadJournal | undefined = await readJournal(workspace, id).catch(() => undefined);
    if (!j) break;
    journals.unshift(j.events);
    const started: RunEvent | undefined = j.events[0];
    id = started?.type === 'run.started' ? started.resumedFrom : undefined;
  }
  const { settings } = await loadSettings(workspace);
  return budgetUse(journals, settings, live ? Date.now() : undefined);
}
