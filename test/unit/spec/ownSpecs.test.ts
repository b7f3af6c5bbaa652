import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findUnknownRequirementRefs, parseRequirements } from '../../../src/core/spec/parseRequirements.js';
import { parseTasks } from '../../../src/core/spec/parseTasks.js';

const ROOT = join(__dirname, '../../..');
const specDirs = [
  ...readdirSync(join(ROOT, '.kiro/specs')).map((f) => join(ROOT, '.kiro/specs', f)),
  ...readdirSync(join(ROOT, 'examples/todo-app/.kiro/specs')).map((f) => join(ROOT, 'examples/todo-app/.kiro/specs', f)),
  // The workspaces of the eval suite's cases (spec-agent eval, examples/eval/<case>/workspace).
  ...readdirSync(join(ROOT, 'examples/eval')).flatMap((c) => readdirSync(join(ROOT, 'examples/eval', c, 'workspace/.kiro/specs')).map((f) => join(ROOT, 'examples/eval', c, 'workspace/.kiro/specs', f))),
];

describe('the specs this repository ships', () => {
  for (const dir of specDirs) {
    it(`${dir.slice(ROOT.length + 1)} parses cleanly and every requirement ref resolves`, () => {
      const text = readFileSync(join(dir, 'tasks.md'), 'utf8');
      const tree = parseTasks(text);
      expect(tree.tasks.length).toBeGreaterThan(0);
      expect(tree.diagnostics).toEqual([]);
      const requirements = parseRequirements(readFileSync(join(dir, 'requirements.md'), 'utf8'));
      expect(tree.tasks.flatMap((t) => t.requirements).length).toBeGreaterThan(0);
      expect(findUnknownRequirementRefs(text, tree, requirements)).toEqual([]);
    });
  }
});
