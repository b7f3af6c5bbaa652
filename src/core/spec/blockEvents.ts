import { parse, preprocess } from 'micromark';
import { gfmFootnote } from 'micromark-extension-gfm-footnote';
import { gfmTable } from 'micromark-extension-gfm-table';
import { subtokenize } from 'micromark-util-subtokenize';
import type { Event, ParseContext, Point, Token, TokenType } from 'micromark-util-types';
// markdown.ts also makes micromark's EditMap.consume linear (without it a long list is quadratic): importing it
// here installs that for this reader too.
import { BLOCK_ONLY } from './markdown.js';

/**
 * The block structure of a markdown text read straight from micromark's events, without building mdast.
 * remark (markdown.ts) parses all the way down to inline text and then builds a tree of objects for every
 * paragraph and line; a tasks.md needs only where list items, code, headings, quotes, HTML and tables start
 * and end. Building that tree was most of a parse's time and memory (`node --cpu-prof`: mdast's compile,
 * the GFM autolink transform walking every text node, and the garbage they leave). The reading stays
 * micromark's, the same tokenizer and the same extensions as remark + remark-gfm; what mdast adds on top
 * (list items, see withListItems) is done here the way mdast-util-from-markdown does it. A test compares the
 * result with the mdast reading on the whole corpus and after random edits.
 */

/** A block node as mdast would have it: its kind and where it starts and ends. */
export interface BlockNode {
  type: 'listItem' | 'blockquote' | 'code' | 'heading' | 'html' | 'table' | 'footnoteDefinition' | 'other';
  start: Point;
  end: Point;
}

export interface BlockVisitor {
  /** A node opens; its parent is the innermost open node. */
  enter(node: BlockNode): void;
  exit(node: BlockNode): void;
}

/**
 * Of remark-gfm's syntax, only footnote definitions and tables are block-level (autolink literals,
 * strikethrough and task-list checks are inline, and inline text is never read here).
 *
 * One parser for all texts, as micromark's `parse` combines the extensions on every call (measurable with
 * thousands of blocks). A parser's only per-document state is `defined` and `lazy`, reset before each use;
 * parsing is synchronous, so two documents never share them.
 */
const withTables: ParseContext = parse({ extensions: [gfmFootnote(), gfmTable(), BLOCK_ONLY] });
/**
 * The GFM table construct is tried at the start of every paragraph line, and reads the line to its end: a
 * text that cannot hold a table skips it. A table's delimiter row has a `|`, or an alignment colon next to a
 * dash (`:-`, `-:`): micromark-extension-gfm-table refuses a delimiter row with neither (it is a setext
 * underline or a thematic break).
 */
const withoutTables: ParseContext = parse({ extensions: [gfmFootnote(), BLOCK_ONLY] });

function mayHoldTable(text: string): boolean {
  return text.includes('|') || text.includes(':-') || text.includes('-:');
}

/**
 * micromark's events for `text` with the flow (block) level expanded and nothing below it: paragraphs,
 * headings' and cells' text are left as unread chunks. micromark's `postprocess` would expand those too, in
 * further passes of `subtokenize`; its first pass expands the flow and moves container exits before their
 * trailing line endings, which is all block structure needs.
 */
function flowEvents(text: string): Event[] {
  const parser = mayHoldTable(text) ? withTables : withoutTables;
  parser.defined = [];
  parser.lazy = {};
  const events = parser.document().write(preprocess()(text, undefined, true));
  subtokenize(events);
  return events;
}

/** Token types that become a node of mdast at block level, and the kind each is read as here. */
const NODE_KINDS = new Map<string, BlockNode['type']>([
  ['listItem', 'listItem'],
  ['blockQuote', 'blockquote'],
  ['codeFenced', 'code'],
  ['codeIndented', 'code'],
  ['atxHeading', 'heading'],
  ['setextHeading', 'heading'],
  ['htmlFlow', 'html'],
  ['table', 'table'],
  ['gfmFootnoteDefinition', 'footnoteDefinition'],
  // Nodes that hold no task marker of their own: a paragraph or definitions (an unread `content`), lists,
  // thematic breaks. They count for nesting and for "the last node" (openAtEnd).
  ['content', 'other'],
  ['listOrdered', 'other'],
  ['listUnordered', 'other'],
  ['thematicBreak', 'other'],
]);

/** Walks the block nodes of `text` in document order, as mdast would nest them. */
export function visitBlocks(text: string, visitor: BlockVisitor): void {
  const events = withListItems(flowEvents(text));
  const open: BlockNode[] = [];
  for (const [kind, token] of events) {
    const type = NODE_KINDS.get(token.type);
    if (type === undefined) continue;
    if (kind === 'enter') {
      const node: BlockNode = { type, start: token.start, end: token.end };
      open.push(node);
      visitor.enter(node);
    } else {
      visitor.exit(open.pop()!);
    }
  }
}

/**
 * micromark has lists but no list items: mdast-util-from-markdown makes them (its `prepareList`), an item
 * from each `listItemPrefix` to the line ending after its last content, re-typing blank line endings on the
 * way. This is that code, on the same events, so that items start and end where mdast says (MIT, (c) Titus
 * Wormer). Lists are prepared innermost first, as each list's exit is reached.
 */
function withListItems(events: Event[]): Event[] {
  const prepared: Event[] = [];
  const listStack: number[] = [];
  for (const event of events) {
    prepared.push(event);
    const type = event[1].type;
    if (type === 'listOrdered' || type === 'listUnordered') {
      if (event[0] === 'enter') listStack.push(prepared.length - 1);
      else prepareList(prepared, listStack.pop()!);
    }
  }
  return prepared;
}

const LIST_ITEM = 'listItem' as TokenType;

function prepareList(events: Event[], start: number): void {
  const end = events.length - 1;
  let containerBalance = -1;
  let listItem: Token | undefined;
  const insertions: Array<{ at: number; event: Event }> = [];
  // mdast's prepareList also tracks blank lines and markers here, for `spread`; only positions matter here.
  for (let index = start; index <= end; index++) {
    const event = events[index]!;
    const type = event[1].type;
    // The list's own enter takes the balance to 0: its items' prefixes are the ones at 0.
    if (type === 'listUnordered' || type === 'listOrdered' || type === 'blockQuote') containerBalance += event[0] === 'enter' ? 1 : -1;
    if (
      (!containerBalance && event[0] === 'enter' && type === 'listItemPrefix') ||
      (containerBalance === -1 && event[0] === 'exit' && (type === 'listUnordered' || type === 'listOrdered'))
    ) {
      if (listItem) {
        let lineIndex: number | undefined;
        for (let tailIndex = index - 1; tailIndex >= 0; tailIndex--) {
          const tail = events[tailIndex]!;
          const t = tail[1].type;
          if (t === 'lineEnding' || t === 'lineEndingBlank') {
            if (tail[0] === 'exit') continue;
            if (lineIndex) events[lineIndex]![1].type = 'lineEndingBlank';
            tail[1].type = 'lineEnding';
            lineIndex = tailIndex;
          } else if (t !== 'linePrefix' && t !== 'blockQuotePrefix' && t !== 'blockQuotePrefixWhitespace' && t !== 'blockQuoteMarker' && t !== 'listItemIndent') {
            break;
          }
        }
        listItem.end = { ...(lineIndex ? events[lineIndex]![1].start : event[1].end) };
        insertions.push({ at: lineIndex || index, event: ['exit', listItem, event[2]] });
      }
      if (type === 'listItemPrefix') {
        listItem = { type: LIST_ITEM, start: { ...event[1].start }, end: event[1].end };
        insertions.push({ at: index, event: ['enter', listItem, event[2]] });
      }
    }
  }
  // The list is at the end of `events`: take it off and push it back with the items merged in.
  const listEvents = events.splice(start);
  let insertion = 0;
  for (let index = 0; index < listEvents.length; index++) {
    while (insertion < insertions.length && insertions[insertion]!.at === start + index) events.push(insertions[insertion++]!.event);
    events.push(listEvents[index]!);
  }
}
