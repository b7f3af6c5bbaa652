import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { findUnknownRequirementRefs, parseRequirements } from './parseRequirements.js';
import type { SpecDiagnostic, TaskTree } from './types.js';

/**
 * Diagnostics that need the spec's other files: refs to requirements that the sibling requirements.md
 * does not define. No requirements.md (or an unreadable one) means nothing to check against.
 */
export async function crossFileDiagnostics(tasksPath: string, tasksText: string, tree: TaskTree): Promise<SpecDiagnostic[]> {
  const text = await readFile(join(dirname(tasksPath), 'requirements.md'), 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  return findUnknownRequirementRefs(tasksText, tree, parseRequirements(text));
}

/** The workspace of a spec file: the nearest folder above it that holds `.kiro/`; undefined when there is none. */
export function workspaceOf(tasksFile: string): string | undefined {
  for (let dir = dirname(resolve(tasksFile)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.kiro'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
