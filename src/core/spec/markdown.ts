import type { Root } from 'mdast';
import { EditMap } from 'micromark-util-edit-map';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified, type Processor } from 'unified';

/**
 * micromark's EditMap.consume copies the whole event array on every call, and the document tokenizer
 * calls it each time a container (a list item) closes: parsing a list of n items costs O(n²). On a
 * 5,000-task file that was most of 16 s. This version rebuilds only the suffix from the first edit, with
 * the same result (tests compare both on the whole corpus). Edits in one map never overlap: micromark
 * adds them in order and merges edits at the same index.
 */
function consumeSuffix(this: EditMapInternals, events: unknown[]): void {
  const map = this.map;
  if (map.length === 0) return;
  map.sort((a, b) => a[0] - b[0]);
  const first = map[0]![0];
  const tail = events.slice(first);
  const end = first + tail.length;
  events.length = first;
  let cursor = first;
  for (const [at, remove, add] of map) {
    for (let i = cursor; i < at; i++) events.push(tail[i - first]);
    for (const e of add) events.push(e);
    cursor = Math.max(cursor, at + remove);
  }
  for (let i = cursor; i < end; i++) events.push(tail[i - first]);
  map.length = 0;
  this.index.clear();
}

interface EditMapInternals {
  map: Array<[number, number, unknown[]]>;
  index: Map<number, unknown>;
}

const originalConsume = EditMap.prototype.consume;
EditMap.prototype.consume = consumeSuffix as unknown as typeof originalConsume;

/** For the test that checks the faster consume against micromark's own. */
export function useOriginalEditMap(original: boolean): void {
  EditMap.prototype.consume = original ? originalConsume : (consumeSuffix as unknown as typeof originalConsume);
}

/**
 * Task structure is block structure (lists, items, code, headings, quotes, tables, HTML), and titles are
 * read from the source, so inline constructs are not parsed at all: emphasis, links, code spans, escapes,
 * autolinks, footnote calls, strikethrough. GFM stays for what is block-level (tables, footnote
 * definitions). The tree is the same at block level; text nodes keep their raw markdown.
 */
const INLINE_CONSTRUCTS = [
  'attention', 'autolink', 'characterEscape', 'characterReference', 'codeText', 'hardBreakEscape', 'htmlText',
  'labelEnd', 'labelStartImage', 'labelStartLink', 'emailAutolink', 'protocolAutolink', 'wwwAutolink',
  'gfmFootnoteCall', 'gfmPotentialFootnoteCall', 'strikethrough', 'tasklistCheck',
];

/** The micromark extension that turns the inline constructs off (also used by blockEvents.ts). */
export const BLOCK_ONLY = { disable: { null: INLINE_CONSTRUCTS } };

function blocksOnly(this: Processor): void {
  const data = this.data() as { micromarkExtensions?: unknown[] };
  (data.micromarkExtensions ??= []).push(BLOCK_ONLY);
}

const blockParser = unified().use(remarkParse).use(remarkGfm).use(blocksOnly);

/** The block structure of a markdown document (BOM already removed), positions included. */
export function parseMarkdownBlocks(body: string): Root {
  return blockParser.parse(body);
}
