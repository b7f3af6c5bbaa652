import { existsSync } from 'node:fs';
import { basename, isAbsolute, join, posix, relative, sep } from 'node:path';
import * as vscode from 'vscode';
import { diffCheckpoint, fileAt, openGitStore, RunCheckpoints, type GitStore, type TreeChange } from '../core/checkpoints/index.js';
import { RUNS_DIR } from '../core/runs/journal.js';
import type { RunIndex } from './runIndex.js';

export const CHECKPOINT_SCHEME = 'spec-agent-checkpoint';
export const VIEW_RUN_CHANGES_COMMAND = 'specAgent.viewRunChanges';
export const OPEN_RUN_DIFF_COMMAND = 'specAgent.openRunDiff';
export const OPEN_CHECKPOINT_DIFF_COMMAND = 'specAgent.openCheckpointDiff';

/** The full id of a checkpoint of run <run> (its base, or before or after a step) that `commit` starts; else undefined. */
export function checkpointOfRun(run: RunCheckpoints, commit: string): string | undefined {
  const all = [run.data.base, ...run.data.steps.flatMap((s) => [s.before, s.after])];
  return /^[0-9a-f]{7,64}$/.test(commit) ? all.find((c) => c.startsWith(commit)) : undefined;
}

/**
 * What a run changed, as diffs: left, each file before the run (its base checkpoint, read from the checkpoint store
 * through the `spec-agent-checkpoint:` scheme); right, the file in the workspace now. The right side is the real file
 * so the diff is a place to work: it is editable, has the language's features, and a hunk of the agent's change can be
 * reverted from the diff editor. The price: edits made after the run (by the user or a later run) show too. The files
 * listed are those the run's own steps changed (RunCheckpoints.agentChanges), not what the user edited meanwhile.
 */
export class RunChanges implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly stores = new Map<string, Promise<GitStore>>();
  private readonly registrations: vscode.Disposable[];

  constructor(private readonly index: RunIndex) {
    this.registrations = [
      vscode.workspace.registerTextDocumentContentProvider(CHECKPOINT_SCHEME, this),
      vscode.commands.registerCommand(VIEW_RUN_CHANGES_COMMAND, (runId: string) => this.viewRunChanges(runId)),
      vscode.commands.registerCommand(OPEN_RUN_DIFF_COMMAND, (runId: string, path: string, workspace?: string) => this.openRunDiff(runId, path, workspace)),
      vscode.commands.registerCommand(OPEN_CHECKPOINT_DIFF_COMMAND, (runId: string, commit: string, workspace?: string) => this.viewCheckpointChanges(runId, commit, workspace)),
    ];
  }

  /** A file as a snapshot holds it; empty when it was not there. */
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const q = new URLSearchParams(uri.query);
    const ws = q.get('ws');
    const commit = q.get('commit');
    if (!ws || !commit) return '';
    const bytes = await fileAt(await this.store(ws), commit, toRepoPath(relative(ws, uri.fsPath)));
    return bytes ? bytes.toString('utf8') : '';
  }

  /** The before side of a path: same path as the file (so no rename is inferred), another scheme. */
  private snapshotUri(ws: string, commit: string, path: string): vscode.Uri {
    return vscode.Uri.file(join(ws, path)).with({ scheme: CHECKPOINT_SCHEME, query: new URLSearchParams({ ws, commit }).toString() });
  }

  /** Every file run <runId> changed, in one multi-file diff (one file: a plain diff). Returns the paths shown. */
  async viewRunChanges(runId: string): Promise<string[] | undefined> {
    const opened = await this.openRun(runId);
    if (!opened) return undefined;
    const { ws, run } = opened;
    const changes = await run.agentChanges();
    if (changes.length === 0) {
      void vscode.window.showInformationMessage(`Spec Agent: run ${runId} changed no files.`);
      return [];
    }
    if (changes.length === 1) {
      await this.diff(ws, runId, run, changes[0]!);
      return [changes[0]!.path];
    }
    const resources = changes.map((c) => {
      const file = vscode.Uri.file(join(ws, c.path));
      // An added file has no left side; one that is gone now has no right side.
      return [file, c.from ? this.snapshotUri(ws, run.data.base, c.path) : undefined, existsSync(file.fsPath) ? file : undefined] as const;
    });
    await vscode.commands.executeCommand('vscode.changes', `Run ${runId}: before the run ↔ now`, resources);
    return changes.map((c) => c.path);
  }

  /**
   * The workspace now against one checkpoint of run <runId> (a step's badge in the panel), as one multi-file diff:
   * left the file as the checkpoint holds it, right the file now. Returns the paths shown.
   */
  async viewCheckpointChanges(runId: string, commit: string, workspace?: string): Promise<string[] | undefined> {
    const opened = await this.openRun(runId, workspace);
    if (!opened) return undefined;
    const { ws, run } = opened;
    // The id comes from a webview message: only a checkpoint of this run is diffed.
    const full = checkpointOfRun(run, commit);
    if (!full) {
      void vscode.window.showErrorMessage(`Spec Agent: ${commit.slice(0, 12)} is not a checkpoint of run ${runId}.`);
      return undefined;
    }
    const changes = await diffCheckpoint(await this.store(ws), full);
    if (changes.length === 0) {
      void vscode.window.showInformationMessage(`Spec Agent: no file changed since checkpoint ${full.slice(0, 7)}.`);
      return [];
    }
    const resources = changes.map((c) => {
      const file = vscode.Uri.file(join(ws, c.path));
      return [file, c.from ? this.snapshotUri(ws, full, c.path) : undefined, existsSync(file.fsPath) ? file : undefined] as const;
    });
    await vscode.commands.executeCommand('vscode.changes', `Checkpoint ${full.slice(0, 7)} ↔ now`, resources);
    return changes.map((c) => c.path);
  }

  /**
   * What run <runId> did to one path: the path before the run, and now. For the Agent Activity panel, which names
   * the run's workspace (a project below the folder, for a run it found at start-up).
   */
  async openRunDiff(runId: string, path: string, workspace?: string): Promise<void> {
    const opened = await this.openRun(runId, workspace);
    if (!opened) return;
    const rel = posix.normalize(toRepoPath(isAbsolute(path) ? relative(opened.ws, path) : path));
    // The path comes from a webview message: nothing outside the workspace opens, in an editable diff or otherwise.
    if (rel === '..' || rel.startsWith('../') || isAbsolute(rel)) {
      void vscode.window.showErrorMessage(`Spec Agent: ${path} is outside the workspace; a run's diff shows files of the workspace only.`);
      return;
    }
    await this.diff(opened.ws, runId, opened.run, { path: rel, from: null, to: null });
  }

  private async diff(ws: string, runId: string, run: RunCheckpoints, change: TreeChange): Promise<void> {
    const file = vscode.Uri.file(join(ws, change.path));
    const before = this.snapshotUri(ws, run.data.base, change.path);
    // A file that is gone now shows as emptied: its side comes from the run's last snapshot, where it is absent too.
    const now = existsSync(file.fsPath) ? file : this.snapshotUri(ws, run.data.steps.at(-1)?.after ?? run.data.base, change.path);
    await vscode.commands.executeCommand('vscode.diff', before, now, `${basename(change.path)} (before run ${runId}) ↔ now`);
  }

  private async openRun(runId: string, workspace?: string): Promise<{ ws: string; run: RunCheckpoints } | undefined> {
    const candidates = [...(workspace ? [workspace] : []), ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath)];
    const ws = /^[A-Za-z0-9._-]+$/.test(runId) ? (this.index.workspaceOfRun(runId) ?? candidates.find((f) => existsSync(join(f, RUNS_DIR, runId)))) : undefined;
    if (!ws) {
      void vscode.window.showErrorMessage(`Spec Agent: there is no run ${runId} in ${RUNS_DIR} of this workspace.`);
      return undefined;
    }
    try {
      return { ws, run: await RunCheckpoints.open(await this.store(ws), runId) };
    } catch {
      void vscode.window.showErrorMessage(`Spec Agent: the checkpoints of run ${runId} are gone (they are pruned some days after a run), so what it changed cannot be shown.`);
      return undefined;
    }
  }

  private store(ws: string): Promise<GitStore> {
    let store = this.stores.get(ws);
    if (!store) {
      store = openGitStore(ws);
      store.catch(() => this.stores.delete(ws));
      this.stores.set(ws, store);
    }
    return store;
  }

  dispose(): void {
    for (const r of this.registrations) r.dispose();
  }
}

const toRepoPath = (p: string) => p.split(sep).join('/');
