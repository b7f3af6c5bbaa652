import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { findUnknownRequirementRefs, parseRequirements, type RequirementsDoc } from './parseRequirements.js';
import type { SpecDiagnostic, TaskTree } from './types.js';

/**
 * The files a spec's requirements may be in, in order: a feature spec's requirements.md, else a Kiro bugfix
 * spec's bugfix.md (its current / expected / unchanged behaviour, numbered 1.1, 2.1, 3.1 ...).
 */
export const REQUIREMENTS_FILES = ['requirements.md', 'bugfix.md'] as const;

/** The requirements of the spec in `specDir`, and which file they came from; undefined when there is none. */
export async function readSpecRequirements(specDir: string): Promise<RequirementsDoc | undefined> {
  for (const file of REQUIREMENTS_FILES) {
    const text = await readFile(join(specDir, file), 'utf8').catch(() => undefined);
    if (text !== undefined) return parseRequirements(text, file);
  }
  return undefined;
}

/**
 * Diagnostics that need the spec's other files: refs to requirements that the sibling requirements.md (or
 * bugfix.md) does not define. No such file (or an unreadable one) means nothing to check against.
 */
export async function crossFileDiagnostics(tasksPath: string, tasksText: string, tree: TaskTree): Promise<SpecDiagnostic[]> {
  const doc = await readSpecRequirements(dirname(tasksPath));
  return doc ? findUnknownRequirementRefs(tasksText, tree, doc) : [];
}

/** The workspace of a spec file: the nearest folder above it that holds `.kiro/`; undefined when there is none. */
export function workspaceOf(tasksFile: string): string | undefined {
  for (let dir = dirname(resolve(tasksFile)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.kiro'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
