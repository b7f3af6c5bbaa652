import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEvent } from './events.js';
import { runDir } from './journal.js';
import { addUsage as tally, type TokenTally } from './usageText.js';

export type { TokenTally } from './usageText.js';

export interface RunSummary {
  runId: string;
  status: 'completed' | 'failed' | 'stopped' | 'paused' | 'running';
  reason?: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  model?: string;
  level?: string;
  /** RULES.md §4 S6: whether commands ran confined, and if not, why. */
  sandbox?: { confined: boolean; backend?: string; why?: string };
  /** `noChecks`: completed with no verifyCommands set (nothing could verify it), as against a check that failed. */
  /** `tokens`: what the task's model requests used and cost (absent for a task with none). */
  tasks: Array<{ id: string | null; title: string; completed: boolean; verified?: boolean; noChecks?: boolean; summary?: string; tokens?: TokenTally }>;
  /**
   * `cached`: of `input`, read from the provider's cache; `condensed`: times a task's conversation was condensed;
   * `costUsd`: the provider's reported cost, else the price table's (absent when neither knew a price);
   * `unpriced`: requests whose cost no one knew ("no price known"), not in `costUsd`.
   */
  tokens: TokenTally & { condensed?: number };
  /** How the cost was known (run.started): the table's rates, a provider that reports it, the maxCostPerRun warning. */
  pricing?: Extract<RunEvent, { type: 'run.started' }>['pricing'];
  /** `allowedBy`: who let it run, for the audit: the gate's rule when it was auto-approved, or the user. */
  commands: Array<{ command: string; exitCode: number | null; ok: boolean; allowedBy?: string }>;
  files: Array<{ path: string; tool: string; added?: number | null; removed?: number | null; allowedBy?: string }>;
  gate: { allow: number; ask: number; deny: number };
  approvals: { approved: number; rejected: number; unanswered: number };
  selfCorrections: number;
  verification: Array<{ taskId: string | null; command: string; exitCode: number | null; ok: boolean }>;
  /**
   * Every action that did not happen, and who said no: the gate's deny, the user's reject, no one to ask (a run
   * with no one to approve), or Stop while it waited. `what`: the command or path; `taskId`: the task under way.
   */
  refused: RefusedAction[];
  /** Processes the run's commands left running, ended at its end (RULES.md S5); absent when there were none. */
  processesEnded?: Array<{ pid: number; command: string }>;
}


export interface RefusedAction {
  tool: string;
  what: string;
  rule: string;
  reason: string;
  by: 'gate' | 'user' | 'no-one-to-ask' | 'stop' | 'closed';
  /** For 'closed': why no one could answer (VS Code closed during the run). */
  cause?: string;
  /** What the user typed when they rejected it. */
  userReason?: string;
  taskId?: string | null;
}

/** What a tool call acts on, in a few words: its command or path, else its input. */
function whatOf(input: unknown): string {
  const i = (input ?? {}) as { command?: unknown; path?: unknown };
  if (typeof i.command === 'string') return i.command;
  if (typeof i.path === 'string') return i.path;
  const text = JSON.stringify(input ?? {});
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

/** The summary of a run, from its events alone (so a crashed run's journal gives one too). */
export function summarise(events: readonly RunEvent[]): RunSummary {
  const first = events[0];
  const s: RunSummary = {
    runId: first?.runId ?? '',
    status: 'running',
    tasks: [],
    tokens: { input: 0, output: 0, cached: 0 },
    commands: [],
    files: [],
    gate: { allow: 0, ask: 0, deny: 0 },
    approvals: { approved: 0, rejected: 0, unanswered: 0 },
    selfCorrections: 0,
    verification: [],
    refused: [],
  };
  const decided = new Map<string, { rule: string; reason: string }>();
  let taskId: string | null | undefined;
  const startedTitles = new Map<string, string>();
  const requested = new Map<string, { tool: string; input: unknown }>();
  const allowedBy = new Map<string, string>();
  for (const e of events) {
    switch (e.type) {
      case 'run.started':
        s.startedAt = e.time;
        s.model = e.model;
        s.level = e.level;
        if (e.sandbox) s.sandbox = { confined: e.sandbox.confined, ...(e.sandbox.backend ? { backend: e.sandbox.backend } : {}), ...(e.sandbox.why ? { why: e.sandbox.why } : {}) };
        if (e.pricing) s.pricing = e.pricing;
        for (const t of e.tasks) s.tasks.push({ id: t.id, title: t.title, completed: false });
        break;
      case 'model.usage': {
        tally(s.tokens, e);
        // Per task: the task under way (a request before any task, none).
        const t = taskId === undefined ? undefined : s.tasks.find((x) => (taskId === null ? x.id === null && !x.completed : x.id === taskId));
        if (t) tally((t.tokens ??= { input: 0, output: 0, cached: 0 }), e);
        break;
      }
      case 'context.condensed':
        s.tokens.condensed = (s.tokens.condensed ?? 0) + 1;
        break;
      case 'tool.requested':
        requested.set(e.callId, { tool: e.tool, input: e.input });
        break;
      case 'task.started':
        taskId = e.task.id;
        if (e.task.id !== null) startedTitles.set(e.task.id, e.task.title);
        break;
      case 'gate.decided': {
        s.gate[e.verdict]++;
        decided.set(e.callId, { rule: e.rule, reason: e.reason });
        const r = requested.get(e.callId);
        if (e.verdict === 'deny') s.refused.push({ tool: r?.tool ?? '?', what: whatOf(r?.input), rule: e.rule, reason: e.reason, by: 'gate', ...(taskId !== undefined ? { taskId } : {}) });
        if (e.verdict === 'allow') allowedBy.set(e.callId, `rule ${e.rule}: ${e.reason.replace(/^allow: /, '')}`);
        break;
      }
      case 'approval.resolved':
        if (e.approved) allowedBy.set(e.callId, e.alwaysAllow !== undefined ? `you (always allow ${[e.alwaysAllow].flat().map((x) => `"${x}"`).join(', ')})` : e.by === 'user' ? 'you' : e.by);
        if (e.by === 'no-one-to-ask' || e.by === 'closed') s.approvals.unanswered++;
        else if (e.approved) s.approvals.approved++;
        else s.approvals.rejected++;
        if (!e.approved) {
          const r = requested.get(e.callId);
          const d = decided.get(e.callId);
          s.refused.push({ tool: r?.tool ?? '?', what: whatOf(r?.input), rule: d?.rule ?? '?', reason: d?.reason ?? '', by: e.by, ...(e.reason ? (e.by === 'closed' ? { cause: e.reason } : { userReason: e.reason }) : {}), ...(taskId !== undefined ? { taskId } : {}) });
        }
        break;
      case 'tool.finished': {
        const r = requested.get(e.callId);
        const input = (r?.input ?? {}) as { command?: string; path?: string };
        const by = allowedBy.get(e.callId);
        const audit = by ? { allowedBy: by } : {};
        if (r?.tool === 'run_command' && input.command !== undefined && e.data && 'exitCode' in e.data) s.commands.push({ command: input.command, exitCode: (e.data.exitCode as number | null) ?? null, ok: e.ok, ...audit });
        if (e.ok && input.path && ['write_file', 'edit_file', 'delete_file'].includes(r?.tool ?? '') && !s.files.some((f) => f.path === input.path)) s.files.push({ path: input.path, tool: r!.tool, ...audit });
        break;
      }
      case 'selfcorrection':
        s.selfCorrections++;
        break;
      case 'processes.ended':
        s.processesEnded = [...(s.processesEnded ?? []), ...e.processes];
        break;
      case 'background.ended':
        // A background process the run ended (its task's end, Stop, the run's end) is one it left running.
        if (e.endedBy !== 'exit') s.processesEnded = [...(s.processesEnded ?? []), { pid: e.pid, command: e.command }];
        break;
      case 'task.completed': {
        // A task without an id is the first not completed; a parent the run ticked after its last sub-task is not
        // among the tasks it started with, and is added (never taken for another one).
        let t = e.taskId === null ? s.tasks.find((x) => x.id === null && !x.completed) : s.tasks.find((x) => x.id === e.taskId);
        if (!t && e.taskId !== null) s.tasks.push((t = { id: e.taskId, title: startedTitles.get(e.taskId) ?? e.taskId, completed: false }));
        if (t) Object.assign(t, { completed: true, verified: e.verified, summary: e.summary }, !e.verified && !e.subtasks && e.verification.length === 0 ? { noChecks: true } : {});
        for (const v of e.verification) s.verification.push({ taskId: e.taskId, ...v });
        break;
      }
      case 'run.completed':
        s.status = 'completed';
        break;
      case 'run.failed':
        s.status = 'failed';
        s.reason = e.error;
        break;
      case 'run.paused':
        s.status = 'paused';
        s.reason = e.reason;
        break;
      case 'run.stopped':
        if (s.status !== 'paused') {
          s.status = 'stopped';
          s.reason = e.reason;
        }
        break;
      default:
    }
  }
  const last = events.at(-1);
  if (last && s.status !== 'running') {
    s.endedAt = last.time;
    if (s.startedAt) s.durationMs = Date.parse(last.time) - Date.parse(s.startedAt);
  }
  return s;
}

/** Adds the lines added and removed per file (from the run's checkpoints), and files changed by commands. */
export function withDiffstat(summary: RunSummary, stat: ReadonlyArray<{ path: string; added: number | null; removed: number | null }>): RunSummary {
  const files = summary.files.map((f) => ({ ...f }));
  for (const s of stat) {
    const f = files.find((x) => x.path === s.path);
    if (f) Object.assign(f, { added: s.added, removed: s.removed });
    // Changed by a command, or the task's own checkbox.
    else files.push({ path: s.path, tool: 'other', added: s.added, removed: s.removed });
  }
  return { ...summary, files };
}

export function writeSummary(workspace: string, summary: RunSummary): void {
  writeFileSync(join(runDir(workspace, summary.runId), 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
}
