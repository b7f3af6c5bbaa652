import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { mergeSteering, parseSteering, type SteeringDoc } from '../spec/steering.js';
import { readForPrompt } from './prompt.js';

/** Kiro's global steering: the user's own rules for every workspace. */
export const globalSteeringDir = (): string => join(homedir(), '.kiro', 'steering');

/**
 * The steering files of the workspace (`.kiro/steering/*.md`) and the global ones (`~/.kiro/steering/*.md`,
 * or `globalDir`), parsed; the workspace's file wins over a global one of the same name. A file reached through
 * a link out of its folder, or a secret, is left out (readForPrompt).
 */
export async function readSteering(workspace: string, globalDir: string | null = globalSteeringDir()): Promise<SteeringDoc[]> {
  // A workspace file may link elsewhere in the workspace; a global one only within its folder.
  const own = await readFolder(workspace, join(workspace, '.kiro', 'steering'), '.kiro/steering', 'workspace');
  const global = globalDir ? await readFolder(globalDir, globalDir, '~/.kiro/steering', 'global') : [];
  return mergeSteering(own, global);
}

async function readFolder(within: string, dir: string, shown: string, scope: 'workspace' | 'global'): Promise<SteeringDoc[]> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.toLowerCase().endsWith('.md')).sort();
  const out: SteeringDoc[] = [];
  for (const f of names) {
    const text = await readForPrompt(within, join(dir, f));
    if (text === undefined) continue;
    out.push(parseSteering(text, { name: f.replace(/\.md$/i, ''), file: `${shown}/${f}`, scope }));
  }
  return out;
}
