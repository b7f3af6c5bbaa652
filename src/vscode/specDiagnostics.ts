import * as vscode from 'vscode';
import { findUnknownRequirementRefs, parseRequirements, REQUIREMENTS_FILES, type RequirementsDoc, type SpecDiagnostic } from '../core/spec/index.js';
import { DocumentDebouncer } from './documentDebouncer.js';
import { isTasksDocument, type TaskTreeCache } from './taskDocuments.js';

const DEBOUNCE_MS = 200;

/**
 * Problems in tasks.md (duplicate ids, lines that look like tasks but are not, requirement refs that
 * requirements.md, or a bugfix spec's bugfix.md, does not define), kept up to date as the user types and as they change.
 */
export class SpecDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('spec-agent');
  private readonly debouncer: DocumentDebouncer<vscode.TextDocument>;
  private readonly requirements = new Map<string, { stamp: string; doc: RequirementsDoc }>();
  private readonly disposables: vscode.Disposable[] = [this.collection];

  constructor(private readonly cache: TaskTreeCache, private readonly log: vscode.LogOutputChannel) {
    this.debouncer = new DocumentDebouncer(
      (doc) => this.update(doc),
      (doc, err) => this.log.error(`diagnostics for ${doc.uri.fsPath} failed: ${String(err)}`),
    );
    const watcher = vscode.workspace.createFileSystemWatcher('**/.kiro/specs/**/{requirements,bugfix}.md');
    const onRequirements = (uri: vscode.Uri) => this.refreshFolder(uri);
    this.disposables.push(
      watcher,
      watcher.onDidChange(onRequirements),
      watcher.onDidCreate(onRequirements),
      watcher.onDidDelete(onRequirements),
      vscode.workspace.onDidOpenTextDocument((doc) => this.schedule(doc, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (isRequirementsDocument(e.document)) this.refreshFolder(e.document.uri);
        else this.schedule(e.document, DEBOUNCE_MS);
      }),
      vscode.workspace.onDidCloseTextDocument((doc) => {
        this.collection.delete(doc.uri);
        this.debouncer.cancel(doc);
      }),
    );
    for (const doc of vscode.workspace.textDocuments) this.schedule(doc, 0);
  }

  private schedule(doc: vscode.TextDocument, delay: number): void {
    if (isTasksDocument(doc)) this.debouncer.schedule(doc, delay);
  }

  /** Recomputes now; returns what was published (tests and callers that cannot wait for the debounce). */
  async update(doc: vscode.TextDocument): Promise<vscode.Diagnostic[]> {
    if (doc.isClosed) return [];
    const version = doc.version;
    const tree = this.cache.get(doc);
    const found: SpecDiagnostic[] = [...tree.diagnostics];
    const requirements = await this.requirementsFor(doc.uri);
    if (doc.isClosed || doc.version !== version) return [];
    if (requirements) found.push(...findUnknownRequirementRefs(doc.getText(), tree, requirements));
    const diagnostics = found.map(toVscodeDiagnostic);
    this.collection.set(doc.uri, diagnostics);
    return diagnostics;
  }

  private refreshFolder(requirementsUri: vscode.Uri): void {
    const folder = vscode.Uri.joinPath(requirementsUri, '..').toString();
    this.requirements.delete(requirementsUri.toString());
    for (const doc of vscode.workspace.textDocuments) {
      if (vscode.Uri.joinPath(doc.uri, '..').toString() === folder) this.schedule(doc, DEBOUNCE_MS);
    }
  }

  /**
   * The sibling requirements.md, else a bugfix spec's bugfix.md: the open document if there is one (unsaved edits
   * count), else the file.
   */
  private async requirementsFor(tasksUri: vscode.Uri): Promise<RequirementsDoc | undefined> {
    for (const file of REQUIREMENTS_FILES) {
      const doc = await this.requirementsFile(vscode.Uri.joinPath(tasksUri, '..', file), file);
      if (doc) return doc;
    }
    return undefined;
  }

  private async requirementsFile(uri: vscode.Uri, file: string): Promise<RequirementsDoc | undefined> {
    const key = uri.toString();
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    let stamp: string;
    let read: () => Promise<string>;
    if (open) {
      stamp = `doc:${open.version}`;
      read = async () => open.getText();
    } else {
      const stat = await Promise.resolve(vscode.workspace.fs.stat(uri)).catch(() => undefined);
      if (!stat) return undefined;
      stamp = `file:${stat.mtime}:${stat.size}`;
      read = async () => new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    }
    const hit = this.requirements.get(key);
    if (hit && hit.stamp === stamp) return hit.doc;
    const doc = parseRequirements(await read(), file);
    this.requirements.set(key, { stamp, doc });
    return doc;
  }

  dispose(): void {
    this.debouncer.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function isRequirementsDocument(doc: vscode.TextDocument): boolean {
  return /[\\/]\.kiro[\\/]specs[\\/](?:.*[\\/])?(?:requirements|bugfix)\.md$/.test(doc.uri.path);
}

/** One of Spec Agent's diagnostics (a spec's or a steering file's: they share a shape) as VS Code shows it. */
export function toVscodeDiagnostic(d: Pick<SpecDiagnostic, 'line' | 'column' | 'endColumn' | 'message' | 'severity'> & { code: string }): vscode.Diagnostic {
  const range = new vscode.Range(d.line - 1, d.column - 1, d.line - 1, Math.max(d.endColumn, d.column + 1) - 1);
  const out = new vscode.Diagnostic(range, d.message, d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  out.source = 'Spec Agent';
  out.code = d.code;
  return out;
}
