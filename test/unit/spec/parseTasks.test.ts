import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTasks } from '../../../src/core/spec/parseTasks.js';
import type { TaskTree } from '../../../src/core/spec/types.js';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/tasks', name), 'utf8');
const outline = (tree: TaskTree) =>
  tree.tasks.map((t) => ({ id: t.id, status: t.status, depth: t.depth, parent: t.parent === null ? null : tree.tasks[t.parent]!.id, line: t.range.start.line }));

describe('parseTasks', () => {
  it('nests flat-numbered sub-tasks under the earlier task with the parent id', () => {
    const tree = parseTasks(fixture('flat-numbering.md'));
    expect(outline(tree)).toEqual([
      { id: '1', status: 'done', depth: 0, parent: null, line: 3 },
      { id: '1.1', status: 'done', depth: 1, parent: '1', line: 4 },
      { id: '1.2', status: 'todo', depth: 1, parent: '1', line: 5 },
      { id: '2', status: 'in_progress', depth: 0, parent: null, line: 7 },
      { id: '2.1', status: 'todo', depth: 1, parent: '2', line: 8 },
      { id: '2.1.1', status: 'todo', depth: 2, parent: '2.1', line: 9 },
      { id: '2.2', status: 'queued', depth: 1, parent: '2', line: 10 },
      { id: '2.3', status: 'todo', depth: 1, parent: '2', line: 11 },
      { id: '3.1', status: 'todo', depth: 0, parent: null, line: 12 },
    ]);
    expect(tree.roots.map((i) => tree.tasks[i]!.id)).toEqual(['1', '2', '3.1']);
    expect(tree.tasks[3]!.children.map((i) => tree.tasks[i]!.id)).toEqual(['2.1', '2.2', '2.3']);
    expect(tree.tasks[2]!.requirements).toEqual(['1.2']);
  });

  it('reads ids, titles, marks and optional stars as written', () => {
    const tree = parseTasks(fixture('ids-and-markers.md'));
    expect(tree.tasks.map((t) => [t.id, t.title, t.status, t.optional])).toEqual([
      ['T01', 'Task with a T-number id', 'todo', false],
      ['MVP-2.1', 'Prefixed id, upper-case X', 'done', false],
      ['0.V', 'Optional, letter component', 'todo', true],
      ['4a', 'Escaped optional star', 'todo', true],
      ['5', 'Optional and done', 'done', true],
      ['6', 'Bold task prefix', 'todo', false],
      ['7.1', 'Bold id and title', 'todo', false],
      [null, 'Un-numbered task', 'todo', false],
      [null, '3D rendering is not an id', 'todo', false],
      ['8', 'Ordered-list item', 'todo', false],
      ['9', 'Star bullet', 'todo', false],
      ['10', 'Plus bullet', 'todo', false],
    ]);
    // `7.1` has no task 7, so it is a top-level task.
    expect(tree.tasks[6]!.parent).toBeNull();
  });

  it('keeps details, requirement refs and code blocks apart from tasks', () => {
    const tree = parseTasks(fixture('structure.md'));
    expect(tree.tasks.map((t) => t.id)).toEqual(['1', '1.1', '2', '3']);
    const [one, oneOne, two, three] = tree.tasks;
    expect(one!.details).toEqual([
      'Detail bullet one',
      'Detail after a run of blank lines',
      '_Requirements: 1.1, 2.3–2.5, FR-1, All_',
      'Trailing detail',
    ]);
    expect(one!.requirements).toEqual(['1.1', '2.3', '2.4', '2.5', 'FR-1']);
    expect(oneOne!.requirements).toEqual(['3.1']);
    expect(two!.requirements).toEqual(['4.1', '4.2', '5.1', '5.2', '5.3']);
    expect(three!.title).toBe('日本語のタスク');
    expect(three!.requirements).toEqual(['6.1']);
    // The checkbox in the ~~~ block is reported as not a task; the one inside the JSON string is not on a line of its own.
    expect(tree.diagnostics.map((d) => [d.line, d.code])).toEqual([[22, 'not-a-task']]);
  });

  it('gives source ranges of the item and of the marker alone', () => {
    const text = '# T\n\n- [ ] 1. One\n  - [x] 1.1 Sub\n';
    const tree = parseTasks(text);
    const sub = tree.tasks[1]!;
    expect(sub.markerRange.start).toEqual({ line: 4, column: 5, offset: text.indexOf('[x]') });
    expect(sub.markerRange.end.offset - sub.markerRange.start.offset).toBe(3);
    expect(text.slice(sub.markerRange.start.offset, sub.markerRange.end.offset)).toBe('[x]');
    const one = tree.tasks[0]!;
    expect(one.range.start).toEqual({ line: 3, column: 1, offset: text.indexOf('- [ ] 1.') });
    expect(one.range.end.line).toBe(4);
  });

  it('reads CRLF, a BOM and a missing final newline like LF', () => {
    const lf = '# Plan\n\n- [ ] 1. One\n  - detail\n- [x]* 1.1 Two';
    const crlf = '\uFEFF' + lf.replace(/\n/g, '\r\n');
    const a = parseTasks(lf);
    const b = parseTasks(crlf);
    expect(b.bom).toBe(true);
    expect(b.tasks.map((t) => [t.id, t.title, t.status, t.optional, t.range.start.line, t.details])).toEqual(
      a.tasks.map((t) => [t.id, t.title, t.status, t.optional, t.range.start.line, t.details]),
    );
    // Offsets are in the text without the BOM, as an editor document has them.
    const body = crlf.slice(1);
    for (const t of b.tasks) expect(body.slice(t.markerRange.start.offset, t.markerRange.end.offset)).toMatch(/^\[[ x]\]$/);
  });

  it('does not count checkboxes in block quotes, headings or tables', () => {
    const tree = parseTasks('> - [ ] 1. quoted\n\n### [ ] 2. heading\n\n| a |\n|---|\n| - [ ] 3. cell |\n\n- [ ] 4. real\n');
    expect(tree.tasks.map((t) => t.id)).toEqual(['4']);
  });

  it('survives deep nesting and empty input', () => {
    expect(parseTasks('').tasks).toEqual([]);
    const deep = Array.from({ length: 300 }, (_, i) => `${'  '.repeat(i)}- [ ] ${i + 1}. level`).join('\n');
    const tree = parseTasks(deep);
    expect(tree.tasks).toHaveLength(300);
    expect(tree.tasks.at(-1)!.depth).toBe(299);
  });
});
