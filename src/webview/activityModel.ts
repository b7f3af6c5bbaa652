import type { ApprovalDetail, AutonomyInfo, RunControls } from '../core/runs/activityProtocol.js';
import type { RunEvent } from '../core/runs/events.js';
import { appendOutput, emptyTail, type OutputTail } from './outputTail.js';
import { plural } from '../core/text/plural.js';
import { checksRan } from '../core/runs/verifySuggestion.js';
import type { BudgetSetting } from '../core/runs/budgets.js';

/**
 * The panel's view model: RunEvents folded into timeline items, with no DOM. Folding is cheap and total (20,000
 * events in a few milliseconds); rendering is the expensive part, so the model records which items changed and
 * the renderer touches only those.
 */

export type ToolKind = 'read' | 'write' | 'command' | 'complete' | 'other';

const READ_TOOLS = new Set(['read_file', 'list_files', 'search_files']);
const WRITE_TOOLS = new Set(['write_file', 'edit_file', 'delete_file']);

export function toolKind(tool: string): ToolKind {
  if (READ_TOOLS.has(tool)) return 'read';
  if (WRITE_TOOLS.has(tool)) return 'write';
  if (tool === 'run_command') return 'command';
  if (tool === 'complete_task') return 'complete';
  return 'other';
}

export type ApprovalState = 'pending' | 'approved' | 'rejected' | 'always' | 'cancelled' | 'unanswered';

export interface StepCheckpoint {
  commit: string;
  /** Large files not saved in it. */
  skipped: number;
}

export interface CallItem {
  kind: 'call';
  id: string;
  seq: number;
  callId: string;
  tool: string;
  input: Record<string, unknown>;
  gate?: { verdict: 'allow' | 'ask' | 'deny'; rule: string; reason: string };
  /** `cause`: why a cancelled approval was never answered, when it was not Stop (VS Code closed during the run); `userReason`: what the user typed when they rejected it. */
  approval?: { state: ApprovalState; rule: string; reason: string; alwaysAllow?: string | string[]; cause?: string; userReason?: string };
  output?: OutputTail;
  /** The checkpoints around the step (a file-changing call): shown as a badge on its row, not as rows of their own. */
  checkpoints?: { before?: StepCheckpoint; after?: StepCheckpoint };
  finished?: { ok: boolean; output: string; data: Record<string, unknown>; durationMs: number };
}

/** A process run_command started with background: true: one row, updated when it ends (its output is in its call's row). */
export interface BackgroundItem {
  kind: 'background';
  id: string;
  seq: number;
  callId: string;
  bgId: string;
  command: string;
  pid: number;
  outputFile: string;
  ended?: { exitCode: number | null; signal: string | null; durationMs: number; endedBy: 'exit' | 'task' | 'stop' | 'run' | 'trap' };
}

export interface FileChange {
  path: string;
  added: number;
  removed: number;
  /** Created in this task (write_file to a new path). */
  created: boolean;
  deleted: boolean;
  /** Rewritten whole by write_file: the line count after, since the lines before are not in the event. */
  rewrittenLines?: number;
}

/**
 * A live row shows the end of the text: at most this many characters (twice as many between two cuts). Chromium
 * lays out a block's text again whenever some is added, so a box holding a whole long answer would cost more at
 * every frame (30 s of a fast model is 100,000 characters); the whole text is in the row that replaces the live one
 * when the turn ends.
 */
export const LIVE_TAIL_CHARS = 2_000;

/**
 * Model text and reasoning. `live`: still streaming in (model.delta); such an item is the timeline's last, and
 * gives way to the turn's whole text (model.text / model.thinking) when it comes, which is all a journal holds.
 */
export interface TextItem {
  kind: 'text';
  id: string;
  seq: number;
  text: string;
  live?: boolean;
}
export interface ThinkingItem {
  kind: 'thinking';
  id: string;
  seq: number;
  text: string;
  live?: boolean;
}

export type Item =
  | CallItem
  | { kind: 'task'; id: string; seq: number; taskId: string | null; title: string; requirementsFile?: string }
  | TextItem
  | ThinkingItem
  | { kind: 'selfcorrection'; id: string; seq: number; count: number; max: number; reason: string }
  | { kind: 'steering'; id: string; seq: number; name: string; file: string; reason: string }
  | { kind: 'checkpoint'; id: string; seq: number; label: string; commit: string; skipped: number }
  | { kind: 'pause'; id: string; seq: number; pauseKind: string; reason: string }
  /** A budget raised for this run only (Resume with a raised limit). */
  | { kind: 'budget'; id: string; seq: number; setting: BudgetSetting; value: number; previous?: number }
  | { kind: 'condensed'; id: string; seq: number; by: 'model' | 'digest'; reason: 'window' | 'overflow'; summary: string; tokensBefore: number; tokensAfter: number; replaced: number }
  | { kind: 'leftovers'; id: string; seq: number; processes: Array<{ pid: number; command: string }> }
  | BackgroundItem
  | {
      kind: 'completion';
      id: string;
      seq: number;
      taskId: string | null;
      summary: string;
      requirements: Array<{ id: string; evidence: string }>;
      verification: Array<{ command: string; exitCode: number | null; ok: boolean }>;
      verified: boolean;
      /** Completed with no verifyCommands set: nothing could verify it (a parent ticked by its sub-tasks is not). */
      noChecks: boolean;
      /** The checks the run had passed by then (the "no verifyCommands set" link offers them). */
      checksRan: string[];
      files: FileChange[];
    }
  | { kind: 'end'; id: string; seq: number; end: 'completed' | 'stopped' | 'failed'; text: string; completedSteps?: string[] };

export type RunState = 'idle' | 'running' | 'waiting' | 'paused' | 'stopped' | 'failed' | 'completed';

export const STATE_LABEL: Record<RunState, string> = {
  idle: 'no run',
  running: 'running',
  waiting: 'waiting for approval',
  paused: 'paused',
  stopped: 'stopped',
  failed: 'failed',
  completed: 'completed',
};

/** What became of the run's changes, after its state in the header ("completed · discarded"). */
export const DISPOSITION_LABEL: Record<NonNullable<RunControls['disposition']>, string> = { discarded: 'discarded', kept: 'kept', undone: 'discard undone' };

export interface Header {
  runId: string | null;
  task: { id: string | null; title: string } | null;
  level: string | null;
  levelSource: string | null;
  state: RunState;
  startMs: number | null;
  endMs: number | null;
  inputTokens: number;
  outputTokens: number;
  /** Of inputTokens, read from the provider's cache. */
  cachedInputTokens: number;
  costUsd: number;
  /** Requests whose cost no one knew (no price in the table, none reported): the cost is then not the whole story. */
  unpricedRequests: number;
  /** Requests with a known cost (the provider's, or the price table's). */
  pricedRequests: number;
  /** Said once when the run started: maxCostPerRun cannot be enforced (no price known). */
  pricingWarning: string | null;
  /** The model client waits to retry (rate limit): until when; the header counts down to it. Null when not waiting. */
  wait: { host: string; status: number; untilMs: number; retryAfter: boolean } | null;
  /** The run is paused at a budget: which one, its limit and what was spent (the panel offers to raise it). */
  budgetPause: { setting: BudgetSetting; limit: number; spent: number } | null;
  steps: number;
  model: string | null;
  /** Whether the run's commands are confined (RULES.md §4); null for a run from before the sandbox, or none yet. */
  sandbox: { confined: boolean; backend?: string; why?: string } | null;
  /** What the user decided about the run's changes (the host says); null when nothing yet, or while it runs. */
  disposition: NonNullable<RunControls['disposition']> | null;
  /** The user's words for the run (a chat request's note); null when it had none. */
  note: string | null;
}

export class ActivityModel {
  runId: string | null = null;
  items: Item[] = [];
  /** Bumped by reset: the renderer drops every row it has. */
  generation = 0;
  /** Ids of items already rendered that changed since the renderer last looked. */
  readonly changed = new Set<string>();
  headerChanged = true;
  approvalsChanged = true;
  controlsChanged = true;

  controls: RunControls | null = null;
  autonomy: AutonomyInfo | null = null;
  readonly details = new Map<string, ApprovalDetail>();
  readonly pending = new Map<string, CallItem>();

  private byId = new Map<string, Item>();
  private calls = new Map<string, CallItem>();
  private backgrounds = new Map<string, BackgroundItem>();
  private lastCall: CallItem | undefined;
  private taskFiles = new Map<string, FileChange>();
  private started: Extract<RunEvent, { type: 'run.started' }> | null = null;
  private currentTask: { id: string | null; title: string } | null = null;
  private terminal: Extract<RunEvent, { type: 'run.stopped' | 'run.failed' | 'run.completed' }> | null = null;
  private pausedNow = false;
  private lastTime: number | null = null;
  private usage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0, unpricedRequests: 0, pricedRequests: 0 };
  private steps = 0;
  private wait: Header['wait'] = null;
  private lastBudget: Header['budgetPause'] = null;
  /** The items of the answer streaming in now, by channel (at most one of each, at the end of the timeline). */
  private live: { text?: TextItem; thinking?: ThinkingItem } = {};
  private liveCount = 0;
  /**
   * Items taken out of the timeline since the renderer last looked, with the index each had (live items giving way
   * to the turn's whole text); and where a live item's open sections go (its id, the id of the item replacing it).
   */
  readonly removed: Array<{ id: string; index: number }> = [];
  readonly handover: Array<{ from: string; to: string }> = [];

  reset(runId: string | null, events: readonly RunEvent[]): void {
    this.runId = runId;
    this.items = [];
    this.generation++;
    this.changed.clear();
    this.details.clear();
    this.pending.clear();
    this.byId.clear();
    this.calls.clear();
    this.backgrounds.clear();
    this.lastCall = undefined;
    this.taskFiles.clear();
    this.started = null;
    this.currentTask = null;
    this.terminal = null;
    this.pausedNow = false;
    this.lastTime = null;
    this.usage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0, unpricedRequests: 0, pricedRequests: 0 };
    this.steps = 0;
    this.wait = null;
    this.lastBudget = null;
    this.live = {};
    this.removed.length = 0;
    this.handover.length = 0;
    this.headerChanged = this.approvalsChanged = this.controlsChanged = true;
    for (const e of events) this.apply(e);
  }

  /** Appends the events of the run shown; events of another run are refused (false), as a stale batch. */
  append(runId: string, events: readonly RunEvent[]): boolean {
    if (this.runId === null) this.runId = runId;
    else if (runId !== this.runId) return false;
    for (const e of events) this.apply(e);
    return true;
  }

  setControls(c: RunControls): void {
    this.controls = c;
    // Cards follow whether the run is live: a journal cut off while it waited has no one waiting any more.
    this.controlsChanged = this.headerChanged = this.approvalsChanged = true;
  }

  setAutonomy(a: AutonomyInfo): void {
    this.autonomy = a;
    this.controlsChanged = this.headerChanged = true;
  }

  setDetail(d: ApprovalDetail): void {
    this.details.set(d.callId, d);
    this.approvalsChanged = true;
  }

  /** Whether a run is under way: the host says so; before it has, a run without a terminal event is. */
  get running(): boolean {
    if (this.terminal) return false;
    if (this.controls) return this.controls.running;
    return this.started !== null;
  }

  get state(): RunState {
    if (!this.started && this.items.length === 0) return 'idle';
    const t = this.terminal;
    if (t?.type === 'run.completed') return 'completed';
    if (t?.type === 'run.failed') return 'failed';
    // The executor ends a paused run with run.paused then run.stopped("paused: ..."): that run is paused.
    if (t?.type === 'run.stopped') return this.pausedNow ? 'paused' : 'stopped';
    if (this.pending.size > 0) return 'waiting';
    if (this.pausedNow) return 'paused';
    return this.running || this.controls?.liveElsewhere ? 'running' : 'stopped';
  }

  header(): Header {
    // A run under way follows the level as it is now (a change applies at its next decision); a past run shows the
    // level it ran at; with no run, the level a run would start at.
    const now = this.running || !this.started ? this.autonomy : undefined;
    const level = now?.level ?? this.started?.level ?? this.autonomy?.level ?? null;
    const levelSource = now?.source ?? this.started?.levelSource ?? this.autonomy?.source ?? null;
    const first = this.started?.tasks[0];
    const startMs = this.started ? Date.parse(this.started.time) : null;
    const endMs = this.terminal ? Date.parse(this.terminal.time) : this.running ? null : this.lastTime;
    return {
      runId: this.runId,
      task: this.currentTask ?? (first ? { id: first.id, title: first.title } : null),
      level,
      levelSource,
      state: this.state,
      startMs: startMs !== null && Number.isFinite(startMs) ? startMs : null,
      endMs: endMs !== null && Number.isFinite(endMs) ? endMs : null,
      ...this.usage,
      pricingWarning: this.started?.pricing?.warning ?? null,
      // Only while the run is under way: a journal that ends mid-wait (a crash) is not waiting any more.
      wait: this.running ? this.wait : null,
      budgetPause: this.state === 'paused' ? this.lastBudget : null,
      steps: this.steps,
      model: this.started?.model ?? null,
      sandbox: this.started?.sandbox ?? null,
      disposition: (!this.running && this.controls?.disposition) || null,
      note: this.started?.note ?? null,
    };
  }

  item(id: string): Item | undefined {
    return this.byId.get(id);
  }

  /**
   * The run's terminal event: its row, Stop goes now (not when the host's next controls come), questions settle.
   * A stop keeps a pause that came before it (a run ended by a pause is shown paused).
   */
  private end(e: Extract<RunEvent, { type: 'run.stopped' | 'run.failed' | 'run.completed' }>, row: Extract<Item, { kind: 'end' }>): void {
    this.terminal = e;
    this.controlsChanged = true;
    this.push(row);
    this.settleApprovals();
  }

  private push(item: Item): void {
    this.items.push(item);
    this.byId.set(item.id, item);
  }

  private touch(item: Item): void {
    this.changed.add(item.id);
  }

  private call(callId: string, seq: number, tool = 'unknown', input: unknown = {}): CallItem {
    let c = this.calls.get(callId);
    if (!c) {
      // A journal cut short (or a batch lost to a reload) can start mid-call: the call still gets its row.
      c = { kind: 'call', id: `c:${callId}`, seq, callId, tool, input: asRecord(input) };
      this.calls.set(callId, c);
      this.lastCall = c;
      this.push(c);
    }
    return c;
  }

  /** A piece of the answer streaming in: added to the live item of its channel, made when the first piece comes. */
  private delta(e: Extract<RunEvent, { type: 'model.delta' }>): void {
    if (e.restart) return void this.endLive();
    let item: TextItem | ThinkingItem | undefined = this.live[e.channel];
    if (!item) {
      const made = { id: `live:${++this.liveCount}`, seq: e.seq, text: '', live: true };
      item = e.channel === 'text' ? (this.live.text = { kind: 'text', ...made }) : (this.live.thinking = { kind: 'thinking', ...made });
      this.push(item);
    }
    item.text += e.text;
    this.touch(item);
  }

  /**
   * The streaming answer's items leave the timeline: the journaled events that follow (the turn's whole thinking and
   * text, or whatever ended the turn) make the rows a journal replayed would, in the same order.
   */
  private endLive(): { text?: TextItem; thinking?: ThinkingItem } {
    const ended = this.live;
    this.live = {};
    for (const item of [ended.text, ended.thinking]) {
      if (!item) continue;
      const index = this.items.lastIndexOf(item);
      if (index === -1) continue;
      this.items.splice(index, 1);
      this.byId.delete(item.id);
      this.changed.delete(item.id);
      this.removed.push({ id: item.id, index });
    }
    return ended;
  }

  private apply(e: RunEvent): void {
    // A wait ends with whatever comes next (the answer, a pause, Stop): no event is needed to say so. The retried
    // answer's first streamed piece ends it too, else "retrying in 0 s" would stay up while the answer streams.
    if (this.wait && e.type !== 'model.waiting') {
      this.wait = null;
      this.headerChanged = true;
    }
    if (e.type === 'model.delta') return this.delta(e);
    // model.usage comes between the last piece and the whole text, and shows no row.
    const ended = e.type !== 'model.usage' && (this.live.text || this.live.thinking) ? this.endLive() : {};
    const t = Date.parse(e.time);
    if (Number.isFinite(t)) this.lastTime = t;
    const id = `e:${e.seq}`;
    switch (e.type) {
      case 'run.started':
        this.started = e;
        this.headerChanged = true;
        break;
      case 'task.started':
        this.currentTask = { id: e.task.id, title: e.task.title };
        this.taskFiles.clear();
        this.pausedNow = false;
        this.headerChanged = true;
        this.push({ kind: 'task', id, seq: e.seq, taskId: e.task.id, title: e.task.title, ...(e.requirementsFile ? { requirementsFile: e.requirementsFile } : {}) });
        break;
      case 'step.started':
        this.steps++;
        if (this.pausedNow) this.pausedNow = false;
        this.headerChanged = true;
        break;
      case 'model.thinking':
        if (e.text.trim() !== '') {
          this.push({ kind: 'thinking', id, seq: e.seq, text: e.text });
          // The reasoning the user opened while it streamed stays open.
          if (ended.thinking) this.handover.push({ from: ended.thinking.id, to: id });
        }
        break;
      case 'context.condensed':
        this.push({ kind: 'condensed', id, seq: e.seq, by: e.by, reason: e.reason, summary: e.summary, tokensBefore: e.tokensBefore, tokensAfter: e.tokensAfter, replaced: e.replaced });
        break;
      case 'model.text':
        if (e.text.trim() !== '') this.push({ kind: 'text', id, seq: e.seq, text: e.text });
        break;
      case 'model.usage':
        this.usage.inputTokens += e.inputTokens ?? 0;
        this.usage.outputTokens += e.outputTokens ?? 0;
        this.usage.cachedInputTokens += e.cachedInputTokens ?? 0;
        this.usage.costUsd += e.costUsd ?? 0;
        if (e.costUsd === undefined) this.usage.unpricedRequests++;
        else this.usage.pricedRequests++;
        this.headerChanged = true;
        break;
      case 'model.waiting': {
        const until = Date.parse(e.until);
        this.wait = Number.isFinite(until) ? { host: e.host, status: e.status, untilMs: until, retryAfter: e.retryAfter } : null;
        this.headerChanged = true;
        break;
      }
      case 'budget.raised':
        this.push({ kind: 'budget', id, seq: e.seq, setting: e.setting, value: e.value, ...(e.previous !== undefined ? { previous: e.previous } : {}) });
        break;
      case 'tool.requested': {
        const existing = this.calls.get(e.callId);
        if (existing) {
          existing.tool = e.tool;
          existing.input = asRecord(e.input);
          this.touch(existing);
        } else this.call(e.callId, e.seq, e.tool, e.input);
        this.pausedNow = false;
        break;
      }
      case 'gate.decided': {
        const c = this.call(e.callId, e.seq);
        c.gate = { verdict: e.verdict, rule: e.rule, reason: e.reason };
        this.touch(c);
        break;
      }
      case 'approval.requested': {
        const c = this.call(e.callId, e.seq, e.tool, e.input);
        c.approval = { state: 'pending', rule: e.rule, reason: e.reason };
        this.pending.set(e.callId, c);
        this.approvalsChanged = this.headerChanged = true;
        this.touch(c);
        break;
      }
      case 'approval.resolved': {
        const c = this.call(e.callId, e.seq);
        const state: ApprovalState = e.by === 'stop' || e.by === 'closed' ? 'cancelled' : e.by === 'no-one-to-ask' ? 'unanswered' : e.alwaysAllow ? 'always' : e.approved ? 'approved' : 'rejected';
        const cause = e.by === 'closed' ? (e.reason ?? 'the run ended while it waited') : undefined;
        const userReason = e.by === 'user' && !e.approved ? e.reason : undefined;
        c.approval = { state, rule: c.approval?.rule ?? '', reason: c.approval?.reason ?? '', ...(e.alwaysAllow ? { alwaysAllow: e.alwaysAllow } : {}), ...(cause ? { cause } : {}), ...(userReason ? { userReason } : {}) };
        this.pending.delete(e.callId);
        this.details.delete(e.callId);
        this.approvalsChanged = this.headerChanged = true;
        this.touch(c);
        break;
      }
      case 'tool.output': {
        const c = this.call(e.callId, e.seq);
        c.output ??= emptyTail();
        appendOutput(c.output, e.text);
        this.touch(c);
        break;
      }
      case 'tool.finished': {
        const c = this.call(e.callId, e.seq);
        const data = e.data ?? {};
        c.finished = { ok: e.ok, output: e.output, data, durationMs: e.durationMs };
        if (e.ok && toolKind(c.tool) === 'write') this.recordChange(c, data);
        this.touch(c);
        break;
      }
      case 'steering.included':
        this.push({ kind: 'steering', id, seq: e.seq, name: e.name, file: e.file, reason: e.reason });
        break;
      case 'selfcorrection':
        this.push({ kind: 'selfcorrection', id, seq: e.seq, count: e.count, max: e.max, reason: e.reason });
        break;
      case 'checkpoint.created': {
        // A step's two checkpoints fold into its row (two rows per step crowded the timeline); a journal from before
        // checkpoints named their call has "before|after <tool> ..." labels taken while that call was the last one.
        const when = /^(before|after) /.exec(e.label)?.[1] as 'before' | 'after' | undefined;
        const c = e.callId ? this.calls.get(e.callId) : when ? this.lastCall : undefined;
        if (c && when && (e.callId || e.label.startsWith(`${when} ${c.tool} `))) {
          c.checkpoints = { ...c.checkpoints, [when]: { commit: e.commit, skipped: e.skipped?.length ?? 0 } };
          this.touch(c);
        } else this.push({ kind: 'checkpoint', id, seq: e.seq, label: e.label, commit: e.commit, skipped: e.skipped?.length ?? 0 });
        break;
      }
      case 'task.completed':
        this.push({
          kind: 'completion',
          id,
          seq: e.seq,
          taskId: e.taskId,
          summary: e.summary,
          requirements: e.requirements,
          verification: e.verification,
          verified: e.verified,
          noChecks: !e.verified && !e.subtasks && e.verification.length === 0,
          checksRan: checksRan([...this.calls.values()].flatMap((c) => (c.tool === 'run_command' && typeof c.input.command === 'string' && c.finished ? [{ command: c.input.command, exitCode: typeof c.finished.data.exitCode === 'number' ? c.finished.data.exitCode : null }] : []))),
          files: [...this.taskFiles.values()],
        });
        this.taskFiles.clear();
        break;
      case 'processes.ended':
        this.push({ kind: 'leftovers', id, seq: e.seq, processes: e.processes });
        break;
      case 'background.started': {
        const item: BackgroundItem = { kind: 'background', id, seq: e.seq, callId: e.callId, bgId: e.id, command: e.command, pid: e.pid, outputFile: e.outputFile };
        this.backgrounds.set(e.id, item);
        this.push(item);
        break;
      }
      case 'background.ended': {
        const item = this.backgrounds.get(e.id);
        if (!item) break;
        item.ended = { exitCode: e.exitCode, signal: e.signal, durationMs: e.durationMs, endedBy: e.endedBy };
        this.touch(item);
        break;
      }
      case 'run.paused':
        this.pausedNow = true;
        this.lastBudget = e.kind === 'budget' && e.budget ? e.budget : null;
        this.headerChanged = true;
        this.push({ kind: 'pause', id, seq: e.seq, pauseKind: e.kind, reason: e.reason });
        break;
      case 'run.stopped':
        this.end(e, { kind: 'end', id, seq: e.seq, end: 'stopped', text: e.reason, completedSteps: e.completedSteps });
        break;
      case 'run.failed':
        this.pausedNow = false;
        this.end(e, { kind: 'end', id, seq: e.seq, end: 'failed', text: e.error });
        break;
      case 'run.completed':
        this.pausedNow = false;
        this.end(e, { kind: 'end', id, seq: e.seq, end: 'completed', text: `${plural(e.tasksCompleted, 'task')} done` });
        break;
    }
  }

  /** A run that ended cannot wait for anyone: a card without its resolution (a crashed run) goes away. */
  private settleApprovals(): void {
    this.headerChanged = this.approvalsChanged = true;
    for (const c of this.pending.values()) {
      // Nobody pressed Stop: the run ended (or its journal did) while the card waited.
      c.approval = { ...c.approval!, state: 'cancelled', cause: 'the run ended while it waited' };
      this.touch(c);
    }
    this.pending.clear();
  }

  private recordChange(c: CallItem, data: Record<string, unknown>): void {
    const path = str(data.path) ?? str(c.input.path);
    if (!path) return;
    const f = this.taskFiles.get(path) ?? { path, added: 0, removed: 0, created: false, deleted: false };
    if (c.tool === 'edit_file') {
      f.added += num(data.linesAdded) ?? 0;
      f.removed += num(data.linesRemoved) ?? 0;
      f.deleted = false;
    } else if (c.tool === 'write_file') {
      if (data.created === true && !this.taskFiles.has(path)) f.created = true;
      f.rewrittenLines = num(data.lines);
      f.deleted = false;
    } else if (c.tool === 'delete_file') {
      f.deleted = true;
    }
    this.taskFiles.set(path, f);
  }
}

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
