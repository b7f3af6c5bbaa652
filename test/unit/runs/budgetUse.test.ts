import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planResume } from '../../../src/core/agent/resumePlan.js';
import { runSession } from '../../../src/core/agent/runSession.js';
import { selectTasks } from '../../../src/core/agent/taskSelection.js';
import type { ChatRequest, ChatResponse } from '../../../src/core/models/chatModel.js';
import { costOf, priceOf } from '../../../src/core/models/prices.js';
import { ReplayModel, type ReplayScript } from '../../../src/core/models/replayModel.js';
import type { RaisedBudgets } from '../../../src/core/runs/budgets.js';
import { budgetUse, readBudgetUse } from '../../../src/core/runs/budgetUse.js';
import { readJournal } from '../../../src/core/runs/journal.js';
import { loadSettings } from '../../../src/core/settings/loadSettings.js';
import { loadTasks } from '../../../src/core/spec/index.js';
import { budget } from '../../support/budget.js';
import { EXAMPLE_TASKS, exampleRepo } from '../../support/exampleRepo.js';

const USAGE = { inputTokens: 1000, outputTokens: 200 };

/** The replay model reporting each turn's tokens as a provider does (no cost: the price table prices the model id). */
class MeteredReplay extends ReplayModel {
  override async complete(request: ChatRequest): Promise<ChatResponse> {
    return { ...(await super.complete(request)), usage: USAGE };
  }
}

/** The example repo with these budgets in its .kiro/settings.json (where /status reads the limits from). */
async function repo(prefix: string, budgets: Record<string, number>): Promise<string> {
  const ws = await exampleRepo(prefix);
  const file = join(ws, '.kiro/settings.json');
  writeFileSync(file, readFileSync(file, 'utf8').replace('"verifyCommands": ["npm test"]', `"verifyCommands": [], ${JSON.stringify(budgets).slice(1, -1)}`));
  return ws;
}

async function run(ws: string, model: ReplayModel, resumeOf?: string, raise?: RaisedBudgets) {
  const { settings } = await loadSettings(ws);
  const file = join(ws, EXAMPLE_TASKS);
  const plan = resumeOf ? await planResume(ws, resumeOf) : undefined;
  return runSession({
    workspace: ws,
    file,
    tasks: plan ? plan.tasks : selectTasks((await loadTasks(file)).tree, '2.1').tasks,
    model,
    policy: { settings, levelSource: 'test' },
    level: () => settings.autonomyLevel,
    levelSource: 'test',
    signal: new AbortController().signal,
    onEvent: () => {},
    ...(plan && resumeOf ? { resume: plan.state, resumedFrom: resumeOf } : {}),
    ...(raise ? { raise } : {}),
  });
}

const write = (path: string) => ({ toolCalls: [{ tool: 'write_file', input: { path, content: 'x\n' } }] });
const complete = { toolCalls: [{ tool: 'complete_task', input: { summary: 'done' } }] };

describe('budgetUse', () => {
  it('counts the task under way as the executor does (turns, tokens, minutes) and the chain’s cost, against the settings’ limits', { timeout: budget({ git: 6, run: 2 }) }, async () => {
    const ws = await repo('budget-use', { maxTurnsPerTask: 2, maxTokensPerTask: 5000, maxCostPerRun: 1 });
    const script: ReplayScript = { turns: [write('a.txt'), write('b.txt'), complete] };
    const first = await run(ws, new MeteredReplay('openai:gpt-4o', script));
    // Two model turns, then maxTurnsPerTask pauses the run before a third.
    expect(first.outcome).toMatchObject({ state: 'paused' });
    const turnCost = costOf(priceOf('openai:gpt-4o')!.price, USAGE);
    const paused = await readBudgetUse(ws, first.runId, false);
    expect(paused.task).toEqual({ id: '2.1', title: 'Store a priority on each item' });
    expect(paused.maxTurnsPerTask).toEqual({ spent: 2, limit: 2 });
    expect(paused.maxTokensPerTask).toEqual({ spent: 2400, limit: 5000 });
    expect(paused.maxMinutesPerTask.limit).toBeUndefined();
    expect(paused.maxMinutesPerTask.spent).toBeGreaterThanOrEqual(0);
    expect(paused.maxMinutesPerTask.spent).toBeLessThan(budget({ git: 6, run: 2 }) / 60_000);
    expect(paused.maxCostPerRun.spent).toBeCloseTo(2 * turnCost, 10);
    expect(paused.maxCostPerRun).toMatchObject({ limit: 1, known: true, unpriced: 0 });
    // Under way, the task's minutes run to the clock: later than the journal's last event.
    const live = budgetUse([(await readJournal(ws, first.runId)).events], (await loadSettings(ws)).settings, Date.now() + 120_000);
    expect(live.maxMinutesPerTask.spent).toBeGreaterThanOrEqual(2);

    // Resumed with maxTurnsPerTask raised for this run: the per-task counters start again in the new run (as the
    // executor's do), the limit is the raised one, the cost is the chain's.
    const second = await run(ws, new MeteredReplay('openai:gpt-4o', script, 2), first.runId, { maxTurnsPerTask: 5 });
    expect(second.outcome, second.outcome.reason).toMatchObject({ state: 'completed' });
    const done = await readBudgetUse(ws, second.runId, false);
    expect(done.task).toBeUndefined();
    expect(done.maxTurnsPerTask).toEqual({ spent: 0, limit: 5, raised: true });
    expect(done.maxTokensPerTask).toEqual({ spent: 0, limit: 5000 });
    expect(done.maxCostPerRun.spent).toBeCloseTo(3 * turnCost, 10);
  });

  it('says no price known for a model the table does not price, counting the requests, and no limit where none is set', { timeout: budget({ git: 4, run: 1 }) }, async () => {
    const ws = await repo('budget-unpriced', {});
    const r = await run(ws, new MeteredReplay('replay:unpriced', { turns: [write('a.txt'), complete] }));
    expect(r.outcome, r.outcome.reason).toMatchObject({ state: 'completed' });
    const events = (await readJournal(ws, r.runId)).events;
    // Cut before the task's end, as a run interrupted mid-task leaves its journal.
    const cut = events.slice(0, events.findIndex((e) => e.type === 'task.completed'));
    const use = budgetUse([cut], (await loadSettings(ws)).settings);
    expect(use.task?.id).toBe('2.1');
    expect(use.maxCostPerRun).toEqual({ spent: 0, known: false, unpriced: 2 });
    expect(use.maxTokensPerTask).toEqual({ spent: 2400 });
    // maxTurnsPerTask always has a limit (its default).
    expect(use.maxTurnsPerTask).toEqual({ spent: 2, limit: 200 });
  });
});
