import * as vscode from 'vscode';
import { tasksOfRun } from '../core/agent/tasksOfRun.js';
import type { AgentRunner } from './agentRunner.js';
import { EXECUTE_TASK_COMMAND } from './agentRunner.js';
import { SHOW_ACTIVITY_COMMAND } from './autonomy.js';
import { VIEW_RUN_CHANGES_COMMAND } from './runChanges.js';
import type { RunIndex } from './runIndex.js';
import { RUN_TASKS_COMMAND } from './runTasksPick.js';
import type { TaskTreeCache } from './taskDocuments.js';

/**
 * `▶ Execute with Agent` above each open numbered task, `▶ Run all open tasks` and `Run tasks…` at the top; while a
 * run is on, `Agent Activity` above each of its tasks and nothing to start (one run at a time). `View changes` on
 * each task a run completed (the latest such run), from the run index in memory.
 *
 * No lens says what the run is doing: VS Code redraws lenses a debounce after they change (see taskRunStates.ts),
 * so a lens that said `● Running · Stop` still said it for up to a second after the run stopped. The state is a
 * decoration on the task line (runStateDecorations.ts), set at once; a lens here is only ever late in a harmless
 * way: `Agent Activity` still opens the panel of the run that just ended (Resume, Discard, Keep are there), and a
 * late `▶ Execute with Agent` at a run's start says a run is under way.
 */
export class ExecuteLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly cache: TaskTreeCache,
    private readonly runner: AgentRunner,
    private readonly runs: RunIndex,
  ) {
    this.subscriptions = [
      runner.onDidChange(() => {
        // Only when what the lenses show changed: VS Code asks the providers again a debounce (250 ms, 375 ms for an
        // extension under development) after the last announcement, so one that changes nothing (the run's session
        // closing after its terminal event) would push back the refresh the terminal event asked for.
        const shown = lensState(runner);
        if (shown === this.shown) return;
        this.shown = shown;
        this.changed.fire();
        // VS Code drops a lens refresh still waiting when the editor loses focus (the user clicks into the panel as
        // the run ends), which would leave `Agent Activity` up instead of Execute: once the run is over, ask once more.
        if (!runner.running) this.later(() => this.changed.fire(), 1_000);
      }),
      runs.onDidChange(() => this.changed.fire()),
    ];
  }

  /** The run state the lenses were last announced for. */
  private shown = 'idle';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private later(fn: () => void, ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(fn, ms);
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const tree = this.cache.get(doc);
    const at = (line: number) => new vscode.Range(line - 1, 0, line - 1, 0);
    const changes = tree.tasks.flatMap((t) => {
      // Only on a ticked box: a run that was discarded unticked it, and its diff would be empty.
      const runId = t.id === null || t.status !== 'done' ? undefined : this.runs.completedBy(doc.uri.fsPath, t);
      return runId ? [new vscode.CodeLens(at(t.range.start.line), { title: 'View changes', tooltip: `What run ${runId} changed: each file before the run and now`, command: VIEW_RUN_CHANGES_COMMAND, arguments: [runId] })] : [];
    });
    const open = tree.tasks.filter((t) => t.id !== null && t.status !== 'done');
    const run = this.runner.running;
    if (run) {
      if (run.file !== doc.uri.fsPath) return changes;
      // Un-numbered tasks too (named by their title): the same tasks as the run-state decorations mark.
      return tasksOfRun(tree, run.taskIds)
        .map((t) => new vscode.CodeLens(at(t.range.start.line), { title: 'Agent Activity', tooltip: `Task ${t.id ?? `"${t.title}"`} is part of the run under way: watch it, stop it or answer its questions in Agent Activity`, command: SHOW_ACTIVITY_COMMAND }))
        .concat(changes);
    }
    const lenses = open.map(
      (t) => new vscode.CodeLens(at(t.range.start.line), { title: '▶ Execute with Agent', tooltip: `Run task ${t.id} with the agent`, command: EXECUTE_TASK_COMMAND, arguments: [doc.uri, t.id] }),
    );
    const roots = open.filter((t) => t.depth === 0);
    if (roots.length > 1) {
      const first = tree.tasks[0]!.range.start.line;
      lenses.unshift(new vscode.CodeLens(at(first), { title: '▶ Run all open tasks', tooltip: `Run tasks ${roots.map((t) => t.id).join(', ')}`, command: EXECUTE_TASK_COMMAND, arguments: [doc.uri, roots.map((t) => t.id).join(',')] }));
    }
    if (open.length > 1) {
      const picker = new vscode.CodeLens(at(tree.tasks[0]!.range.start.line), { title: 'Run tasks…', tooltip: 'Pick tasks to run, or type a range or a list (1-3, 2.1, 2.3)', command: RUN_TASKS_COMMAND, arguments: [doc.uri] });
      lenses.splice(roots.length > 1 ? 1 : 0, 0, picker);
    }
    return lenses.concat(changes);
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

/** What of the run under way the lenses depend on: which file and which tasks (not which one runs: no lens says). */
function lensState(runner: AgentRunner): string {
  const run = runner.running;
  return run ? JSON.stringify([run.file, run.taskIds]) : 'idle';
}
