import * as vscode from 'vscode';
import { MAX_SPEC_FILE_BYTES, MAX_SPEC_FILE_SIZE, TaskParser, type TaskTree } from '../core/spec/index.js';

/** The tasks.md files of Kiro specs: `.kiro/specs/<feature>/tasks.md` (and `.kiro/specs/tasks.md`). */
export const TASKS_SELECTOR: vscode.DocumentFilter = { language: 'markdown', pattern: '**/.kiro/specs/**/tasks.md' };

export function isTasksDocument(doc: vscode.TextDocument): boolean {
  return vscode.languages.match(TASKS_SELECTOR, doc) > 0;
}

/**
 * Parsed task trees by document version: nothing re-parses a document that has not changed, and a changed one
 * re-parses only the top-level blocks that changed (TaskParser keeps the blocks of the last version).
 */
export class TaskTreeCache implements vscode.Disposable {
  private readonly entries = new Map<string, { version: number; tree: TaskTree; parser: TaskParser }>();
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
    const parser = hit?.parser ?? new TaskParser();
    const text = doc.getText();
    // The same limit as for a file read from disk: past it, a parse on every keystroke would stall the host.
    const tree = Buffer.byteLength(text) > MAX_SPEC_FILE_BYTES ? tooLarge(text) : parser.parse(text);
    this.parses++;
    this.log.trace(
      `parsed ${vscode.workspace.asRelativePath(doc.uri)} v${doc.version}: ${tree.tasks.length} tasks in ${(performance.now() - started).toFixed(1)} ms ` +
        `(${parser.parsedBlocks} of ${parser.totalBlocks} blocks)`,
    );
    this.entries.set(key, { version: doc.version, tree, parser });
    return tree;
  }

  dispose(): void {
    this.subscription.dispose();
    this.entries.clear();
  }
}

function tooLarge(text: string): TaskTree {
  const message = `This tasks.md is ${(Buffer.byteLength(text) / 1024 / 1024).toFixed(1)} MB, over the ${MAX_SPEC_FILE_SIZE} limit for a spec file (a larger one takes more than 2 s to parse); its tasks are not read. Split it into several specs.`;
  return { tasks: [], roots: [], bom: text.charCodeAt(0) === 0xfeff, diagnostics: [{ line: 1, column: 1, endColumn: 2, severity: 'error', code: 'too-large', message }] };
}
