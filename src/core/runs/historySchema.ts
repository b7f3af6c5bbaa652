import { z } from 'zod';

/*
 * The schemas of the run history (runFigures.ts, runStats.ts), apart from the code that computes them: plain zod,
 * no Node, so the webview's protocol can name them too.
 */

/**
 * How a run, or a task of it, ended. 'interrupted': the journal has no terminal event and no live process holds
 * the run (a crash, a window closed); 'running': one does. A task the run never got to is 'not started'.
 */
export const runOutcomeSchema = z.enum(['completed', 'failed', 'paused', 'stopped', 'interrupted', 'running']);
export type RunOutcome = z.infer<typeof runOutcomeSchema>;

export const taskFiguresSchema = z.object({
  id: z.string().nullable(),
  title: z.string(),
  outcome: z.union([runOutcomeSchema, z.literal('not started')]),
  /** Completed with at least one check passed and none failed. */
  verified: z.boolean(),
  /** From its task.started to its task.completed; null when it did not complete. */
  durationMs: z.number().nullable(),
  selfCorrections: z.number().int(),
});
export type TaskFigures = z.infer<typeof taskFiguresSchema>;

const gateCount = z.object({ allow: z.number().int(), ask: z.number().int(), deny: z.number().int() });

/**
 * The figures of one run, from its journal alone: what the history lists, what `runs stats` and `spec-agent eval`
 * add up. A row of the runs index (runHistory.ts) holds one, so listing thousands of runs reads no journal.
 *
 * Self-correction (the executor's `selfcorrection` event): a check (one of the workspace's verifyCommands, run by
 * the agent or by complete_task) failed and the task went on, so the agent could change something and run it again.
 * Checks: the verifyCommands run when a task completed, plus each failed check that led to a self-correction.
 */
export const runFiguresSchema = z.object({
  runId: z.string(),
  /** The tasks.md as journaled (relative to the workspace) and its spec: the folder that holds it. */
  tasksFile: z.string(),
  spec: z.string(),
  startedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  /** From the journal: 'running' until a terminal event (the reader tells a live run from an interrupted one). */
  outcome: runOutcomeSchema,
  reason: z.string().nullable(),
  model: z.string().nullable(),
  level: z.string().nullable(),
  resumedFrom: z.string().nullable(),
  tasks: z.array(taskFiguresSchema),
  /**
   * The run's tasks as `runs list` lists them (summarise's: a parent ticked with its sub-tasks included, unlike
   * `tasks`), whether each completed: so the list is read from the index, not from every journal.
   */
  checklist: z.array(z.object({ id: z.string().nullable(), title: z.string(), completed: z.boolean() })),
  tokens: z.object({ input: z.number(), output: z.number(), cached: z.number() }),
  /**
   * The cost of its priced requests; null when none was priced (a local model, replay, a model not in the price
   * table). `unpricedRequests`: model requests whose cost no one knew, not in `costUsd`: when some were, `costUsd`
   * is a part of the cost, not all of it (the panel header's "+ no price known for 3 requests").
   */
  costUsd: z.number().nullable(),
  unpricedRequests: z.number().int(),
  checks: z.object({ passed: z.number().int(), failed: z.number().int() }),
  selfCorrections: z.number().int(),
  gate: z.object({ allow: z.number().int(), ask: z.number().int(), deny: z.number().int(), byRule: z.record(z.string(), gateCount) }),
  /** `approved`: once; `alwaysAllowed`: approved with Always allow; `unanswered`: no one to ask, Stop, or the window closed. */
  approvals: z.object({ asked: z.number().int(), approved: z.number().int(), alwaysAllowed: z.number().int(), rejected: z.number().int(), unanswered: z.number().int() }),
});
export type RunFigures = z.infer<typeof runFiguresSchema>;

const perVerdict = z.object({ allow: z.number().int(), ask: z.number().int(), deny: z.number().int() });

/**
 * How the agent did over a set of runs. Tasks are counted per attempt: a task paused in one run and completed in
 * the run that resumed it counts once as paused and once as completed. Parents ticked because their sub-tasks were
 * done are not tasks here (their sub-tasks are). Null where there is nothing to divide by.
 */
export const statsBlockSchema = z.object({
  runs: z.number().int(),
  tasks: z.object({ completed: z.number().int(), failed: z.number().int(), paused: z.number().int(), stopped: z.number().int(), interrupted: z.number().int() }),
  /** Of the completed tasks, the share whose checks passed (verified). */
  verifiedShare: z.number().nullable(),
  checks: z.object({ passed: z.number().int(), failed: z.number().int(), passRate: z.number().nullable() }),
  /** Per task attempt (every task that started): the mean and the most in one task. */
  selfCorrections: z.object({ total: z.number().int(), perTask: z.number().nullable(), max: z.number().int() }),
  /** Of completed tasks, from task.started to task.completed. */
  taskTimeMs: z.object({ median: z.number().nullable(), p90: z.number().nullable() }),
  /** The runs' tokens (input + output) and cost, over their completed tasks. */
  tokensPerCompletedTask: z.number().nullable(),
  costPerCompletedTask: z.number().nullable(),
  /**
   * How much of that cost is known, in runs: `complete`, every request priced (or none made); `partial`, some
   * priced and some not (their cost is in, the rest is not); `none`, no request priced. `unpricedRequests`, over all.
   */
  costKnown: z.object({ complete: z.number().int(), partial: z.number().int(), none: z.number().int(), unpricedRequests: z.number().int() }),
  gate: perVerdict.extend({ byRule: z.array(perVerdict.extend({ rule: z.string() })) }),
  approvals: z.object({ asked: z.number().int(), approved: z.number().int(), alwaysAllowed: z.number().int(), rejected: z.number().int(), unanswered: z.number().int() }),
});
export type StatsBlock = z.infer<typeof statsBlockSchema>;

export const runStatsSchema = z.object({
  overall: statsBlockSchema,
  bySpec: z.array(z.object({ spec: z.string(), stats: statsBlockSchema })),
});
export type RunStats = z.infer<typeof runStatsSchema>;

