import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * A workspace-relative path from the model, resolved; or a message for the model. The gate is the policy;
 * this is defence in depth, so a tool never touches a path outside the workspace or inside `.git/`.
 */
export function workspacePath(root: string, path: string): { abs: string; rel: string } | { error: string } {
  if (typeof path !== 'string' || path.trim() === '') return { error: 'path: give a path relative to the workspace' };
  if (isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('~')) return { error: `path: "${path}" is absolute; give a path relative to the workspace` };
  const abs = resolve(root, path);
  const rel = relative(resolve(root), abs);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return { error: `path: "${path}" is outside the workspace` };
  if (rel.split(sep).includes('.git')) return { error: `path: "${path}" is inside .git/, which tools do not touch` };
  return { abs, rel: rel.split(sep).join('/') || '.' };
}
