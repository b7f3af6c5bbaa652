import * as vscode from 'vscode';
import { TASK_RUN_LABELS, taskRunStates, type RunEnd, type TaskRunState } from '../core/agent/taskRunStates.js';
import { isTerminal } from '../core/runs/events.js';
import type { AgentRunner } from './agentRunner.js';
import { STOP_AFTER_TASK_COMMAND, STOP_COMMAND } from './agentRunner.js';
import type { Approvals } from './approvals.js';
import { SHOW_ACTIVITY_COMMAND } from './autonomy.js';
import { isTasksDocument, type TaskTreeCache } from './taskDocuments.js';

/** Theme colours, so the state reads in any theme (and high contrast). */
const COLOURS: Record<TaskRunState, string> = {
  running: 'charts.blue',
  stopping: 'charts.blue',
  waiting: 'editorWarning.foreground',
  queued: 'editorCodeLens.foreground',
  stopped: 'editorWarning.foreground',
  paused: 'editorWarning.foreground',
  failed: 'editorError.foreground',
};

const link = (title: string, command: string) => `[${title}](command:${command})`;

/** What a hover over the state offers: Stop while it runs, the panel always (Resume, Discard and Keep are there). */
function hover(state: TaskRunState): vscode.MarkdownString {
  const panel = link('Show Agent Activity', SHOW_ACTIVITY_COMMAND);
  const text =
    state === 'running' || state === 'waiting' || state === 'stopping'
      ? `**${TASK_RUN_LABELS[state]}**: the agent is on this task.\n\n${link('Stop', STOP_COMMAND)}${state === 'stopping' ? '' : ` · ${link('Stop after this task', STOP_AFTER_TASK_COMMAND)}`} · ${panel}`
      : state === 'queued'
        ? `**Queued**: part of the run under way, after the task it is on.\n\n${link('Stop', STOP_COMMAND)} · ${panel}`
        : `**${TASK_RUN_LABELS[state]}**: the last run on this task did not finish it. Resume, Discard changes or Keep changes in Agent Activity.\n\n${panel}`;
  const md = new vscode.MarkdownString(text);
  md.isTrusted = { enabledCommands: [STOP_COMMAND, STOP_AFTER_TASK_COMMAND, SHOW_ACTIVITY_COMMAND] };
  return md;
}

/**
 * The run state of each task line ("● Running", "Queued", "● Waiting for approval", "■ Stopped"), drawn after the
 * line as soon as the run's state changes (taskRunStates.ts says why not as a CodeLens). Follows the runner, the
 * gate's questions, the editors on screen and edits of the run's tasks.md.
 */
export class RunStateDecorations implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 1.5em', fontStyle: 'normal' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  /** The run under way as last seen: at its terminal event the runner already says no run, and this says where it was. */
  private seen: { file: string; current?: string } | undefined;
  /** How the last run ended, in which file, when it did not complete; hidden while its changes are discarded. */
  private end: (RunEnd & { file: string; runId: string; hidden?: boolean }) | undefined;
  private paused = false;
  private readonly subscriptions: vscode.Disposable[];
  /** What each editor shows, by document URI: line (1-based) and label (tests read it). */
  readonly shown = new Map<string, Array<{ line: number; label: string }>>();

  constructor(
    private readonly cache: TaskTreeCache,
    private readonly runner: AgentRunner,
    private readonly approvals: Approvals,
    /** Discard changes and Undo discard (Agent Activity): a discarded run's task no longer says how it ended. */
    onDidDiscard: vscode.Event<{ runId: string; discarded: boolean }>,
  ) {
    this.subscriptions = [
      onDidDiscard(({ runId, discarded }) => {
        if (this.end?.runId !== runId) return;
        this.end.hidden = discarded;
        this.render();
      }),
      runner.onEvent((e) => {
        if (e.type === 'run.started') this.paused = false;
        if (e.type === 'run.paused') this.paused = true;
        if (!isTerminal(e)) return;
        const where = this.seen;
        this.end = e.type === 'run.completed' || !where?.current ? undefined : { file: where.file, runId: e.runId, taskId: where.current, state: e.type === 'run.failed' ? 'failed' : this.paused ? 'paused' : 'stopped' };
      }),
      runner.onDidChange(() => {
        const run = runner.running;
        if (run) {
          this.seen = { file: run.file, ...(run.current ? { current: run.current } : {}) };
          this.end = undefined;
        }
        this.render();
      }),
      approvals.onDidChange(() => this.render()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.render()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.fsPath === this.file()) this.render();
      }),
    ];
    this.render();
  }

  /** The tasks.md whose lines show a state: the run's, or the one the last run ended in. */
  private file(): string | undefined {
    return this.runner.running?.file ?? this.end?.file;
  }

  private render(): void {
    const run = this.runner.running;
    const file = this.file();
    for (const editor of vscode.window.visibleTextEditors) {
      const doc = editor.document;
      if (!isTasksDocument(doc)) continue;
      const key = doc.uri.toString();
      const states =
        doc.uri.fsPath !== file
          ? []
          : taskRunStates(this.cache.get(doc), run && { taskIds: run.taskIds, ...(run.current ? { current: run.current } : {}), waiting: this.approvals.size > 0, stoppingAfterTask: run.stoppingAfterTask }, run || this.end?.hidden ? undefined : this.end);
      if (states.length === 0 && !this.shown.has(key)) continue;
      const decorations = states.map(({ task, state }): vscode.DecorationOptions => {
        const line = doc.lineAt(task.range.start.line - 1);
        return {
          range: new vscode.Range(line.range.end, line.range.end),
          hoverMessage: hover(state),
          renderOptions: { after: { contentText: TASK_RUN_LABELS[state], color: new vscode.ThemeColor(COLOURS[state]) } },
        };
      });
      editor.setDecorations(this.type, decorations);
      if (states.length) this.shown.set(key, states.map(({ task, state }) => ({ line: task.range.start.line, label: TASK_RUN_LABELS[state] })));
      else this.shown.delete(key);
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.type.dispose();
  }
}
