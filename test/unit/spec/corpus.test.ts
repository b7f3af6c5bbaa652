import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTasks } from '../../../src/core/spec/parseTasks.js';
import type { TaskTree } from '../../../src/core/spec/types.js';
import { CORPUS_HINT, findCorpus } from '../../support/corpus.js';

/** The shared corpus of real tasks.md files lives beside the project, not in it. */
const CORPUS = findCorpus();

interface Expected {
  uncertain: boolean;
  top_level_tasks: number;
  total_checkbox_tasks: number;
  checked: number;
  unchecked: number;
  in_progress: number;
  queued: number;
  optional: number;
  first_three_ids: Array<string | null>;
}

function summarise(tree: TaskTree) {
  const count = (s: string) => tree.tasks.filter((t) => t.status === s).length;
  return {
    top_level_tasks: tree.roots.length,
    total_checkbox_tasks: tree.tasks.length,
    checked: count('done'),
    unchecked: count('todo'),
    in_progress: count('in_progress'),
    queued: count('queued'),
    optional: tree.tasks.filter((t) => t.optional).length,
    first_three_ids: tree.tasks.slice(0, 3).map((t) => t.id),
  };
}

describe('the real tasks.md corpus', () => {
  if (!CORPUS) {
    console.warn(CORPUS_HINT);
    it.skip(CORPUS_HINT, () => undefined);
    return;
  }

  const expected = JSON.parse(readFileSync(join(CORPUS, 'expected.json'), 'utf8')).files as Record<string, Expected>;
  const files = readdirSync(CORPUS).filter((f) => f.endsWith('.tasks.md'));

  it('has an expected result for every tasks.md file', () => {
    expect(files.sort()).toEqual(Object.keys(expected).sort());
  });

  for (const file of files) {
    const want = expected[file]!;
    it.skipIf(want.uncertain)(file, () => {
      const tree = parseTasks(readFileSync(join(CORPUS, file), 'utf8'));
      const { uncertain: _u, ...rest } = want;
      const wanted = Object.fromEntries(Object.keys(summarise(tree)).map((k) => [k, (rest as Record<string, unknown>)[k]]));
      expect(summarise(tree)).toEqual(wanted);
    });
  }
});
