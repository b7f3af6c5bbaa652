import * as vscode from 'vscode';
import { steeringDiagnostics } from '../core/spec/steering.js';
import { DocumentDebouncer } from './documentDebouncer.js';
import { toVscodeDiagnostic } from './specDiagnostics.js';

const DEBOUNCE_MS = 200;

/**
 * Problems in a steering file's front matter (an unknown inclusion, a bad fileMatchPattern, broken YAML), shown
 * as the user types, like tasks.md's: such a file is left out of every prompt, and the user should see why.
 */
export class SteeringDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('spec-agent-steering');
  private readonly debouncer: DocumentDebouncer<vscode.TextDocument>;
  private readonly disposables: vscode.Disposable[] = [this.collection];

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.debouncer = new DocumentDebouncer(
      (doc) => this.update(doc),
      (doc, err) => this.log.error(`steering diagnostics for ${doc.uri.fsPath} failed: ${String(err)}`),
    );
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((doc) => this.schedule(doc, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document, DEBOUNCE_MS)),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        this.debouncer.cancel(doc);
        this.collection.delete(doc.uri);
      }),
    );
    for (const doc of vscode.workspace.textDocuments) this.schedule(doc, 0);
  }

  private schedule(doc: vscode.TextDocument, delay: number): void {
    if (isSteeringDocument(doc)) this.debouncer.schedule(doc, delay);
  }

  /** Recomputes now; returns what was published. */
  update(doc: vscode.TextDocument): vscode.Diagnostic[] {
    if (doc.isClosed) return [];
    const diagnostics = steeringDiagnostics(doc.getText()).map(toVscodeDiagnostic);
    this.collection.set(doc.uri, diagnostics);
    return diagnostics;
  }

  dispose(): void {
    this.debouncer.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** `.kiro/steering/*.md` of any folder, the global `~/.kiro/steering` included. */
export function isSteeringDocument(doc: vscode.TextDocument): boolean {
  return /[\\/]\.kiro[\\/]steering[\\/][^\\/]+\.md$/i.test(doc.uri.path);
}

