import { basename, dirname, resolve } from 'node:path';
import * as vscode from 'vscode';
import { listRunIds, readRunRecord, type RunRecord } from '../core/runs/runIndex.js';
import { workspaceOf } from '../core/spec/index.js';
import type { AgentRunner } from './agentRunner.js';

const key = (t: { id: string | null; title: string }) => `${t.id ?? ''}\0${t.title}`;

/**
 * Which run last completed each task, for the `View changes` lens. The lenses ask synchronously on every render,
 * so the answer comes from memory: a workspace's journals are read once, the first time one of its tasks.md is
 * shown, and after that only the journal of a run that changed (its summary.json was written: a run ended here or
 * in the CLI) or the run under way in this window (at each of its tasks).
 */
export class RunIndex implements vscode.Disposable {
  private readonly runs = new Map<string, Map<string, RunRecord>>();
  private readonly loading = new Set<string>();
  private readonly workspaces = new Map<string, string | undefined>();
  /** tasks.md (absolute) -> task (id and title) -> the id of the latest run that completed it. */
  private byFile = new Map<string, Map<string, string>>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Journals read so far (tests: rendering lenses reads none). */
  reads = 0;

  constructor(runner: AgentRunner) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/.kiro/runs/*/summary.json');
    const onSummary = (uri: vscode.Uri) => {
      // <workspace>/.kiro/runs/<run id>/summary.json
      const runDir = dirname(uri.fsPath);
      void this.refresh(dirname(dirname(dirname(runDir))), basename(runDir));
    };
    this.subscriptions.push(
      watcher,
      watcher.onDidCreate(onSummary),
      watcher.onDidChange(onSummary),
      runner.onDidChange(() => {
        const first = runner.events[0];
        if (first?.type === 'run.started') void this.refresh(first.workspace, first.runId);
      }),
    );
  }

  /** The latest run that completed this task of this tasks.md; undefined too while the workspace is indexed. */
  completedBy(file: string, task: { id: string | null; title: string }): string | undefined {
    const ws = this.workspaceOf(file);
    if (ws === undefined) return undefined;
    if (!this.runs.has(ws)) {
      void this.load(ws);
      return undefined;
    }
    return this.byFile.get(resolve(file))?.get(key(task));
  }

  /** The workspace (the folder holding .kiro) of a run this index has read. */
  workspaceOfRun(runId: string): string | undefined {
    for (const [ws, runs] of this.runs) if (runs.has(runId)) return ws;
    return undefined;
  }

  private workspaceOf(file: string): string | undefined {
    if (!this.workspaces.has(file)) this.workspaces.set(file, workspaceOf(file));
    return this.workspaces.get(file);
  }

  private async load(ws: string): Promise<void> {
    if (this.loading.has(ws)) return;
    this.loading.add(ws);
    const runs = new Map<string, RunRecord>();
    for (const id of await listRunIds(ws)) {
      this.reads++;
      const record = await readRunRecord(ws, id);
      if (record) runs.set(id, record);
    }
    // Runs that were refreshed while the folder was being read are newer than what was read for them.
    for (const [id, record] of this.runs.get(ws) ?? []) runs.set(id, record);
    this.runs.set(ws, runs);
    this.loading.delete(ws);
    this.rebuild();
  }

  /** Reads one run's journal again (it ended, or moved to its next task). */
  private async refresh(ws: string, runId: string): Promise<void> {
    if (!this.runs.has(ws) && !this.loading.has(ws)) return void this.load(ws);
    this.reads++;
    const record = await readRunRecord(ws, runId).catch(() => undefined);
    if (!record) return;
    if (!this.runs.has(ws)) this.runs.set(ws, new Map());
    this.runs.get(ws)!.set(runId, record);
    this.rebuild();
  }

  private rebuild(): void {
    const byFile = new Map<string, Map<string, string>>();
    const all = [...this.runs.values()].flatMap((m) => [...m.values()]).sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.runId.localeCompare(b.runId));
    for (const run of all) {
      if (!byFile.has(run.tasksFile)) byFile.set(run.tasksFile, new Map());
      for (const t of run.completed) byFile.get(run.tasksFile)!.set(key(t), run.runId);
    }
    // Only a real change is announced: each announcement makes VS Code ask the lenses again after its debounce, and
    // one that changes nothing (the summary.json a closing run writes) would push back a refresh still pending.
    const before = this.byFile;
    this.byFile = byFile;
    if (!sameIndex(before, byFile)) this.changed.fire();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

function sameIndex(a: Map<string, Map<string, string>>, b: Map<string, Map<string, string>>): boolean {
  if (a.size !== b.size) return false;
  for (const [file, tasks] of a) {
    const other = b.get(file);
    if (!other || other.size !== tasks.size) return false;
    for (const [task, runId] of tasks) if (other.get(task) !== runId) return false;
  }
  return true;
}
