import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findUnknownRequirementRefs, parseRequirements } from '../../../src/core/spec/parseRequirements.js';
import { parseTasks } from '../../../src/core/spec/parseTasks.js';

const dir = join(__dirname, '../../fixtures/specs/malformed');
const tasksText = readFileSync(join(dir, 'tasks.md'), 'utf8');

describe('tasks.md diagnostics', () => {
  const tree = parseTasks(tasksText);

  it('reads only the real tasks of the malformed fixture', () => {
    expect(tree.tasks.map((t) => [t.id, t.range.start.line])).toEqual([
      ['1', 3],
      ['1', 14],
    ]);
  });

  it('says why each checkbox-like line is not a task', () => {
    const byLine = Object.fromEntries(tree.diagnostics.map((d) => [d.line, [d.code, d.message]]));
    expect(Object.keys(byLine).map(Number)).toEqual([6, 8, 11, 14, 17, 19, 21]);
    expect(byLine[6]![1]).toMatch(/checkbox must be followed by a space \(found `\]-`\)/);
    expect(byLine[8]![1]).toMatch(/checkbox in a heading is not a task/);
    expect(byLine[11]![1]).toMatch(/inside a code block/);
    expect(byLine[14]).toEqual(['duplicate-id', 'Task id 1 is already used on line 3; tasks are run and reported by id, so give this one a unique id.']);
    expect(byLine[17]![1]).toMatch(/block quote/);
    expect(byLine[19]![1]).toMatch(/space between `-` and `\[`/);
    expect(byLine[21]![1]).toMatch(/`\[v\]` is not a task marker/);
    for (const d of tree.diagnostics) expect(d.severity).toBe('warning');
  });

  it('reports requirement refs that requirements.md does not define, on the line that names them', () => {
    const doc = parseRequirements(readFileSync(join(dir, 'requirements.md'), 'utf8'));
    const found = findUnknownRequirementRefs(tasksText, tree, doc);
    expect(found).toEqual([
      {
        line: 4,
        column: tasksText.split('\n')[3]!.indexOf('9.9') + 1,
        endColumn: tasksText.split('\n')[3]!.indexOf('9.9') + 4,
        severity: 'warning',
        code: 'unknown-requirement',
        message: 'Requirement 9.9 is not defined in requirements.md. Add it there, or fix the reference.',
      },
    ]);
  });

  it('finds no false alarm in a clean file', () => {
    expect(parseTasks('- [ ] 1. a\n  - see [x] in docs\n- [ ] 2. b [ ] inline\n').diagnostics).toEqual([]);
  });
});
