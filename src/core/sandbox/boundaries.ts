import type { Containment } from './containment.js';

/**
 * The boundaries a confined command hit, said so that the model and the user understand a failure that would
 * otherwise read as a bug ("Read-only file system", "403"): each note names what was refused and what to do.
 */
export function boundaryNotes(output: string, violations: readonly string[], c: Containment): string[] {
  const notes = new Set<string>();
  for (const v of violations) {
    const m = /deny network-outbound (\S+)/.exec(v);
    if (m) notes.add(`network access to ${m[1]} refused by the sandbox: commands reach only the package registries and sandbox.allowedDomains (add the host there in .kiro/settings.json if the task needs it)`);
  }
  // "bash: line 1: /etc/x: Read-only file system", "touch: cannot touch '/etc/x': Read-only file system",
  // "EROFS: read-only file system, open '/etc/x'".
  for (const m of output.matchAll(/(?:^|\s|['"`])(\/[^\s'"`:]+|\.[^\s'"`:]*)['"`]?:? ?Read-only file system|EROFS: read-only file system, \w+ '([^']+)'/gm)) {
    const path = m[1] ?? m[2];
    if (path) notes.add(`write to ${path} refused by the sandbox: commands write only inside the workspace (not .kiro/, .vscode/, .git/hooks or .git/config) and their temp folder ($TMPDIR)`);
  }
  for (const secret of c.denyRead) {
    if (output.includes(secret)) notes.add(`${secret} is hidden from commands by the sandbox (it holds secrets)`);
  }
  return [...notes];
}
