import { join } from 'node:path';
import { loadTasks, type Task, type TaskTree } from '../spec/index.js';
import { plural } from '../text/plural.js';
import type { RunEvent } from './events.js';
import { readJournal } from './journal.js';
import { runIsLive } from './runLock.js';
import { addUsage, usageText, type TokenTally } from './usageText.js';

/**
 * "What did you complete before I interrupted you?": per task of a run, exactly what its journal says was done
 * (steps, files with their diffstat, commands with exit codes, checks), what remained, and how the run ended.
 * The one answer behind the chat's /summary, the agent-mode tool's result and `spec-agent runs summary`.
 */
export interface CompletionReport {
  runId: string;
  tasksFile: string | null;
  /** The user's words for the run (a chat request's note). */
  note: string | null;
  level: string | null;
  model: string | null;
  resumedFrom: string | null;
  end: RunEnd;
  tasks: TaskReport[];
  /** What a run cut short had finished (run.stopped's list), in order; empty for a run that is not stopped. */
  completedSteps: string[];
  /** A problem reading the journal (a line cut off by a crash): the report covers what comes before it. */
  truncated: string | null;
  /** What the run's model requests used and cost ("no price known" when no one knew it). */
  usage: TokenTally;
}

export interface RunEnd {
  /** 'interrupted': no terminal event and no live process (a crash, a killed CLI, a closed window before recovery). */
  state: 'completed' | 'failed' | 'stopped' | 'paused' | 'interrupted' | 'running';
  reason: string | null;
  /** For a pause: why (group, approval, edit-limit, ...). */
  pauseKind: string | null;
  /** The stop was journaled after the run's process was gone, by whoever found it cut short. */
  recovered: boolean;
}

export interface FileChange {
  path: string;
  tool: 'write_file' | 'edit_file' | 'delete_file';
  /** Lines added and removed by the task's edits (summed); a write of a new file adds all its lines. */
  added: number;
  removed: number;
  created: boolean;
  deleted: boolean;
  /** A write over an existing file: its line count, since the journal does not hold the diff. */
  rewrittenLines: number | null;
}

export interface TaskReport {
  id: string | null;
  title: string;
  /** 'done': task.completed is journaled; 'started': it was under way when the run ended; 'not started'. */
  state: 'done' | 'started' | 'not started';
  verified: boolean | null;
  /** The agent's own summary, from complete_task. */
  summary: string | null;
  /** The tool calls that finished, in order, as one-line descriptions ("edited src/a.ts (+3 −1)"). */
  steps: string[];
  files: FileChange[];
  commands: Array<{ command: string; exitCode: number | null; ok: boolean }>;
  /** The verification commands complete_task ran: passed or not. */
  checks: Array<{ command: string; exitCode: number | null; ok: boolean }>;
  /** Sub-tasks of this task that are not done in tasks.md now (given the file); empty when not known. */
  openSubtasks: Array<{ id: string | null; title: string }>;
  /** Its mark in tasks.md now, when the file was given. */
  statusNow: Task['status'] | null;
}

interface Pending {
  tool: string;
  input: Record<string, unknown>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/**
 * The report from a run's events alone (a crashed run's journal gives one too). `live`: whether its process is
 * still running (a journal without a terminal event is then 'running', else 'interrupted'); `tree`: tasks.md as
 * it is now, for the sub-tasks that remain.
 */
export function completionReport(events: readonly RunEvent[], opts: { live?: boolean; tree?: TaskTree; truncated?: string } = {}): CompletionReport {
  const started = events.find((e): e is Extract<RunEvent, { type: 'run.started' }> => e.type === 'run.started');
  const tasks: TaskReport[] = (started?.tasks ?? []).map((t) => blank(t.id, t.title));
  const end: RunEnd = { state: opts.live ? 'running' : 'interrupted', reason: null, pauseKind: null, recovered: false };
  let completedSteps: string[] = [];
  let current: TaskReport | undefined;
  const pending = new Map<string, Pending>();
  const usage: TokenTally = { input: 0, output: 0, cached: 0 };
  const taskOf = (id: string | null, title: string): TaskReport => {
    let t = id === null ? tasks.find((x) => x.id === null && x.title === title) : tasks.find((x) => x.id === id);
    if (!t) tasks.push((t = blank(id, title)));
    return t;
  };
  for (const e of events) {
    switch (e.type) {
      case 'task.started':
        current = taskOf(e.task.id, e.task.title);
        if (current.state === 'not started') current.state = 'started';
        break;
      case 'tool.requested':
        pending.set(e.callId, { tool: e.tool, input: (e.input ?? {}) as Record<string, unknown> });
        break;
      case 'tool.finished': {
        const call = pending.get(e.callId);
        pending.delete(e.callId);
        if (!call || !current) break;
        if (call.tool === 'complete_task') {
          // A check that failed or could not run ends the call; the ones that passed are in task.completed.
          const m = /^The check `(.+?)` (failed|may not run)/.exec(e.output);
          if (!e.ok && m) current.checks.push({ command: m[1]!, exitCode: null, ok: false });
          break;
        }
        // A command that ran and failed is a step too (its exit code says so); a refused or failed write is not.
        if (!e.ok && !(call.tool === 'run_command' && e.data && 'exitCode' in e.data)) break;
        const step = describeStep(call, e.data ?? {}, current);
        if (step) current.steps.push(step);
        break;
      }
      case 'task.completed': {
        const t = e.taskId === null ? (current ?? tasks.find((x) => x.id === null && x.state !== 'done')) : taskOf(e.taskId, e.taskId);
        if (!t) break;
        t.state = 'done';
        t.verified = e.verified;
        t.summary = e.summary;
        for (const v of e.verification) t.checks.push(v);
        if (e.subtasks) t.steps.push(`ticked: its ${plural(e.subtasks.done, 'sub-task')} are done`);
        break;
      }
      case 'model.usage':
        addUsage(usage, e);
        break;
      case 'run.completed':
        Object.assign(end, { state: 'completed', reason: null });
        break;
      case 'run.failed':
        Object.assign(end, { state: 'failed', reason: e.error });
        break;
      case 'run.paused':
        Object.assign(end, { state: 'paused', reason: e.reason, pauseKind: e.kind });
        break;
      case 'run.stopped':
        completedSteps = e.completedSteps;
        // A pause ends with run.stopped("paused: ...") too: the pause is the story.
        if (end.state !== 'paused') Object.assign(end, { state: 'stopped', reason: e.reason, recovered: e.recovered === true });
        break;
      default:
    }
  }
  if (opts.tree) for (const t of tasks) Object.assign(t, remaining(opts.tree, t));
  return {
    runId: events[0]?.runId ?? '',
    tasksFile: started?.tasksFile ?? null,
    note: started?.note ?? null,
    level: started?.level ?? null,
    model: started?.model ?? null,
    resumedFrom: started?.resumedFrom ?? null,
    end,
    tasks,
    completedSteps,
    truncated: opts.truncated ?? null,
    usage,
  };
}

function blank(id: string | null, title: string): TaskReport {
  return { id, title, state: 'not started', verified: null, summary: null, steps: [], files: [], commands: [], checks: [], openSubtasks: [], statusNow: null };
}

/** One finished call as a step, recording its file or command on the task; reads are left out (they change nothing). */
function describeStep(call: Pending, data: Record<string, unknown>, t: TaskReport): string | undefined {
  const path = str(call.input.path) ?? str(data.path);
  switch (call.tool) {
    case 'write_file':
    case 'edit_file':
    case 'delete_file': {
      if (!path) return undefined;
      const f = fileOf(t, path, call.tool);
      if (call.tool === 'edit_file') {
        f.added += num(data.linesAdded) ?? 0;
        f.removed += num(data.linesRemoved) ?? 0;
        return `edited ${path} (${signed(num(data.linesAdded) ?? 0, num(data.linesRemoved) ?? 0)})`;
      }
      if (call.tool === 'delete_file') {
        f.deleted = true;
        return `deleted ${path}`;
      }
      const lines = num(data.lines) ?? 0;
      if (data.created === true) {
        f.created = true;
        f.added += lines;
        return `created ${path} (${plural(lines, 'line')})`;
      }
      f.rewrittenLines = lines;
      return `rewrote ${path} (${plural(lines, 'line')})`;
    }
    case 'run_command': {
      const command = str(call.input.command);
      if (command === undefined || !('exitCode' in data)) return undefined;
      const exitCode = num(data.exitCode) ?? null;
      t.commands.push({ command, exitCode, ok: exitCode === 0 });
      return `ran \`${command}\` (exit ${exitCode ?? 'none'})`;
    }
    default:
      return undefined;
  }
}

function fileOf(t: TaskReport, path: string, tool: FileChange['tool']): FileChange {
  let f = t.files.find((x) => x.path === path);
  if (!f) t.files.push((f = { path, tool, added: 0, removed: 0, created: false, deleted: false, rewrittenLines: null }));
  f.tool = tool;
  if (tool !== 'delete_file') f.deleted = false;
  return f;
}

/** The task's mark now and its sub-tasks not done, from tasks.md as it is. */
function remaining(tree: TaskTree, t: TaskReport): Pick<TaskReport, 'openSubtasks' | 'statusNow'> {
  const task = tree.tasks.find((x) => (t.id !== null ? x.id === t.id : x.title === t.title));
  if (!task) return { openSubtasks: [], statusNow: null };
  const open = task.children.map((i) => tree.tasks[i]!).filter((c) => c.status !== 'done');
  return { openSubtasks: open.map((c) => ({ id: c.id, title: c.title })), statusNow: task.status };
}

const signed = (added: number, removed: number) => `+${added} −${removed}`;

export function fileStat(f: FileChange): string {
  if (f.deleted) return 'deleted';
  if (f.created) return `new, ${plural(f.added, 'line')}`;
  if (f.rewrittenLines !== null && f.added === 0 && f.removed === 0) return `rewritten, ${plural(f.rewrittenLines, 'line')}`;
  return signed(f.added, f.removed) + (f.rewrittenLines !== null ? ', rewritten' : '');
}

const END_LINE: Record<RunEnd['state'], string> = {
  completed: 'completed',
  failed: 'failed',
  stopped: 'stopped',
  paused: 'paused',
  interrupted: 'interrupted (its process ended without a last word: a crash, or the window closed)',
  running: 'still running',
};

/** How the run ended, in a sentence. */
export function describeEnd(r: CompletionReport): string {
  const e = r.end;
  const why = e.reason ? `: ${e.reason}` : '';
  if (e.state === 'stopped') return `Run ${r.runId} was stopped${why}${e.recovered ? ' (found cut short and closed afterwards)' : ''}.`;
  if (e.state === 'paused') return `Run ${r.runId} paused${e.pauseKind ? ` (${e.pauseKind})` : ''}${why}.`;
  return `Run ${r.runId} ${END_LINE[e.state]}${why}.`;
}

/** The report as Markdown (the chat, the tool's result); `plain` drops the Markdown marks (a terminal). */
export function renderCompletionReport(r: CompletionReport, opts: { plain?: boolean } = {}): string {
  const code = (s: string) => (opts.plain ? s : `\`${s.replace(/`/g, "'")}\``);
  const bold = (s: string) => (opts.plain ? s : `**${s}**`);
  const lines: string[] = [describeEnd(r)];
  if (r.note) lines.push(`Your note: ${r.note}`);
  const done = r.tasks.filter((t) => t.state === 'done').length;
  lines.push(`${done} of ${plural(r.tasks.length, 'task')} done${r.tasksFile ? ` (${r.tasksFile})` : ''}.`);
  // What it cost, as the CLI's last line and the panel's header say it.
  lines.push(`Model use: ${usageText(r.usage)}.`);
  lines.push('');
  for (const t of r.tasks) {
    const name = `${t.id ? `${t.id} ` : ''}${t.title}`;
    const state = t.state === 'done' ? (t.verified ? 'done, verified' : t.checks.length ? 'done, checks not all passed' : 'done, no checks ran') : t.state === 'started' ? 'not finished' : 'not started';
    lines.push(`${opts.plain ? '' : '- '}${bold(name)}: ${state}${t.statusNow && t.statusNow !== 'done' && t.state === 'done' ? ` (marked ${t.statusNow} in tasks.md now)` : ''}`);
    const sub = (s: string) => lines.push(`${opts.plain ? '    ' : '  - '}${s}`);
    if (t.summary) sub(`summary: ${t.summary}`);
    for (const f of t.files) sub(`file ${code(f.path)}: ${fileStat(f)}`);
    for (const c of t.commands) sub(`command ${code(c.command)}: exit ${c.exitCode ?? 'none'}`);
    for (const c of t.checks) sub(`check ${code(c.command)}: ${c.ok ? 'passed' : 'failed'}${c.exitCode !== null && !c.ok ? ` (exit ${c.exitCode})` : ''}`);
    if (t.state !== 'done' && t.steps.length === 0) sub('nothing finished in it');
    if (t.openSubtasks.length) sub(`remaining sub-tasks: ${t.openSubtasks.map((s) => `${s.id ?? ''} ${s.title}`.trim()).join('; ')}`);
  }
  if (r.truncated) lines.push('', `Note: ${r.truncated}`);
  return lines.join('\n') + '\n';
}

/**
 * The report of run `runId` of `workspace`, from its journal, with tasks.md as it is now for what remains (left out
 * when the file cannot be read: the journal alone still answers). Throws when the run has no journal.
 */
export async function readCompletionReport(workspace: string, runId: string): Promise<CompletionReport> {
  const j = await readJournal(workspace, runId);
  const started = j.events.find((e) => e.type === 'run.started');
  const tree = started?.type === 'run.started' ? await loadTasks(join(workspace, started.tasksFile)).then((s) => s.tree, () => undefined) : undefined;
  return completionReport(j.events, { live: !j.ended && runIsLive(workspace, runId), ...(tree ? { tree } : {}), ...(j.truncated ? { truncated: j.truncated } : {}) });
}
