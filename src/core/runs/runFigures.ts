import { basename, dirname } from 'node:path';
import { z } from 'zod';
import type { RunEvent } from './events.js';
import { summarise } from './summary.js';

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
  tokens: z.object({ input: z.number(), output: z.number(), cached: z.number() }),
  /** Null when the provider reported no cost (a local model, replay). */
  costUsd: z.number().nullable(),
  checks: z.object({ passed: z.number().int(), failed: z.number().int() }),
  selfCorrections: z.number().int(),
  gate: z.object({ allow: z.number().int(), ask: z.number().int(), deny: z.number().int(), byRule: z.record(z.string(), gateCount) }),
  /** `approved`: once; `alwaysAllowed`: approved with Always allow; `unanswered`: no one to ask, Stop, or the window closed. */
  approvals: z.object({ asked: z.number().int(), approved: z.number().int(), alwaysAllowed: z.number().int(), rejected: z.number().int(), unanswered: z.number().int() }),
});
export type RunFigures = z.infer<typeof runFiguresSchema>;

/** The spec a tasks.md belongs to: `.kiro/specs/<spec>/tasks.md` -> `<spec>`. */
export function specOf(tasksFile: string): string {
  return basename(dirname(tasksFile)) || tasksFile;
}

/** The figures of a run from its events (a crashed run's journal, cut short, gives them too). */
export function runFigures(events: readonly RunEvent[]): RunFigures {
  const s = summarise(events);
  const started = events[0]?.type === 'run.started' ? events[0] : undefined;
  const tasks = new Map<string, TaskFigures>();
  const key = (id: string | null, title: string) => id ?? `title:${title}`;
  for (const t of started?.tasks ?? []) tasks.set(key(t.id, t.title), { id: t.id, title: t.title, outcome: 'not started', verified: false, durationMs: null, selfCorrections: 0 });
  const startedAt = new Map<string, number>();
  let current: string | undefined;
  const checks = { passed: 0, failed: 0 };
  const byRule: RunFigures['gate']['byRule'] = {};
  const approvals = { asked: 0, approved: 0, alwaysAllowed: 0, rejected: 0, unanswered: 0 };
  for (const e of events) {
    switch (e.type) {
      case 'task.started': {
        const k = key(e.task.id, e.task.title);
        const t = tasks.get(k) ?? { id: e.task.id, title: e.task.title, outcome: 'not started' as const, verified: false, durationMs: null, selfCorrections: 0 };
        // Under way until it completes or the run ends; a resumed task is started again in the same run.
        t.outcome = 'running';
        tasks.set(k, t);
        startedAt.set(k, Date.parse(e.time));
        current = k;
        break;
      }
      case 'task.completed': {
        const k = e.taskId !== null ? e.taskId : current;
        // A parent ticked because its sub-tasks are done was not worked on itself: not a task of the figures.
        if (e.subtasks) {
          if (k !== undefined) tasks.delete(k);
          if (current === k) current = undefined;
          break;
        }
        const t = k !== undefined ? tasks.get(k) : undefined;
        if (!t) break;
        t.outcome = 'completed';
        t.verified = e.verified;
        const from = startedAt.get(k!);
        t.durationMs = from !== undefined ? Date.parse(e.time) - from : null;
        for (const v of e.verification) checks[v.ok ? 'passed' : 'failed']++;
        if (current === k) current = undefined;
        break;
      }
      case 'selfcorrection': {
        checks.failed++;
        const t = tasks.get(e.taskId ?? current ?? '') ?? (current !== undefined ? tasks.get(current) : undefined);
        if (t) t.selfCorrections++;
        break;
      }
      case 'gate.decided': {
        const r = (byRule[e.rule] ??= { allow: 0, ask: 0, deny: 0 });
        r[e.verdict]++;
        break;
      }
      case 'approval.requested':
        approvals.asked++;
        break;
      case 'approval.resolved':
        if (e.by !== 'user') approvals.unanswered++;
        else if (!e.approved) approvals.rejected++;
        else if (e.alwaysAllow !== undefined) approvals.alwaysAllowed++;
        else approvals.approved++;
        break;
      default:
    }
  }
  const outcome: RunOutcome = s.status;
  // The task under way when the run ended ended the way the run did.
  for (const t of tasks.values()) if (t.outcome === 'running') t.outcome = outcome === 'completed' ? 'stopped' : outcome;
  const tasksFile = started?.tasksFile ?? '';
  return {
    runId: s.runId,
    tasksFile,
    spec: specOf(tasksFile),
    startedAt: s.startedAt ?? null,
    durationMs: s.durationMs ?? null,
    outcome,
    reason: s.reason ?? null,
    model: s.model ?? null,
    level: s.level ?? null,
    resumedFrom: started?.resumedFrom ?? null,
    tasks: [...tasks.values()],
    tokens: { input: s.tokens.input, output: s.tokens.output, cached: s.tokens.cached },
    costUsd: s.tokens.costUsd ?? null,
    checks,
    selfCorrections: s.selfCorrections,
    gate: { ...s.gate, byRule },
    approvals,
  };
}
