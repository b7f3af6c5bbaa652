import { z } from 'zod';
import { BUDGETS } from './budgets.js';
import { runEventSchema } from './events.js';
import { runOutcomeSchema, runStatsSchema } from './historySchema.js';

/**
 * The messages between the extension host and the Agent Activity webview (DESIGN.md: RunEvents one way, a small
 * union of user intents the other). Both sides validate what they receive with these schemas, so a message from a
 * stale webview or a newer host is dropped with a log line instead of half-applied.
 */

const level = z.enum(['cautious', 'balanced', 'full']);
const levelSetting = z.enum(['inherit', 'cautious', 'balanced', 'full']);

/** What the run's controls may offer now: the host knows, the webview only shows. */
export const runControlsSchema = z.object({
  /** A run is under way in this window (Stop, Stop after this task). */
  running: z.boolean(),
  /** The run shown is under way in another window or a terminal: its events arrive as its journal grows. */
  liveElsewhere: z.boolean().optional(),
  /** Why buttons are missing, when it is not obvious (a run under way elsewhere in the workspace), or what they act on (a chain of runs). */
  note: z.string().optional(),
  /** Stop after this task was asked for and the run will end when the task does. */
  stoppingAfterTask: z.boolean(),
  /** The run shown ended without finishing its tasks and can go on as a new run. */
  canResume: z.boolean(),
  /** The run shown changed files that can be put back as they were before it. */
  canDiscard: z.boolean(),
  /** A discard of the run shown can be undone. */
  canUndoDiscard: z.boolean(),
  /** The run shown ended with changes not yet kept or discarded. */
  canKeep: z.boolean(),
  /** What the user decided about the run shown's changes ('undone': a discard undone); absent when nothing yet. */
  disposition: z.enum(['discarded', 'kept', 'undone']).optional(),
});
export type RunControls = z.infer<typeof runControlsSchema>;

/** What the run's buttons say: the panel's bar, and the start-up notice that offers the same actions. */
export const RUN_ACTION_LABELS = { resume: 'Resume', discard: 'Discard changes', undoDiscard: 'Undo discard', keep: 'Keep changes' } as const;
export type RunAction = keyof typeof RUN_ACTION_LABELS;

/** The actions the controls allow, in the order the panel shows their buttons. */
export function offeredActions(c: RunControls): RunAction[] {
  const shown: Array<[RunAction, boolean]> = [
    ['resume', c.canResume],
    ['discard', c.canDiscard],
    ['undoDiscard', c.canUndoDiscard],
    ['keep', c.canKeep],
  ];
  return shown.filter(([, on]) => on).map(([a]) => a);
}

export const autonomyInfoSchema = z.object({
  /** The level the gate uses now. */
  level,
  /** Where it comes from, in words ("the specAgent.autonomyLevel setting", ".kiro/settings.json", ...). */
  source: z.string(),
  /** The value of the specAgent.autonomyLevel setting (the dropdown shows it). */
  setting: levelSetting,
  /** What .kiro/settings.json grants while it is not accepted on this machine. */
  unaccepted: z.array(z.string()).optional(),
});
export type AutonomyInfo = z.infer<typeof autonomyInfoSchema>;

/** The host's detail of a pending approval: the diff a write would make (computed against the file on disk). */
export const approvalDetailSchema = z.object({
  callId: z.string(),
  /** A unified diff of the write or edit, when the call writes a file. */
  diff: z.string().optional(),
  /**
   * The exact entries "Always allow" would add to allowedCommands (one per simple command of a compound line),
   * when it is offered: only entries the gate would match for this very command.
   */
  alwaysAllowEntries: z.array(z.string()).min(1).optional(),
  /** When the entries will not change this run's questions yet (at cautious every command asks): why. */
  alwaysAllowNote: z.string().optional(),
});
export type ApprovalDetail = z.infer<typeof approvalDetailSchema>;

/**
 * A run as the Runs view lists it: what a row shows, no more (thousands are sent at once). Built from the runs
 * index (runHistory.ts) by historyRowOf.
 */
export const historyRowSchema = z.object({
  runId: z.string(),
  spec: z.string(),
  /** "2.1 Store a priority on each item", "+ 2 more" when there are several. */
  tasks: z.string(),
  startedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  outcome: runOutcomeSchema,
  disposition: z.enum(['discarded', 'kept', 'undone']).nullable(),
  level: z.string().nullable(),
  model: z.string().nullable(),
  /** Input + output. */
  tokens: z.number(),
  /** Of its priced requests; `unpricedRequests`: those with no price known, not in it (RunFigures). */
  costUsd: z.number().nullable(),
  unpricedRequests: z.number().int(),
  selfCorrections: z.number().int(),
  checks: z.object({ passed: z.number().int(), failed: z.number().int() }),
});
export type HistoryRowWire = z.infer<typeof historyRowSchema>;

/** The Runs view's filters; absent: all. */
export const historyFilterSchema = z.object({ spec: z.string().optional(), outcome: runOutcomeSchema.optional() });
export type HistoryFilter = z.infer<typeof historyFilterSchema>;

export const hostMessageSchema = z.discriminatedUnion('type', [
  /** Replace everything shown by this run's events (after `ready`, a reload, or when another run is shown). */
  z.object({ type: z.literal('reset'), runId: z.string().nullable(), events: z.array(runEventSchema) }),
  /** Events of the run shown, in order, appended to what the webview has (at most 60 batches a second). */
  z.object({ type: z.literal('events'), runId: z.string(), events: z.array(runEventSchema) }),
  z.object({ type: z.literal('controls'), controls: runControlsSchema }),
  z.object({ type: z.literal('autonomy'), autonomy: autonomyInfoSchema }),
  z.object({ type: z.literal('approvalDetail'), detail: approvalDetailSchema }),
  /** A notice to show above the timeline (e.g. "Discarded: 3 files restored"). */
  z.object({ type: z.literal('notice'), level: z.enum(['info', 'warning', 'error']), text: z.string() }),
  /**
   * A page of the workspace's runs for the Runs view, newest first, as asked by `loadHistory` (its filter and
   * offset): `total` runs match the filter, of `all`; the stats are of all runs (overall and per spec). A page, not
   * every run: the message stays small however many runs there are.
   */
  z.object({
    type: z.literal('history'),
    filter: historyFilterSchema,
    offset: z.number().int().nonnegative(),
    total: z.number().int().nonnegative(),
    all: z.number().int().nonnegative(),
    rows: z.array(historyRowSchema),
    stats: runStatsSchema,
  }),
]);
export type HostMessage = z.infer<typeof hostMessageSchema>;

export const webviewMessageSchema = z.discriminatedUnion('type', [
  /** The webview's script runs and listens: the host posts nothing before this. */
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('stop') }),
  z.object({ type: z.literal('stopAfterTask') }),
  z.object({ type: z.literal('approve'), callId: z.string() }),
  /** `reason`: what the user typed in the card's box, told to the model. */
  z.object({ type: z.literal('reject'), callId: z.string(), reason: z.string().max(2000).optional() }),
  z.object({ type: z.literal('alwaysAllow'), callId: z.string() }),
  /** `raise`: Resume with a raised limit, for the new run only (journaled as budget.raised), after a budget pause. */
  z.object({ type: z.literal('resume'), runId: z.string(), raise: z.object({ setting: z.enum(BUDGETS), value: z.number().positive().finite() }).optional() }),
  z.object({ type: z.literal('discard'), runId: z.string() }),
  z.object({ type: z.literal('undoDiscard'), runId: z.string() }),
  z.object({ type: z.literal('keep'), runId: z.string() }),
  z.object({ type: z.literal('setAutonomy'), level: levelSetting }),
  /** Open the diff of what the run did to a file (workspace-relative path), from before the run to now. */
  z.object({ type: z.literal('openDiff'), runId: z.string(), path: z.string() }),
  z.object({ type: z.literal('openFile'), path: z.string() }),
  /** A step's checkpoint badge: the workspace now against that checkpoint, as a multi-file diff. */
  z.object({ type: z.literal('checkpointDiff'), runId: z.string(), commit: z.string().regex(/^[0-9a-f]{7,64}$/) }),
  /** A step's checkpoint badge: the files put back as the checkpoint holds them (the host asks first; undoable). */
  z.object({ type: z.literal('checkpointRestore'), runId: z.string(), commit: z.string().regex(/^[0-9a-f]{7,64}$/) }),
  /** The "no verifyCommands set" link: the host adds the checks this run passed (else npm test) to verifyCommands. */
  z.object({ type: z.literal('addVerifyCommands'), runId: z.string() }),
  /** The Runs view wants rows [offset, offset + limit) of the runs its filter keeps: the host answers with `history`. */
  z.object({ type: z.literal('loadHistory'), filter: historyFilterSchema, offset: z.number().int().nonnegative(), limit: z.number().int().positive().max(1000) }),
  /** A run picked in the Runs view: the panel shows its timeline, from its journal. */
  z.object({ type: z.literal('showRun'), runId: z.string().regex(/^[A-Za-z0-9._-]+$/) }),
]);
export type WebviewMessage = z.infer<typeof webviewMessageSchema>;
