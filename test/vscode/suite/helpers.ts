// What the in-host suites share: the extension's API, the workspace folder, and waiting for a condition.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { SpecAgentApi } from '../../../src/vscode/extension.js';

export const EXTENSION_ID = 'spec-agent.spec-agent';

export const root = (): vscode.Uri => vscode.workspace.workspaceFolders![0]!.uri;

export async function api(): Promise<SpecAgentApi> {
  const ext = vscode.extensions.getExtension<SpecAgentApi>(EXTENSION_ID)!;
  return ext.isActive ? ext.exports : ext.activate();
}

/** Polls `probe` until it gives something other than undefined or false. */
export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A spec of its own for a suite that runs the agent: `.kiro/specs/<name>/tasks.md` with its replay scripts beside
 * it, the user's level, and no verifyCommands, so a run does only what its script says. `tearDown` puts back what
 * `setUp` and `replay` changed, so the suites after it see the workspace as it was.
 */
export function agentSpec(name: string) {
  const dir = () => vscode.Uri.joinPath(root(), '.kiro', 'specs', name);
  const settingsFile = () => vscode.Uri.joinPath(root(), '.kiro', 'settings.json').fsPath;
  const config = () => vscode.workspace.getConfiguration('specAgent');
  let settingsBefore: string | undefined;
  return {
    dir,
    tasksUri: () => vscode.Uri.joinPath(dir(), 'tasks.md'),
    settingsFile,
    async setUp(tasks: string, level: 'cautious' | 'balanced' | 'full'): Promise<void> {
      await mkdir(dir().fsPath, { recursive: true });
      await writeFile(vscode.Uri.joinPath(dir(), 'tasks.md').fsPath, tasks);
      settingsBefore = await readFile(settingsFile(), 'utf8');
      await writeFile(settingsFile(), settingsBefore.replace('"verifyCommands": ["npm test"]', '"verifyCommands": []'));
      // The user's own choice of level (the workspace's .kiro/settings.json is not accepted in this window).
      await config().update('autonomyLevel', level, vscode.ConfigurationTarget.Workspace);
    },
    /** A replay script beside the spec, chosen as the model the way a user would: relative to the workspace. */
    async replay(file: string, turns: unknown[]): Promise<void> {
      await writeFile(vscode.Uri.joinPath(dir(), file).fsPath, JSON.stringify({ turns }));
      await config().update('model.id', `replay:.kiro/specs/${name}/${file}`, vscode.ConfigurationTarget.Workspace);
    },
    async tearDown(): Promise<void> {
      await config().update('autonomyLevel', undefined, vscode.ConfigurationTarget.Workspace);
      await config().update('model.id', undefined, vscode.ConfigurationTarget.Workspace);
      if (settingsBefore !== undefined) await writeFile(settingsFile(), settingsBefore);
      await rm(dir().fsPath, { recursive: true, force: true });
    },
  };
}
