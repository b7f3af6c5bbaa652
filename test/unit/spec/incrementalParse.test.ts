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
const PIECES = ['\n', '\n\n', ' ', '  ', '-', '- ', '- [ ] ', '* [x] 9.9 ', '1. ', '`', '```', '```\n', '~~~\n', '#', '## ', '> ', '<!--', '-->', '<pre>', '|', '|---|', '[', ']', 'x', 'a', '2.1 ', '\t', '\r\n', '\r', '\r\r'];

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

  it('cuts before a bullet task at column 0 right after another line (tight), not before a numbered one', () => {
    const blocks = splitBlocks('- [ ] 1. a\n  x\n- [ ] 2. b\n1. [ ] 3. c\n* [x] 4. d\n\n- [ ] 5. e\n');
    expect(blocks.map((b) => [b.line, b.tight])).toEqual([[1, false], [3, true], [5, true], [7, false]]);
    // A lone CR ends a line, for the blocks as for markdown (lineEndings.test.ts).
    expect(splitBlocks('- [ ] 1. a\r- [ ] 2. b\n\n- [ ] 3. c\n').map((b) => [b.line, b.tight])).toEqual([[1, false], [2, true], [4, false]]);
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

  /** Real corpus files, read in place, with the edits below applied one after the other. */
  const corpusFile = (name: string) => readFileSync(join(corpus!, name), 'utf8');
  const LF_FILE = 'crawlins__kythira__azure-cloud-services.tasks.md';
  const CRLF_FILE = 'perezjoseph__Gestion-inmobiliaria__android-feature-parity.tasks.md';
  /** Its top-level tasks follow each other without blank lines. */
  const TIGHT_FILE = 'vigneshbarani24__kiroween-hackathon__end-to-end-user-flow.tasks.md';
  /** Files with the most top-level tasks right after a non-blank line. */
  const TIGHT_FILES = [
    'michaelt16__KiroweenHackathon__013-tool-component-refactoring.tasks.md',
    'perezjoseph__Gestion-inmobiliaria__mvp.tasks.md',
    'takashi-uchida__kiroween-skeleton-crew__llm-task-planner.tasks.md',
  ];

  /** Parses `texts` in turn with one parser, each equal to a whole-file parse; returns blocks re-parsed each time. */
  function followEdits(texts: string[]): number[] {
    const parser = new TaskParser();
    return texts.map((text, i) => {
      expect(parser.parse(text), `version ${i}`).toEqual(parseTasksWhole(text));
      return parser.parsedBlocks;
    });
  }

  it.runIf(corpus !== undefined)('an edit in the middle of a list re-parses that list alone (real file)', { timeout: 120_000 }, () => {
    const text = corpusFile(LF_FILE);
    const line = text.split('\n').findIndex((l, i) => i > 40 && /^ {2}- \[[ x]\] \d+\.\d+ /.test(l));
    const at = text.split('\n').slice(0, line).join('\n').length + 1 + 12;
    const edited = text.slice(0, at) + 'Z' + text.slice(at);
    const removed = text.slice(0, at) + text.slice(at + 1);
    expect(followEdits([text, edited, removed, text]).slice(1)).toEqual([1, 1, 0]);
  });

  it.runIf(corpus !== undefined)('an edit that merges two blocks and one that splits a block (real files)', { timeout: 120_000 }, () => {
    const blockCounts = (texts: string[]): Array<[number, number]> => {
      const parser = new TaskParser();
      return texts.map((text): [number, number] => {
        expect(parser.parse(text)).toEqual(parseTasksWhole(text));
        return [parser.totalBlocks, parser.parsedBlocks];
      });
    };
    const text = corpusFile(LF_FILE);
    // Without the blank line, a heading joins the block above: one block fewer, one parsed.
    const gap = text.indexOf('\n\n## ', 200);
    const merged = text.slice(0, gap) + text.slice(gap + 1);
    const [[n], m, back] = blockCounts([text, merged, text]) as [[number, number], [number, number], [number, number]];
    expect(m).toEqual([n - 1, 1]);
    expect(back).toEqual([n, 2]);
    // A top-level task right after the line above (a tight block) still starts a block: only the block above
    // changed (it lost its blank line), and the task's block is reused as it is.
    const taskGap = text.indexOf('\n\n- [', 200);
    const tightened = text.slice(0, taskGap) + text.slice(taskGap + 1);
    expect(blockCounts([text, tightened])[1]).toEqual([n, 1]);
    // A paragraph put in the middle of a block's lines, after a blank line, cuts the block in two.
    const lines = text.split('\n');
    const middle = lines.findIndex((l, i) => i > 110 && /^ {4}- /.test(l) && /^ {4}- /.test(lines[i + 1] ?? ''));
    const split = [...lines.slice(0, middle + 1), '', 'A paragraph between the details.', ...lines.slice(middle + 1)].join('\n');
    expect(blockCounts([text, split])[1]).toEqual([n + 1, 2]);
    // A whole file of tight top-level tasks is cut at each: an edit in one task re-parses that task alone.
    const tightText = corpusFile(TIGHT_FILE);
    const tightParser = new TaskParser();
    tightParser.parse(tightText);
    const inTask = tightText.indexOf('\n- [', tightText.length >> 1) + 12;
    const editedTight = tightText.slice(0, inTask) + 'Z' + tightText.slice(inTask);
    expect(tightParser.parse(editedTight)).toEqual(parseTasksWhole(editedTight));
    expect(tightParser.parsedBlocks).toBe(1);
    expect(tightParser.totalBlocks).toBeGreaterThan(10);
  });

  it.runIf(corpus !== undefined)('edits inside a fenced code block, and a fence left open, of a real file', { timeout: 120_000 }, () => {
    const text = corpusFile(LF_FILE);
    const fence = text.indexOf('```json\n');
    expect(fence).toBeGreaterThan(0);
    const inside = fence + '```json\n'.length;
    // A blank line and a task line inside the fence: still code, no task, though a block boundary looks near.
    const withTaskInCode = text.slice(0, inside) + '\n- [ ] 99. not a task\n\n' + text.slice(inside);
    // The closing fence gone: everything after it is code, to the end of the file.
    const close = text.indexOf('\n```\n', inside);
    const unclosed = text.slice(0, close + 1) + text.slice(close + 5);
    const parser = new TaskParser();
    const before = parser.parse(text);
    const after = parser.parse(withTaskInCode);
    expect(after).toEqual(parseTasksWhole(withTaskInCode));
    expect(after.tasks.map((t) => t.id)).toEqual(before.tasks.map((t) => t.id));
    const open = parser.parse(unclosed);
    expect(open).toEqual(parseTasksWhole(unclosed));
    expect(open.tasks.length).toBeLessThan(before.tasks.length);
    expect(parser.parse(text)).toEqual(before);
  });

  it.runIf(corpus !== undefined)('CRLF files: edits of a real CRLF file, and of an LF file turned CRLF, equal a whole parse', { timeout: 120_000 }, () => {
    for (const text of [corpusFile(CRLF_FILE), corpusFile(LF_FILE).replace(/\n/g, '\r\n')]) {
      expect(text).toContain('\r\n');
      const next = random(7);
      const versions = [text];
      for (let i = 0; i < 8; i++) {
        const last = versions.at(-1)!;
        const at = last.indexOf('\r\n', Math.floor(next() * last.length));
        if (at === -1) continue;
        versions.push(next() < 0.5 ? last.slice(0, at) + '\r\n\r\n- [ ] 9.9 inserted' + last.slice(at) : last.slice(0, at) + last.slice(at + 2));
      }
      followEdits(versions);
    }
  });

  it.runIf(corpus !== undefined)('equals a whole parse after many random edits of the corpus files written as tight lists', { timeout: 600_000 }, () => {
    const seed = Number(process.env.SPEC_AGENT_SEED ?? Date.now() % 100_000);
    const next = random(seed);
    let compared = 0;
    for (const f of TIGHT_FILES) {
      let text = corpusFile(f);
      const parser = new TaskParser();
      parser.parse(text);
      expect(parser.totalBlocks, f).toBeGreaterThan(20);
      for (let i = 0; i < 40; i++) {
        text = edit(text, next);
        expect(parser.parse(text), `${f}, edit ${i + 1} (seed ${seed})`).toEqual(parseTasksWhole(text));
        compared++;
      }
    }
    expect(compared).toBe(TIGHT_FILES.length * 40);
  });
});
