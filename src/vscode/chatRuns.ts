import * as vscode from 'vscode';
import { basename, dirname } from 'node:path';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { SessionResult } from '../core/agent/runSession.js';
import { ProgressLines, type ProgressLine } from '../core/chat/progressLines.js';
import type { SpecEntry } from '../core/chat/taskRequest.js';
import { readCompletionReport, type CompletionReport } from '../core/runs/completionReport.js';
import { RUNS_DIR } from '../core/runs/journal.js';
import type { AgentRunner, RunAsked } from './agentRunner.js';
import type { TaskTreeCache } from './taskDocuments.js';

/**
 * What the chat participant and the agent-mode tool share: the workspace's specs as the editor has them, and a
 * run started through the window's one AgentRunner (the same session, gate, journal, checkpoints and panel as a
 * click on a CodeLens), followed event by event and answered with its completion report.
 */

/** Every `.kiro/specs/<feature>/tasks.md` of the open folders, read through the editor (unsaved edits included). */
export async function workspaceSpecs(cache: TaskTreeCache): Promise<SpecEntry[]> {
  const files = await vscode.workspace.findFiles('**/.kiro/specs/*/tasks.md', '**/node_modules/**');
  const specs: SpecEntry[] = [];
  for (const uri of files.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
    const doc = await vscode.workspace.openTextDocument(uri);
    specs.push({ name: basename(dirname(uri.fsPath)), file: uri.fsPath, tree: cache.get(doc) });
  }
  return specs;
}

/** The workspace of a tasks.md: the folder holding `.kiro/`. */
export const workspaceOfSpec = (file: string): string => dirname(dirname(dirname(dirname(file))));

/** The runs journaled in the workspaces of these specs (or the open folders), newest first. */
export async function workspaceRuns(specs: readonly SpecEntry[]): Promise<Array<{ workspace: string; runId: string }>> {
  const workspaces = new Set([...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath), ...specs.map((s) => workspaceOfSpec(s.file))]);
  const runs: Array<{ workspace: string; runId: string }> = [];
  for (const workspace of workspaces) {
    for (const d of await readdir(join(workspace, RUNS_DIR), { withFileTypes: true }).catch(() => [])) if (d.isDirectory()) runs.push({ workspace, runId: d.name });
  }
  return runs.sort((a, b) => b.runId.localeCompare(a.runId));
}

export interface FollowedRun {
  result: SessionResult | undefined;
  /** The run's id (also when it failed before it could return a result), or undefined when none started. */
  runId: string | undefined;
  workspace: string | undefined;
  report: CompletionReport | undefined;
}

/**
 * Runs `start` (an execute or a resume of the runner), giving each of its events to `onLine` as progress lines,
 * and stopping it as Escape does when `token` is cancelled; then reads its completion report from the journal.
 */
export async function followRun(runner: AgentRunner, start: () => Promise<SessionResult | undefined>, onLine: (line: ProgressLine) => void, token: vscode.CancellationToken): Promise<FollowedRun> {
  const lines = new ProgressLines();
  let runId: string | undefined;
  let workspace: string | undefined;
  const subscription = runner.onEvent((e) => {
    // One run at a time per window: the events from this start on are this run's.
    if (e.type === 'run.started' && runId === undefined) {
      runId = e.runId;
      workspace = e.workspace;
    }
    if (e.runId !== runId) return;
    for (const l of lines.push(e)) onLine(l);
  });
  const cancel = token.onCancellationRequested(() => runner.stop());
  try {
    const result = await start();
    const report = runId && workspace ? await readCompletionReport(workspace, runId).catch(() => undefined) : undefined;
    return { result, runId, workspace, report };
  } finally {
    cancel.dispose();
    subscription.dispose();
  }
}

export type { RunAsked };
