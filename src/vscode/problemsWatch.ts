import { extname } from 'node:path';
import * as vscode from 'vscode';

/** The most a write waits for the language server's answer, and the quiet after an answer that ends the wait. */
const MAX_WAIT_MS = 1500;
const QUIET_MS = 250;
/** For a kind of file no language server has reported on in this window, a short wait is enough. */
const UNKNOWN_KIND_WAIT_MS = 300;

/** Files the TypeScript server checks, which it can be asked about directly (`typescript.tsserverRequest`). */
const TS_SERVER_KINDS = new Set(['.ts', '.tsx', '.js', '.jsx', '.mts', '.cts', '.mjs', '.cjs']);

/**
 * ToolContext.watchProblems for VS Code: the errors of a file in the Problems panel before a write, then after
 * it, and only the new ones (compared by source, code and message, since lines move). The wait after the write
 * is for onDidChangeDiagnostics on that file, bounded: it ends early once new errors were reported and the
 * server has been quiet for a moment. A TypeScript or JavaScript file is also asked of the TypeScript server
 * itself: when it answers that the file has no errors, the wait ends then (the Problems panel gets no event for a
 * file that stays clean, so only the bound ended that wait before).
 */
export async function watchProblems(absPath: string): Promise<() => Promise<string[]>> {
  const uri = vscode.Uri.file(absPath);
  const before = counts(errorsOf(uri));
  const known = knownKind(absPath);
  // When new errors were last seen to change (0: not yet). A server reports in steps (syntax, then semantics;
  // an empty report first), so only a report with new errors in it, then a quiet moment, ends the wait early.
  let newErrorsAt = 0;
  let wake: (() => void) | undefined;
  const sub = vscode.languages.onDidChangeDiagnostics((e) => {
    if (!e.uris.some((u) => u.toString() === uri.toString())) return;
    if (fresh(uri, before).length > 0) newErrorsAt = Date.now();
    wake?.();
  });
  return async () => {
    try {
      await showInTab(uri);
      const deadline = Date.now() + (known ? MAX_WAIT_MS : UNKNOWN_KIND_WAIT_MS);
      if (fresh(uri, before).length > 0 && newErrorsAt === 0) newErrorsAt = Date.now();
      // The server's own answer, asked once the document holds what was written: "no errors" ends the wait.
      let clean = false;
      if (TS_SERVER_KINDS.has(extname(absPath).toLowerCase())) {
        void serverErrorCount(uri, deadline).then((n) => {
          if (n !== 0) return;
          clean = true;
          wake?.();
        });
      }
      for (;;) {
        const now = Date.now();
        if (now >= deadline || clean) break;
        if (newErrorsAt > 0 && now - newErrorsAt >= QUIET_MS) break;
        const until = newErrorsAt > 0 ? Math.min(deadline, newErrorsAt + QUIET_MS) : deadline;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, until - now);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      return fresh(uri, before).map(describe);
    } finally {
      sub.dispose();
    }
  };
}

/**
 * How many errors the TypeScript server finds in the file (syntax and semantics), asked once the open document
 * holds the file's content on disk (VS Code reloads an open document when its file changes, a moment later);
 * undefined when it cannot say by `deadline` (no TypeScript extension, another answer, a document that did not
 * catch up). Its requests sync the open documents first, so the answer is about what was written.
 */
async function serverErrorCount(uri: vscode.Uri, deadline: number): Promise<number | undefined> {
  try {
    if (!(await documentCaughtUp(uri, deadline))) return undefined;
    let errors = 0;
    for (const request of ['syntacticDiagnosticsSync', 'semanticDiagnosticsSync']) {
      const r = await vscode.commands.executeCommand<{ success?: boolean; body?: Array<{ category?: string }> } | undefined>('typescript.tsserverRequest', request, { file: uri.fsPath });
      if (!r?.success || !Array.isArray(r.body)) return undefined;
      errors += r.body.filter((d) => d.category === 'error').length;
    }
    return errors;
  } catch {
    return undefined;
  }
}

/** Whether the open document of `uri` shows what the file on disk holds, waiting for its reload until `deadline`. */
async function documentCaughtUp(uri: vscode.Uri, deadline: number): Promise<boolean> {
  const onDisk = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (!doc) return false;
  // The editor may hold the text with other line ends (files.eol); the content is what counts.
  const same = () => doc.getText().replace(/\r\n/g, '\n') === onDisk.replace(/\r\n/g, '\n');
  if (same()) return true;
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => finish(false), Math.max(0, deadline - Date.now()));
    const sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document === doc && same()) finish(true);
    });
    function finish(ok: boolean) {
      clearTimeout(timer);
      sub.dispose();
      resolve(ok);
    }
  });
}

/** The errors of the file beyond those it had before (by source, code and message, as many times as before). */
function fresh(uri: vscode.Uri, before: Map<string, number>): vscode.Diagnostic[] {
  const seen = new Map<string, number>();
  const out: vscode.Diagnostic[] = [];
  for (const d of errorsOf(uri)) {
    const k = key(d);
    const n = (seen.get(k) ?? 0) + 1;
    seen.set(k, n);
    if (n > (before.get(k) ?? 0)) out.push(d);
  }
  return out;
}

/**
 * The TypeScript server (like others) checks only the files open in an editor tab: a file the agent wrote that is
 * in no tab is opened in a background preview tab: the user's editor stays in front, and the tab shows what the
 * agent changed, as in other agents. VS Code reloads an open document from disk when the file changes.
 */
async function showInTab(uri: vscode.Uri): Promise<void> {
  const inTab = vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString()));
  try {
    const doc = await vscode.workspace.openTextDocument(uri);
    // In the background: a tab the user can look at, never the editor they are looking at (`background` is an
    // option of the vscode.open command, not of showTextDocument). Taking their tasks.md away mid-run was a bug.
    if (!inTab) await vscode.commands.executeCommand('vscode.open', doc.uri, { preview: true, preserveFocus: true, background: true });
  } catch {
    // A file that cannot be opened has no problems to report.
  }
}

const errorsOf = (uri: vscode.Uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);

function codeOf(d: vscode.Diagnostic): string {
  const c = d.code;
  if (c === undefined) return '';
  return String(typeof c === 'object' ? c.value : c);
}

const key = (d: vscode.Diagnostic) => `${d.source ?? ''}|${codeOf(d)}|${d.message}`;

function counts(ds: vscode.Diagnostic[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const d of ds) m.set(key(d), (m.get(key(d)) ?? 0) + 1);
  return m;
}

/** `line 3: error ts(2322): Type 'string' is not assignable to type 'number'.`, as the Problems panel words it. */
function describe(d: vscode.Diagnostic): string {
  const code = codeOf(d);
  const origin = d.source ? `${d.source}${code ? `(${code})` : ''}: ` : code ? `${code}: ` : '';
  return `line ${d.range.start.line + 1}: error ${origin}${d.message.split('\n')[0]}`;
}

/** Whether a language server has reported on files of this kind (extension) in this window. */
function knownKind(absPath: string): boolean {
  const ext = extname(absPath).toLowerCase();
  if (['.ts', '.tsx', '.js', '.jsx', '.mts', '.cts', '.mjs', '.cjs', '.json', '.jsonc'].includes(ext)) return true;
  return vscode.languages.getDiagnostics().some(([u]) => extname(u.fsPath).toLowerCase() === ext);
}
