import { isAbsolute, join, resolve } from 'node:path';
import { acceptanceStorePath } from '../settings/acceptance.js';
import type { SandboxSettings } from '../settings/schema.js';
import { packageRegistryHosts, userRegistryEnv } from './registries.js';

/** RULES.md §4 S2: where the user keeps secrets, relative to the home folder. */
export const SECRET_LOCATIONS = [
  '.ssh',
  '.aws',
  '.config/gh',
  '.kube',
  '.docker/config.json',
  '.npmrc',
  '.netrc',
  '.gnupg',
  '.git-credentials',
  '.config/gcloud',
  '.azure',
  // Package registries' and build tools' credentials.
  '.pypirc',
  '.cargo/credentials',
  '.cargo/credentials.toml',
  '.terraform.d/credentials.tfrc.json',
  '.yarnrc.yml',
  '.m2/settings.xml',
  '.gradle/gradle.properties',
  // VS Code's (and its forks') extension storage: extensions keep their sessions and keys there.
  '.config/Code/User/globalStorage',
  '.config/Code - Insiders/User/globalStorage',
  '.config/VSCodium/User/globalStorage',
  '.local/share/code-server/User/globalStorage',
  'Library/Application Support/Code/User/globalStorage',
];

/** Variables that name a credentials file, wherever the user keeps it: that file is hidden too. */
export const SECRET_FILE_VARIABLES = ['GOOGLE_APPLICATION_CREDENTIALS', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE'];

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
  /** Variables commands get: the registries of the user's hidden ~/.npmrc (userRegistryEnv). */
  env: Record<string, string>;
}

/**
 * `projectHosts`: the registry hosts the workspace's own `.npmrc`, `.yarnrc`, `.yarnrc.yml` named when its
 * .kiro/settings.json was accepted with them (RunPolicy.projectHosts). Default none: a command can write those
 * files, so they widen nothing by themselves.
 */
export function containmentFor(o: { workspace: string; home: string; tmpDir: string; settings: SandboxSettings; env: NodeJS.ProcessEnv; projectHosts?: readonly string[] }): Containment {
  const ws = resolve(o.workspace);
  const expand = (p: string, base: string) => (p === '~' ? o.home : p.startsWith('~/') ? join(o.home, p.slice(2)) : isAbsolute(p) ? resolve(p) : resolve(base, p));
  return {
    allowWrite: [ws, o.tmpDir, ...o.settings.allowWrite.map((p) => expand(p, ws))],
    // .vscode too: VS Code runs its tasks (runOn folderOpen) and settings outside any sandbox.
    denyWrite: ['.kiro', '.git/hooks', '.git/config', '.vscode'].map((p) => join(ws, p)),
    denyRead: [
      ...SECRET_LOCATIONS.map((p) => join(o.home, p)),
      // A relative one is read from where commands run: the workspace.
      ...SECRET_FILE_VARIABLES.flatMap((v) => (o.env[v] ? [expand(o.env[v], ws)] : [])),
      acceptanceStorePath(),
      // The library leaves these home folders writable for its own tools unless a read deny names them (S1: the
      // home folder is read-only; npm's logs go to the run's temp folder with its cache).
      ...['.npm/_logs', '.claude/debug'].map((p) => join(o.home, p)),
      ...o.settings.denyRead.map((p) => expand(p, ws)),
    ],
    allowedDomains: [...new Set([...packageRegistryHosts(ws, o.home, o.env, { projectHosts: o.projectHosts ?? [] }), ...o.settings.allowedDomains])],
    tmpDir: o.tmpDir,
    env: userRegistryEnv(o.home, o.env),
  };
}
