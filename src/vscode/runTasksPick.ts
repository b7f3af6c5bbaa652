import * as vscode from 'vscode';
import { checkTaskSpec } from '../core/agent/taskSelection.js';
import type { TaskTree } from '../core/spec/index.js';
import { EXECUTE_TASK_COMMAND } from './agentRunner.js';
import type { TaskTreeCache } from './taskDocuments.js';

export const RUN_TASKS_COMMAND = 'specAgent.runTasks';

interface Item extends vscode.QuickPickItem {
  taskId?: string;
  /** The row that reads back what was typed: the tasks it runs, or what is wrong with it. */
  typed?: boolean;
}

/** Something typed that is meant as task ids (`1-3`, `2.1, 2.3`, `MVP-2`) rather than words to filter by. */
const looksLikeIds = (value: string) => /\d/.test(value) && value.split(',').every((p) => /^\s*[^\s,]*\s*(-\s*[^\s,]+\s*)?$/.test(p));

/**
 * `Run tasks…`: a quick pick of the open tasks of a tasks.md (check several), or a range or list typed in its box
 * (`1-3`, `2.1, 2.3`), checked against the file as it is typed; then the run starts as Execute with Agent does.
 */
export class TaskPicker implements vscode.Disposable {
  /** The picker on screen (tests drive it). */
  current: vscode.QuickPick<Item> | undefined;
  private readonly registration: vscode.Disposable;

  constructor(private readonly cache: TaskTreeCache) {
    this.registration = vscode.commands.registerCommand(RUN_TASKS_COMMAND, (uri?: vscode.Uri) => this.run(uri ?? vscode.window.activeTextEditor?.document.uri));
  }

  async run(uri: vscode.Uri | undefined): Promise<unknown> {
    if (!uri) return void vscode.window.showErrorMessage('Spec Agent: open a tasks.md first; Run tasks… picks among its tasks.');
    const doc = await vscode.workspace.openTextDocument(uri);
    const spec = await this.pick(this.cache.get(doc), vscode.workspace.asRelativePath(uri));
    return spec === undefined ? undefined : vscode.commands.executeCommand(EXECUTE_TASK_COMMAND, uri, spec);
  }

  /** The task spec to run (ids joined by commas, or what was typed), or undefined when the user cancels. */
  private pick(tree: TaskTree, name: string): Promise<string | undefined> {
    const open = tree.tasks.filter((t) => t.id !== null && t.status !== 'done');
    const taskItems: Item[] = open.map((t) => ({
      // Sub-tasks are indented under their parent (leading spaces of a label are trimmed; em spaces are not).
      label: `${'\u2003'.repeat(t.depth)}${t.id} ${t.title}`,
      description: [t.optional ? 'optional' : '', t.status === 'in_progress' ? 'in progress' : ''].filter(Boolean).join(' · ') || undefined,
      detail: t.requirements.length ? `${'\u2003'.repeat(t.depth)}Requirements ${t.requirements.join(', ')}` : undefined,
      taskId: t.id!,
    }));
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = `Run tasks of ${name}`;
    qp.placeholder = 'Check tasks, or type a range or a list (1-3, 2.1, 2.3), then press Enter';
    qp.canSelectMany = true;
    qp.matchOnDetail = true;
    qp.items = taskItems;
    const typed = (): Item | undefined => {
      const value = qp.value.trim();
      if (!looksLikeIds(value)) return undefined;
      const { tasks, error } = checkTaskSpec(tree, value);
      return error
        ? { label: `$(error) ${error}`, alwaysShow: true, typed: true }
        : { label: `$(run-all) Run ${value}`, description: `tasks ${tasks.map((t) => t.id ?? t.title).join(', ')}`, alwaysShow: true, typed: true };
    };
    const update = () => {
      const row = typed();
      qp.items = row ? [row, ...taskItems] : taskItems;
    };
    this.current = qp;
    return new Promise<string | undefined>((done) => {
      let result: string | undefined;
      qp.onDidChangeValue(update);
      qp.onDidAccept(() => {
        const value = qp.value.trim();
        if (looksLikeIds(value)) {
          // A typed range or list wins over checked rows: it is what the user did last.
          if (checkTaskSpec(tree, value).error) return update();
          result = value;
        } else {
          const picked = qp.selectedItems.filter((i) => i.taskId).map((i) => i.taskId!);
          if (picked.length === 0) {
            qp.placeholder = 'Nothing is checked: check tasks (Space), or type a range or a list (1-3, 2.1, 2.3)';
            return;
          }
          result = picked.join(',');
        }
        qp.hide();
      });
      qp.onDidHide(() => {
        if (this.current === qp) this.current = undefined;
        qp.dispose();
        done(result);
      });
      qp.show();
    });
  }

  dispose(): void {
    this.registration.dispose();
    this.current?.dispose();
  }
}
