import { homedir } from 'node:os';
import type { PolicyContext } from './types.js';

/** The policy context of this machine for a workspace: its home, OS, file-system case rules and shell. */
export function hostContext(workspaceRoot: string): Partial<PolicyContext> {
  const os = process.platform === 'win32' ? 'windows' : process.platform === 'darwin' ? 'macos' : 'linux';
  return { workspaceRoot, home: homedir(), os, fs: os === 'linux' ? 'case-sensitive' : 'case-insensitive', shell: 'bash' };
}
