import { basename, dirname } from 'node:path';
import type { RunEvent } from './events.js';
import { summarise } from './summary.js';
import type { RunFigures, RunOutcome, TaskFigures } from './historySchema.js';

export { runFiguresSchema, runOutcomeSchema, taskFiguresSchema, type RunFigures, type RunOutcome, type TaskFigures } from './historySchema.js';

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
    checklist: s.tasks.map((t) => ({ id: t.id, title: t.title, completed: t.completed })),
    tokens: { input: s.tokens.input, output: s.tokens.output, cached: s.tokens.cached },
    costUsd: s.tokens.costUsd ?? null,
    unpricedRequests: s.tokens.unpriced ?? 0,
    checks,
    selfCorrections: s.selfCorrections,
    gate: { ...s.gate, byRule },
    approvals,
  };
}
