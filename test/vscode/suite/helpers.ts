// What the in-host suites share: the extension's API, the workspace folder, and waiting for a condition.
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
