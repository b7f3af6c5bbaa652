import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export interface WorkspacePath {
  /** Absolute path. */
  abs: string;
  /** Relative to the workspace, with `/`; `.` for the workspace itself. */
  rel: string;
}

/**
 * A workspace-relative path from the model, resolved; or a message for the model. The gate is the policy;
 * this is defence in depth, so a tool never touches a path outside the workspace or inside `.git/`.
 */
export function workspacePath(root: string, path: string): WorkspacePath | { error: string } {
  if (typeof path !== 'string' || path.trim() === '') return { error: 'path: give a path relative to the workspace' };
  if (path.includes('\0')) return { error: 'path: contains a NUL character' };
  if (isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('~')) return { error: `path: "${path}" is absolute; give a path relative to the workspace` };
  const base = resolve(root);
  const abs = resolve(base, path);
  const rel = relative(base, abs);
  if (outside(rel)) return { error: `path: "${path}" is outside the workspace` };
  if (inGit(rel)) return { error: `path: "${path}" is inside .git/, which tools do not touch` };
  return { abs, rel: rel.split(sep).join('/') || '.' };
}

/**
 * For tools that change files: the same checks on the path with symlinks resolved, and the real file to write,
 * so that a write through a link changes the link's target (keeping the link) and never lands outside the
 * workspace. Whatever does not exist yet is taken as written.
 */
export async function writablePath(root: string, path: string): Promise<WorkspacePath | { error: string }> {
  const p = workspacePath(root, path);
  if ('error' in p) return p;
  const real = await realTarget(root, p.abs);
  if (real.error) return { error: `path: "${path}" ${real.error}` };
  return { abs: real.abs, rel: p.rel };
}

/** The path with the symlinks of its existing part resolved, checked again against the real workspace. */
export async function realTarget(root: string, abs: string): Promise<{ abs: string; error?: string }> {
  const realRoot = await realpath(root);
  const real = await resolveLinks(abs, 0);
  const rel = relative(realRoot, real);
  if (outside(rel)) return { abs: real, error: 'leads outside the workspace through a symbolic link' };
  if (inGit(rel)) return { abs: real, error: 'leads inside .git/ through a symbolic link, which tools do not touch' };
  return { abs: real };
}

/** Enough for any real chain of links; a loop ends here as realpath's own ELOOP would. */
const MAX_LINKS = 40;

/**
 * realpath, where what does not exist yet is taken as written. A dangling link is followed by hand to where it
 * points: realpath gives up on it, yet writing through it creates its target, and its target decides whether the
 * link leads out of the workspace.
 */
async function resolveLinks(abs: string, links: number): Promise<string> {
  let existing = abs;
  const rest: string[] = [];
  for (;;) {
    try {
      await lstat(existing);
      break;
    } catch {
      if (existing === dirname(existing)) break;
      rest.unshift(basename(existing));
      existing = dirname(existing);
    }
  }
  try {
    return join(await realpath(existing), ...rest);
  } catch (err) {
    const target = links < MAX_LINKS ? await readlink(existing).catch(() => undefined) : undefined;
    if (target === undefined) throw err;
    return resolveLinks(join(resolve(dirname(existing), target), ...rest), links + 1);
  }
}

const outside = (rel: string) => rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
// Lower case: on a case-insensitive disk `.GIT/config` is the repository's config.
const inGit = (rel: string) => rel.split(sep).some((part) => part.toLowerCase() === '.git');
