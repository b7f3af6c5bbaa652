import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTasks, parseTasksWhole } from '../../../src/core/spec/parseTasks.js';
import { parseBlock, parseBlockTree } from '../../../src/core/spec/taskBlocks.js';
import { findCorpus } from '../../support/corpus.js';

/**
 * parseBlock reads micromark's events; parseBlockTree reads remark's mdast (remark-parse + remark-gfm). The
 * two must give the same items, regions and openAtEnd on anything, since the first replaced the second.
 */
const corpus = findCorpus();
const FIXTURES = join(__dirname, '../../fixtures/tasks');

/** Block-level constructs that change where items start and end, each with task lines around it. */
const CONSTRUCTS: Record<string, string> = {
  'table with pipes': '| a | b |\n| - | - |\n| - [ ] 1. cell | x |\n\n- [ ] 2. after\n',
  'table without a pipe (alignment colon)': 'head\n:--\n- [ ] 1. row or item?\n\n- [ ] 2. after\n',
  'right-aligned pipe-less delimiter': 'head\n--:\n- [ ] 1. x\n',
  'setext underline, not a table': '- [ ] 1. A\n---\n- [ ] 2. B\n===\n',
  'footnote definition holding a task': '[^1]: note\n    - [ ] 1. in a footnote\n- [ ] 2. after\n',
  'lazy continuation line': '- [ ] 1. A\nlazy text\n- [ ] 2. B\n  - [ ] 2.1 C\nlazy again\n',
  'list in a quote in a list': '- [ ] 1. A\n  > - [ ] 1.1 quoted\n  > more\n  - [ ] 1.2 B\n',
  'nested items closed by blank lines': '- [ ] 1. A\n  - [ ] 1.1 B\n\n\n    - [ ] 1.1.1 C\n\n  text\n\n- [ ] 2. D\n',
  'item starting with a blank line': '-\n  - [ ] 1. under an empty bullet\n- [ ] 2. B\n',
  'two items on one line': '- - [ ] 1. inner\n- * [x] 2. inner too\n',
  'ordered, interrupting a paragraph': 'text\n2. [ ] 1. not a list\n1. [ ] 2. a list\n',
  'indented code and thematic break': '    - [ ] 1. code\n\n***\n- [ ] 2. B\n',
  'fenced code in an item, unclosed': '- [ ] 1. A\n  ```\n  - [ ] 2. code\n- [ ] 3. B\n',
  'HTML kinds': '<div>\n- [ ] 1. html\n</div>\n\n<!-- c\n- [ ] 2. comment\n-->\n- [ ] 3. B\n<?php\n- [ ] 4. pi\n?>\n',
  'CRLF and tabs': '- [ ] 1. A\r\n\t- [ ] 1.1 tab\r\n\r\n  ```\r\n  - [ ] no\r\n  ```\r\n- [x] 2. B\r\n',
  'ATX heading and quote': '# - [ ] 1. heading\n> - [ ] 2. quote\n- [ ] 3. C\n',
  'no final newline, trailing spaces': '- [ ] 1. A  \n  - [ ] 1.1 B   ',
  // Tight top-level tasks (no blank line before them) start blocks of their own unless the block above may hold them.
  'tight after HTML of type 6': '<div>\n- [ ] 1. html\n- [ ] 2. still html\n\n- [ ] 3. B\n',
  'tight after a table': '| a |\n| - |\n- [ ] 1. after a table\n- [ ] 2. B\n',
  'tight after a quote and a footnote': '> quote\n- [ ] 1. after a quote\n[^1]: note\n- [ ] 2. after a footnote\n',
  'tight after fenced and indented code': '```\n- [ ] 1. code\n```\n- [ ] 2. after\n\n    indented\n- [ ] 3. after\n',
  'tight after a paragraph, bullets changing': 'para\n- [ ] 1. interrupts\n* [ ] 2. new list\n+ [x] 3. another\n',
  'tight, ordered and bullet mixed': '1. [ ] 1. ordered\n- [ ] 2. bullet\n2. [ ] 3. ordered again\n',
  'tight after an HTML comment': '<!--\n- [ ] 1. comment\n-->\n- [ ] 2. after\n',
  'tight after code and HTML in items': '- [ ] 1. A\n  ```\n  code\n- [ ] 2. B\n  ```\n- [ ] 3. C\n  <div>\n- [ ] 4. D\n',
  'lone CR line endings': '- [ ] 1. A\r- [ ] 2. B\r\r- [ ] 3. C\n- [ ] 4. D\n\n- [ ] 5. E\n',
  'tight, setext underline after': 'Title\n- [ ] 1. A\n===\n- [ ] 2. B\n---\n',
};

describe('the micromark-event block reader', () => {
  it.each(Object.entries(CONSTRUCTS))('reads %s as mdast does', (_name, text) => {
    expect(parseBlock(text)).toEqual(parseBlockTree(text));
    expect(parseTasks(text)).toEqual(parseTasksWhole(text));
  });

  it('reads the pipe-less table as a table (so the table construct is not skipped for it)', () => {
    const parsed = parseBlock(CONSTRUCTS['table without a pipe (alignment colon)']!);
    expect(parsed.regions.map((r) => r.kind)).toEqual(['table']);
  });

  it('reads every fixture and corpus markdown file, whole, as mdast does', { timeout: 120_000 }, () => {
    const files = [
      ...readdirSync(FIXTURES).map((f) => join(FIXTURES, f)),
      ...(corpus ? readdirSync(corpus).filter((f) => f.endsWith('.md')).map((f) => join(corpus, f)) : []),
    ];
    let items = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
      const parsed = parseBlock(text);
      expect(parsed, file).toEqual(parseBlockTree(text));
      items += parsed.items.length;
    }
    expect(items).toBeGreaterThan(corpus ? 2000 : 10);
  });
});
