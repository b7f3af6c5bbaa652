import { execFile } from 'node:child_process';
import { delimiter } from 'node:path';
import { trustedProgram } from '../fs/trustedPrograms.js';

/** Whether this machine can confine commands, and if not, why in words that say what to do (RULES.md §4 S6). */
export type Availability = { available: true; backend: 'bubblewrap' | 'Seatbelt' } | { available: false; why: string };

const LINUX_TOOLS: Array<[string, string]> = [
  ['bwrap', 'bubblewrap'],
  ['socat', 'socat'],
  ['rg', 'ripgrep'],
];

/**
 * A quick look that starts no sandbox host: the tools on PATH and, on Linux, one namespace made and left
 * (a container without unprivileged user namespaces fails only there). The status bar asks this before any run.
 * `writable`: folders commands can write (the workspaces): a program found there is not taken, it could be planted.
 */
export async function sandboxAvailability(writable: readonly string[]): Promise<Availability> {
  if (process.platform === 'win32') return { available: false, why: 'there is no sandbox for Windows yet (use WSL to have commands confined)' };
  if (process.platform === 'darwin') return trustedProgram('sandbox-exec', writable, `${process.env.PATH ?? ''}${delimiter}/usr/bin`) ? { available: true, backend: 'Seatbelt' } : { available: false, why: 'sandbox-exec was not found' };
  if (process.platform !== 'linux') return { available: false, why: `there is no sandbox for ${process.platform}` };
  const missing = LINUX_TOOLS.filter(([bin]) => !trustedProgram(bin, writable)).map(([, pkg]) => pkg);
  if (missing.length) return { available: false, why: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed (Debian/Ubuntu: sudo apt-get install ${missing.join(' ')})` };
  const bwrap = trustedProgram('bwrap', writable)!;
  const probe = await new Promise<string | undefined>((resolve) => {
    execFile(bwrap, ['--ro-bind', '/', '/', '--dev', '/dev', '--unshare-user', '--unshare-net', '--unshare-pid', '--proc', '/proc', '--', 'true'], { timeout: 10_000 }, (err, _out, stderr) =>
      resolve(err ? (String(stderr).trim() || err.message).split('\n').slice(-1)[0] : undefined),
    );
  });
  if (probe) return { available: false, why: `this machine does not let bubblewrap make a namespace (${probe}); in a container, allow unprivileged user namespaces` };
  return { available: true, backend: 'bubblewrap' };
}
