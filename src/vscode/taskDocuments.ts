import * as vscode from 'vscode';
import { parseTasks, type TaskTree } from '../core/spec/index.js';

/** The tasks.md files of Kiro specs: `.kiro/specs/<feature>/tasks.md` (and `.kiro/specs/tasks.md`). */
export const TASKS_SELECTOR: vscode.DocumentFilter = { language: 'markdown', pattern: '**/.kiro/specs/**/tasks.md' };

export function isTasksDocument(doc: vscode.TextDocument): boolean {
  return vscode.languages.match(TASKS_SELECTOR, doc) > 0;
}

/** Parsed task trees by document version: nothing re-parses a document that has not changed. */
export class TaskTreeCache implements vscode.Disposable {
  private readonly entries = new Map<string, { version: number; tree: TaskTree }>();
  private readonly subscription: vscode.Disposable;
  parses = 0;

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.subscription = vscode.workspace.onDidCloseTextDocument((doc) => this.entries.delete(doc.uri.toString()));
  }

  get(doc: vscode.TextDocument): TaskTree {
    const key = doc.uri.toString();
    const hit = this.entries.get(key);
    if (hit && hit.version === doc.version) return hit.tree;
    const started = performance.now();
    const tree = parseTasks(doc.getText());
    this.parses++;
    this.log.trace(`parsed ${vscode.workspace.asRelativePath(doc.uri)} v${doc.version}: ${tree.tasks.length} tasks in ${(performance.now() - started).toFixed(1)} ms`);
    this.entries.set(key, { version: doc.version, tree });
    return tree;
  }

  dispose(): void {
    this.subscription.dispose();
    this.entries.clear();
  }
}
