import { isAbsolute, join, resolve } from 'node:path';
import { acceptanceStorePath } from '../settings/acceptance.js';
import type { SandboxSettings } from '../settings/schema.js';
import { packageRegistryHosts } from './registries.js';

/** RULES.md §4 S2: where the user keeps secrets, relative to the home folder. */
export const SECRET_LOCATIONS = ['.ssh', '.aws', '.config/gh', '.kube', '.docker/config.json', '.npmrc', '.netrc', '.gnupg', '.git-credentials', '.config/gcloud', '.azure'];

/** What one run's commands may write, read and reach (absolute paths, host names). */
export interface Containment {
  /** S1: the workspace, the run's private temp folder, sandbox.allowWrite. */
  allowWrite: string[];
  /** S1: inside what is writable, what stays read-only: the policy and what git runs or reads as configuration. */
  denyWrite: string[];
  /** S2: the secret locations, the acceptance store, sandbox.denyRead. */
  denyRead: string[];
  /** S3: the package registries and sandbox.allowedDomains. */
  allowedDomains: string[];
  /** The run's private temp folder (TMPDIR of its commands). */
  tmpDir: string;
}

export function containmentFor(o: { workspace: string; home: string; tmpDir: string; settings: SandboxSettings; env: NodeJS.ProcessEnv }): Containment {
  const ws = resolve(o.workspace);
  const expand = (p: string, base: string) => (p === '~' ? o.home : p.startsWith('~/') ? join(o.home, p.slice(2)) : isAbsolute(p) ? resolve(p) : resolve(base, p));
  return {
    allowWrite: [ws, o.tmpDir, ...o.settings.allowWrite.map((p) => expand(p, ws))],
    // .vscode too: VS Code runs its tasks (runOn folderOpen) and settings outside any sandbox.
    denyWrite: ['.kiro', '.git/hooks', '.git/config', '.vscode'].map((p) => join(ws, p)),
    denyRead: [...SECRET_LOCATIONS.map((p) => join(o.home, p)), acceptanceStorePath(), ...o.settings.denyRead.map((p) => expand(p, ws))],
    allowedDomains: [...new Set([...packageRegistryHosts(ws, o.home, o.env), ...o.settings.allowedDomains])],
    tmpDir: o.tmpDir,
  };
}
