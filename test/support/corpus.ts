import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const PROJECT = resolve(__dirname, '../..');

/**
 * The shared corpus of real tasks.md files: $SPEC_AGENT_CORPUS, else `shared/corpus/tasks-md` beside the
 * project or beside one of its parent folders (a CI clone may sit one level deeper). Undefined if absent.
 */
export function findCorpus(): string | undefined {
  if (process.env.SPEC_AGENT_CORPUS) {
    const given = resolve(process.env.SPEC_AGENT_CORPUS);
    return existsSync(join(given, 'expected.json')) ? given : undefined;
  }
  for (let dir = dirname(PROJECT); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared/corpus/tasks-md');
    if (existsSync(join(candidate, 'expected.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

export const CORPUS_HINT = 'The corpus of real tasks.md files (../shared/corpus/tasks-md) was not found beside the project or its parent folders; set SPEC_AGENT_CORPUS to its path to run these tests.';

/** A file of ../shared (beside the project or one of its parent folders), or undefined. */
export function findShared(relative: string): string | undefined {
  for (let dir = dirname(PROJECT); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', relative);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
