import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCorpus } from '../../support/corpus.js';
import { parseTasks, parseTasksWhole, TaskParser } from '../../../src/core/spec/parseTasks.js';
import { splitBlocks } from '../../../src/core/spec/taskBlocks.js';

/** A small seeded generator, so a failure can be replayed from the printed seed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Characters that change markdown block structure, and ordinary ones. */
const PIECES = ['\n', '\n\n', ' ', '  ', '-', '- ', '- [ ] ', '* [x] 9.9 ', '1. ', '`', '```', '```\n', '~~~\n', '#', '## ', '> ', '<!--', '-->', '<pre>', '|', '|---|', '[', ']', 'x', 'a', '2.1 ', '\t', '\r\n'];

function edit(text: string, next: () => number): string {
  const at = Math.floor(next() * (text.length + 1));
  if (next() < 0.3 && text.length > 0) return text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + Math.floor(next() * 8)));
  return text.slice(0, at) + PIECES[Math.floor(next() * PIECES.length)]! + text.slice(at);
}

describe('incremental tasks.md parsing', () => {
  it('re-parses only the block an edit touched, and moves the others', () => {
    const text = '# Plan\n\n- [ ] 1. First\n  - [ ] 1.1 Sub\n    - _Requirements: 1.1_\n\n- [ ] 2. Second\n\n- [x] 3. Third\n  - detail\n';
    const parser = new TaskParser();
    const before = parser.parse(text);
    expect(parser.totalBlocks).toBe(4);
    const edited = text.replace('# Plan\n', '# Plan\n\nAn introduction\nof two lines.\n');
    const after = parser.parse(edited);
    expect(parser.parsedBlocks).toBe(1);
    expect(after).toEqual(parseTasksWhole(edited));
    expect(after.tasks.map((t) => t.range.start.line)).toEqual(before.tasks.map((t) => t.range.start.line + 3));
    parser.parse(edited.replace('Second', 'Second!'));
    expect(parser.parsedBlocks).toBe(1);
  });

  it('keeps a fence, an HTML comment and an unclosed fence in a list item whole across blank lines', () => {
    const cases = [
      '- [ ] 1. A\n\n```\n- [ ] 2. in code\n\n- [ ] 3. still code\n```\n\n- [ ] 4. B\n',
      '- [ ] 1. A\n\n<!--\n\n- [ ] 2. in a comment\n\n-->\n\n- [ ] 3. B\n',
      '- [ ] 1. A\n  ```\n  open in the item\n\n- [ ] 2. ends the item and its fence\n\n```\n- [ ] 3. in code\n\n- [ ] 4. still code\n```\n\n- [ ] 5. B\n',
      '<pre>\n\n- [ ] 1. raw\n\n</pre>\n\n- [ ] 2. B\n',
      '> - [ ] 1. quoted\n\n- [ ] 2. B\n\n~~~~\n\n- [ ] 3. unclosed to the end\n',
    ];
    for (const text of cases) {
      const tree = parseTasks(text);
      expect(tree, text).toEqual(parseTasksWhole(text));
    }
    expect(parseTasks(cases[0]!).tasks.map((t) => t.id)).toEqual(['1', '4']);
    expect(parseTasks(cases[2]!).tasks.map((t) => t.id)).toEqual(['1', '2', '5']);
  });

  it('splits at column-0 lines after a blank line only', () => {
    const blocks = splitBlocks('a\nb\n\n  c\n\nd\n\n\ne');
    expect(blocks.map((b) => [b.line, b.offset, b.text])).toEqual([[1, 0, 'a\nb\n\n  c\n\n'], [6, 10, 'd\n\n\n'], [9, 14, 'e']]);
  });

  const corpus = findCorpus();
  it.runIf(corpus !== undefined)('equals a parse of the whole file after random edits of corpus files, edit after edit', { timeout: 600_000 }, () => {
    const seed = Number(process.env.SPEC_AGENT_SEED ?? Date.now() % 100_000);
    const next = random(seed);
    const files = readdirSync(corpus!).filter((f) => f.endsWith('.tasks.md')).sort();
    let compared = 0;
    for (const f of files.filter((_, i) => i % 4 === seed % 4)) {
      let text = readFileSync(join(corpus!, f), 'utf8');
      if (text.length > 40_000) continue;
      const parser = new TaskParser();
      expect(parser.parse(text), `${f} (seed ${seed})`).toEqual(parseTasksWhole(text));
      for (let i = 0; i < 6; i++) {
        text = edit(text, next);
        expect(parser.parse(text), `${f}, edit ${i + 1} (seed ${seed})`).toEqual(parseTasksWhole(text));
        compared++;
      }
    }
    console.log(`incremental = whole-file parse after ${compared} random edits (seed ${seed})`);
    expect(compared).toBeGreaterThan(30);
  });
});
