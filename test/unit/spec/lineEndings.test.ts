// Lone CR line endings (old Mac files), CRLF and mixes: micromark ends a line at each, so the task parser's own
// line counting (LineIndex, the block splitting) must too, or task lines and the near-miss diagnostics disagree.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineIndex } from '../../../src/core/spec/lineIndex.js';
import { findUnknownRequirementRefs, parseRequirements } from '../../../src/core/spec/parseRequirements.js';
import { parseTasks, parseTasksWhole, TaskParser } from '../../../src/core/spec/parseTasks.js';
import { splitBlocks } from '../../../src/core/spec/taskBlocks.js';
import type { TaskTree } from '../../../src/core/spec/types.js';

const dir = join(__dirname, '../../fixtures/specs/malformed');
const lf = readFileSync(join(dir, 'tasks.md'), 'utf8');
const requirements = parseRequirements(readFileSync(join(dir, 'requirements.md'), 'utf8'));
const cr = lf.replace(/\n/g, '\r');
const crlf = lf.replace(/\n/g, '\r\n');
/** Every line ending in turn: LF, CR, CRLF (never a CR before an LF ending: the two would be one CRLF). */
const mixed = lf
  .split('\n')
  .map((line, i, all) => (i === all.length - 1 ? line : line + ['\n', '\r', '\r\n'][i % 3]))
  .join('');

/** What a tree says, without offsets (which differ with the endings' lengths). */
const lines = (tree: TaskTree) => ({
  tasks: tree.tasks.map((t) => [t.id, t.title, t.range.start.line, t.range.start.column, t.range.end.line, t.details, t.requirements]),
  diagnostics: tree.diagnostics,
});

describe('line endings: lone CR, CRLF and mixed read as micromark reads them', () => {
  it('LineIndex ends a line at LF, CRLF and a lone CR, and gives points on those lines', () => {
    const index = new LineIndex('a\rb\r\nc\nd\r\r');
    expect(Array.from({ length: index.lineCount }, (_, i) => index.line(i + 1))).toEqual(['a', 'b', 'c', 'd', '', '']);
    expect(index.point(2)).toEqual({ line: 2, column: 1, offset: 2 });
    expect(index.point(5)).toEqual({ line: 3, column: 1, offset: 5 });
    expect(index.point(8)).toEqual({ line: 4, column: 2, offset: 8 });
  });

  it.each([
    ['lone CR', cr],
    ['CRLF', crlf],
    ['mixed', mixed],
  ])('the malformed fixture with %s endings: the same tasks, lines and diagnostics as with LF', (_name, text) => {
    const tree = parseTasks(text);
    expect(tree).toEqual(parseTasksWhole(text));
    expect(lines(tree)).toEqual(lines(parseTasks(lf)));
    // The fixture's near misses, each on its own line (a heading's checkbox on line 8 says so, and no other line does).
    expect(tree.diagnostics.map((d) => [d.line, d.code])).toEqual([
      [6, 'not-a-task'],
      [8, 'not-a-task'],
      [11, 'not-a-task'],
      [14, 'duplicate-id'],
      [17, 'not-a-task'],
      [19, 'not-a-task'],
      [21, 'not-a-task'],
    ]);
    expect(tree.diagnostics.find((d) => d.line === 8)!.message).toMatch(/checkbox in a heading/);
    expect(findUnknownRequirementRefs(text, tree, requirements)).toEqual(findUnknownRequirementRefs(lf, parseTasks(lf), requirements));
  });

  it('a lone-CR file with headings before its tasks has no false "not a task" warning', () => {
    // Counted by LF, line 2 was "- [ ] 1. X", inside the heading micromark puts on line 2: "a checkbox in a heading".
    const text = '# Tasks\r# Group\n- [ ] 1. X\n- [ ] 2. Y\r\r- [ ] 3. Z\r';
    const tree = parseTasks(text);
    expect(tree.tasks.map((t) => [t.id, t.range.start.line])).toEqual([
      ['1', 3],
      ['2', 4],
      ['3', 6],
    ]);
    expect(tree.diagnostics).toEqual([]);
    expect(tree).toEqual(parseTasksWhole(text));
  });

  it('a lone-CR file is cut into blocks like an LF one, and an edit re-parses only its block, equal to a whole parse', () => {
    expect(splitBlocks(cr).map((b) => [b.line, b.offset])).toEqual(splitBlocks(lf).map((b) => [b.line, b.offset]));
    expect(splitBlocks('- [ ] 1. a\r- [ ] 2. b\r\n\r\n- [ ] 3. c\n').map((b) => [b.line, b.tight])).toEqual([
      [1, false],
      [2, true],
      [4, false],
    ]);
    const parser = new TaskParser();
    expect(parser.parse(cr)).toEqual(parseTasksWhole(cr));
    expect(parser.totalBlocks).toBeGreaterThan(5);
    const edited = cr.replace('- [v] 11. An unknown mark', '- [x] 11. A known mark\r  - [ ] 11.1 Its part');
    const tree = parser.parse(edited);
    expect(parser.parsedBlocks).toBe(1);
    expect(tree).toEqual(parseTasksWhole(edited));
    expect(tree.tasks.map((t) => [t.id, t.range.start.line]).slice(-2)).toEqual([
      ['11', 21],
      ['11.1', 22],
    ]);
  });
});
