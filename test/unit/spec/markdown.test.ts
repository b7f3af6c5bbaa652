import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findCorpus } from '../../support/corpus.js';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { afterEach, describe, expect, it } from 'vitest';
import { parseMarkdownBlocks, useOriginalEditMap } from '../../../src/core/spec/markdown.js';

const corpus = findCorpus();
const samples = [
  ...readdirSync(join(__dirname, '../../fixtures/tasks')).map((f) => join(__dirname, '../../fixtures/tasks', f)),
  ...(corpus ? readdirSync(corpus).filter((f) => f.endsWith('.md')).map((f) => join(corpus, f)) : []),
];

/** Block-level shape: type, position and nesting, without the text of inline content. */
function blocks(node: { type: string; position?: unknown; children?: unknown[] }): unknown {
  const inline = ['text', 'emphasis', 'strong', 'inlineCode', 'link', 'linkReference', 'image', 'imageReference', 'delete', 'break', 'footnoteReference'];
  // GFM's task-list check moves a paragraph's start past `[ ] `; that check is off in the block parser.
  const position = node.type === 'paragraph' ? (node.position as { end: unknown }).end : node.position;
  return {
    type: node.type,
    position,
    children: (node.children as Array<typeof node> | undefined)?.filter((c) => !inline.includes(c.type)).map(blocks),
  };
}

describe('the markdown block parser', () => {
  afterEach(() => useOriginalEditMap(false));

  // Both parse every corpus file with remark, the first twice and once with micromark's quadratic consume: tens
  // of seconds on a loaded machine, so a hang guard of minutes rather than vitest's 20 s.
  it(`gives the same tree with the faster EditMap.consume as with micromark's own (${samples.length} files)`, { timeout: 300_000 }, () => {
    for (const file of samples) {
      const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
      const fast = JSON.stringify(parseMarkdownBlocks(text));
      useOriginalEditMap(true);
      const original = JSON.stringify(parseMarkdownBlocks(text));
      useOriginalEditMap(false);
      expect(fast, file).toBe(original);
    }
  });

  it('has the block structure of full remark + remark-gfm, inline parsing aside', { timeout: 300_000 }, () => {
    const full = unified().use(remarkParse).use(remarkGfm);
    for (const file of samples) {
      const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
      expect(blocks(parseMarkdownBlocks(text)), file).toEqual(blocks(full.parse(text)));
    }
  });
});
