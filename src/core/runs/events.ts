import { z } from 'zod';
import { BUDGETS } from './budgets.js';

/**
 * The one vocabulary of a run (DESIGN.md): the executor emits these, the journal appends them, the panel and
 * the CLI render them, resume reads them back. Every event carries the run id, its sequence number in the run
 * and the time it was made.
 */
const base = { runId: z.string(), seq: z.number().int().nonnegative(), time: z.string() };

const taskRef = z.object({ id: z.string().nullable(), title: z.string(), line: z.number().int() });
const finding = z.object({ verdict: z.enum(['allow', 'ask', 'deny']), rule: z.string(), message: z.string(), command: z.string().optional(), entry: z.string().optional() });

export const runEventSchema = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('run.started'),
    tasksFile: z.string(),
    workspace: z.string(),
    tasks: z.array(taskRef),
    level: z.enum(['cautious', 'balanced', 'full']),
    levelSource: z.string(),
    model: z.string(),
    resumedFrom: z.string().optional(),
    /** Who ran it (the extension host of a VS Code window, or `spec-agent run`): names the cause when it is cut short. */
    client: z.enum(['vscode', 'cli']).optional(),
    /** Whether commands run confined (RULES.md §4), and if not, why; absent in journals from before the sandbox. */
    sandbox: z.object({ confined: z.boolean(), backend: z.string().optional(), why: z.string().optional(), mode: z.string().optional() }).optional(),
    /**
     * How the run's cost is known: `rates` (USD per million tokens) from the price table (src/core/models/prices.ts,
     * read `asOf`), or none ("no price known": tokens only, unless the provider reports a cost); `warning` says once
     * that maxCostPerRun cannot be enforced. Absent in journals from before the table.
     */
    pricing: z.object({ model: z.string().optional(), rates: z.object({ input: z.number(), cachedInput: z.number(), output: z.number() }).optional(), asOf: z.string().optional(), providerReports: z.boolean().optional(), warning: z.string().optional() }).optional(),
    /** The user's own words for this run (the text after the task in a chat request): in each task's prompt and the panel header. */
    note: z.string().optional(),
    /** Whether the run pauses after each top-level task group ("stop after each task group"); absent: the policy's setting. */
    pauseBetweenGroups: z.boolean().optional(),
  }),
  /** `requirementsFile`: which document of the spec holds its requirements (requirements.md, or bugfix.md for a bugfix spec). */
  z.object({ ...base, type: z.literal('task.started'), task: taskRef, requirementsFile: z.string().optional() }),
  z.object({ ...base, type: z.literal('step.started'), taskId: z.string().nullable(), step: z.number().int(), label: z.string() }),
  z.object({ ...base, type: z.literal('model.text'), text: z.string() }),
  /** The model's reasoning for a turn (reasoning models): shown folded, never sent back to the model. */
  z.object({ ...base, type: z.literal('model.thinking'), text: z.string() }),
  /**
   * A piece of the model's answer as it streams in (`channel`: the visible text, or its reasoning): transient (see
   * TRANSIENT_EVENTS), so the panel and a terminal show a long answer as it is written; the turn's whole text follows
   * as model.text / model.thinking, which the journal keeps. `restart`: the provider retried the turn (a connection
   * dropped mid-answer), so what streamed before is void and `text` starts the answer anew.
   */
  z.object({ ...base, type: z.literal('model.delta'), channel: z.enum(['text', 'thinking']), text: z.string(), restart: z.boolean().optional() }),
  /**
   * One model request: `inputTokens` counts the whole prompt, `cachedInputTokens` the part read from the provider's
   * cache; `costUsd` as the provider reported it, else from the price table (`costSource`); absent: no price known.
   */
  z.object({ ...base, type: z.literal('model.usage'), inputTokens: z.number().optional(), outputTokens: z.number().optional(), cachedInputTokens: z.number().optional(), costUsd: z.number().optional(), costSource: z.enum(['provider', 'table']).optional() }),
  /**
   * The model client waits before retrying a request the server refused for now (429 rate limit, 529/503
   * overloaded), as long as its `retry-after` says: `until` is when the retry goes out. One event per wait; the
   * panel and the CLI count down to `until` themselves.
   */
  z.object({ ...base, type: z.literal('model.waiting'), host: z.string(), status: z.number().int(), until: z.string(), attempt: z.number().int(), retryAfter: z.boolean() }),
  /** A budget raised for this run only (Resume with a raised limit), from `previous` (absent: the setting had none). */
  z.object({ ...base, type: z.literal('budget.raised'), setting: z.enum(BUDGETS), value: z.number().positive(), previous: z.number().optional() }),
  /** The task's older turns were replaced by a summary (`by` the model, or a digest of the calls when it could not write one). */
  z.object({
    ...base,
    type: z.literal('context.condensed'),
    taskId: z.string().nullable(),
    reason: z.enum(['window', 'overflow']),
    by: z.enum(['model', 'digest']),
    summary: z.string(),
    tokensBefore: z.number(),
    tokensAfter: z.number(),
    replaced: z.number().int(),
  }),
  z.object({ ...base, type: z.literal('tool.requested'), callId: z.string(), tool: z.string(), input: z.unknown() }),
  z.object({ ...base, type: z.literal('gate.decided'), callId: z.string(), verdict: z.enum(['allow', 'ask', 'deny']), rule: z.string(), reason: z.string(), findings: z.array(finding) }),
  z.object({ ...base, type: z.literal('approval.requested'), callId: z.string(), tool: z.string(), input: z.unknown(), rule: z.string(), reason: z.string() }),
  z.object({
    ...base,
    type: z.literal('approval.resolved'),
    callId: z.string(),
    approved: z.boolean(),
    /** 'closed': no one could answer any more, the run's process ending (VS Code closed, the CLI killed); `reason` says which. */
    by: z.enum(['user', 'no-one-to-ask', 'stop', 'closed']),
    /** With `by: 'user'`, the reason the user typed when they rejected it (told to the model too); with 'closed', the cause. */
    reason: z.string().optional(),
    /** What Always allow added to allowedCommands: one entry, or one per simple command of a compound line. */
    alwaysAllow: z.union([z.string(), z.array(z.string())]).optional(),
  }),
  /**
   * A command's process started: journaled before its output is read, so that after a crash of the run its
   * process group can still be found (`startTime`: see processStartTime) and ended; `marker` is in its environment.
   */
  z.object({ ...base, type: z.literal('process.started'), callId: z.string(), pid: z.number().int(), pgid: z.number().int(), startTime: z.string().optional(), marker: z.string() }),
  /**
   * run_command with background: true started a long-running process (a dev server): its output goes to
   * `outputFile` (and, bounded, as tool.output of the same call); read_output reads it by `id`.
   */
  z.object({ ...base, type: z.literal('background.started'), callId: z.string(), id: z.string(), command: z.string(), pid: z.number().int(), outputFile: z.string() }),
  /** A background process ended: on its own (`exit`), or ended by the run at its task's end, Stop, the run's end, or a sandbox trap. */
  z.object({
    ...base,
    type: z.literal('background.ended'),
    callId: z.string(),
    id: z.string(),
    command: z.string(),
    pid: z.number().int(),
    exitCode: z.number().int().nullable(),
    signal: z.string().nullable(),
    durationMs: z.number(),
    endedBy: z.enum(['exit', 'task', 'stop', 'run', 'trap']),
  }),
  /** The run's commands left processes running (in the background, or out of their group): they were ended. */
  z.object({ ...base, type: z.literal('processes.ended'), count: z.number().int(), processes: z.array(z.object({ pid: z.number().int(), command: z.string() })) }),
  z.object({ ...base, type: z.literal('tool.output'), callId: z.string(), stream: z.enum(['stdout', 'stderr']), text: z.string() }),
  z.object({ ...base, type: z.literal('tool.finished'), callId: z.string(), ok: z.boolean(), output: z.string(), data: z.record(z.string(), z.unknown()).optional(), durationMs: z.number() }),
  /** A steering file entered the task's context: at its start, or when the agent read or edited a file it matches. */
  z.object({ ...base, type: z.literal('steering.included'), taskId: z.string().nullable(), name: z.string(), file: z.string(), inclusion: z.string(), reason: z.string() }),
  z.object({ ...base, type: z.literal('selfcorrection'), taskId: z.string().nullable(), count: z.number().int(), max: z.number().int(), reason: z.string() }),
  /** `callId`: the step (a file-changing tool call) it brackets, `before` or `after` it; absent for the run's base. */
  z.object({ ...base, type: z.literal('checkpoint.created'), commit: z.string(), label: z.string(), skipped: z.array(z.object({ path: z.string(), bytes: z.number() })).optional(), callId: z.string().optional() }),
  z.object({
    ...base,
    type: z.literal('task.completed'),
    taskId: z.string().nullable(),
    summary: z.string(),
    requirements: z.array(z.object({ id: z.string(), evidence: z.string() })),
    verification: z.array(z.object({ command: z.string(), exitCode: z.number().nullable(), ok: z.boolean() })),
    /**
     * At least one check passed and none failed; for a parent ticked because its sub-tasks are done, each done
     * sub-task's completion was verified.
     */
    verified: z.boolean(),
    /** A parent ticked because all its sub-tasks are done: how many are done, and how many of those were verified. */
    subtasks: z.object({ done: z.number().int(), verified: z.number().int() }).optional(),
  }),
  z.object({
    ...base,
    type: z.literal('run.paused'),
    reason: z.string(),
    kind: z.enum(['approval', 'group', 'edit-limit', 'self-corrections', 'repeated-failure', 'review', 'context', 'rate-limit', 'budget']),
    /** With kind 'budget': which limit was reached, at what, and what had been spent of it (the panel offers to raise it). */
    budget: z.object({ setting: z.enum(BUDGETS), limit: z.number(), spent: z.number() }).optional(),
  }),
  z.object({
    ...base,
    type: z.literal('run.stopped'),
    reason: z.string(),
    completedSteps: z.array(z.string()),
    /**
     * Journaled after the run's process was gone (VS Code closed, the CLI killed), by whoever found the run cut short
     * at its next start: the reason is the cause as far as it is known, and the task markers were put back then.
     */
    recovered: z.boolean().optional(),
  }),
  z.object({ ...base, type: z.literal('run.failed'), error: z.string(), taskId: z.string().nullable().optional() }),
  z.object({ ...base, type: z.literal('run.completed'), tasksCompleted: z.number().int() }),
]);

export type RunEvent = z.infer<typeof runEventSchema>;
export type RunEventType = RunEvent['type'];
/** An event before the journal gives it its run id, sequence number and time. */
export type NewRunEvent = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'runId' | 'seq' | 'time'> : never) : never;

/**
 * Events that are shown live and never journaled. The journal keeps what a run did, once: a model turn's text is
 * journaled whole (model.text) when the turn ends, and the thousands of pieces it streamed in are not (a 30 s
 * answer is ~2,000 of them). A transient event is not written, takes no sequence number of its own: its `seq` is the
 * one of the last journaled event before it (it comes after that one), so readers that resume from a sequence
 * number keep working, and a journal replayed shows the same final timeline as the run watched live.
 */
export const TRANSIENT_EVENTS: ReadonlySet<RunEventType> = new Set(['model.delta']);

export function isTransient(e: Pick<RunEvent, 'type'>): boolean {
  return TRANSIENT_EVENTS.has(e.type);
}

export const TERMINAL_EVENTS: ReadonlySet<RunEventType> = new Set(['run.stopped', 'run.failed', 'run.completed']);

export function isTerminal(e: RunEvent): boolean {
  return TERMINAL_EVENTS.has(e.type);
}
