import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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
