import * as vscode from 'vscode';
import type { AgentRunner } from './agentRunner.js';
import { EXECUTE_TASK_COMMAND, STOP_COMMAND } from './agentRunner.js';
import type { TaskTreeCache } from './taskDocuments.js';

/**
 * `▶ Execute with Agent` above each open numbered task and `▶ Run all open tasks` at the top; while a run is on,
 * `● Running · Stop` on its current task and `Queued` on the rest, and nothing to start (one run at a time).
 */
export class ExecuteLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly cache: TaskTreeCache,
    private readonly runner: AgentRunner,
  ) {
    this.subscription = runner.onDidChange(() => this.changed.fire());
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const tree = this.cache.get(doc);
    const at = (line: number) => new vscode.Range(line - 1, 0, line - 1, 0);
    const open = tree.tasks.filter((t) => t.id !== null && t.status !== 'done');
    const run = this.runner.running;
    if (run) {
      if (run.file !== doc.uri.fsPath) return [];
      return open
        .filter((t) => run.taskIds.includes(t.id!) || (t.parent !== null && run.taskIds.includes(tree.tasks[t.parent]!.id ?? '')))
        .map((t) =>
          t.id === run.current
            ? new vscode.CodeLens(at(t.range.start.line), { title: '● Running · Stop', tooltip: 'Stop the agent (Spec Agent: Stop)', command: STOP_COMMAND })
            : new vscode.CodeLens(at(t.range.start.line), { title: 'Queued', command: '' }),
        );
    }
    const lenses = open.map(
      (t) => new vscode.CodeLens(at(t.range.start.line), { title: '▶ Execute with Agent', tooltip: `Run task ${t.id} with the agent`, command: EXECUTE_TASK_COMMAND, arguments: [doc.uri, t.id] }),
    );
    const roots = open.filter((t) => t.depth === 0);
    if (roots.length > 1) {
      const first = tree.tasks[0]!.range.start.line;
      lenses.unshift(new vscode.CodeLens(at(first), { title: '▶ Run all open tasks', tooltip: `Run tasks ${roots.map((t) => t.id).join(', ')}`, command: EXECUTE_TASK_COMMAND, arguments: [doc.uri, roots.map((t) => t.id).join(',')] }));
    }
    return lenses;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
