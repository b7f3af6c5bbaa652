import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative, sep } from 'node:path';

/**
 * The folders of PATH that confined commands cannot write: absolute ones, outside every `writable` root (the
 * workspace, the run's temp folder, sandbox.allowWrite). A program Spec Agent runs itself, outside the sandbox
 * (bubblewrap, git for the checkpoints, ripgrep), is looked up there only: `npx spec-agent` puts the project's
 * node_modules/.bin first on PATH, and a command could plant a `bwrap` or a `git` there for the next step to run.
 */
export function trustedPath(writable: readonly string[], path = process.env.PATH ?? ''): string {
  const roots = writable.map(real);
  return path
    .split(delimiter)
    .filter((dir) => dir !== '' && isAbsolute(dir) && !roots.some((root) => inside(real(dir), root)))
    .join(delimiter);
}

/** The absolute path of `name` on the trusted PATH, or undefined when it is not there. */
export function trustedProgram(name: string, writable: readonly string[], path = process.env.PATH ?? ''): string | undefined {
  const exe = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of trustedPath(writable, path).split(delimiter).filter(Boolean)) {
    for (const ext of exe) {
      const candidate = join(dir, name + ext);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function inside(p: string, root: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
