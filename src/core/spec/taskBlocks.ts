import type { Nodes, Root } from 'mdast';
import { visitBlocks, type BlockNode } from './blockEvents.js';
import { parseMarkdownBlocks } from './markdown.js';
import type { BlockRegion } from './taskDiagnostics.js';
import { matchCheckbox, readHeadline } from './taskLine.js';
import type { SourcePoint, TaskStatus } from './types.js';

/**
 * A top-level block of a tasks.md: from a line that starts at column 0 after a blank line to the next such
 * line. Markdown cannot carry anything across such a boundary except a fenced code block or an HTML block of
 * types 1-5 (`<pre>`, `<!-- -->`, ...), which `splitBlocks` and `parseBlock` keep whole; a list item, a block
 * quote, a paragraph or a table ends there. So each block parses alone to the same tree as in the whole file,
 * which bounds the memory a parse takes, and lets an edit re-parse only the blocks it touched.
 */
export interface Block {
  text: string;
  /** Offset of the block's first character in the document (BOM excluded). */
  offset: number;
  /** 1-based line of its first line. */
  line: number;
}

/** A checkbox list item, with positions relative to its block (line 1 is the block's first line). */
export interface BlockItem {
  start: SourcePoint;
  end: SourcePoint;
  /** Index (in the block) of the nearest enclosing item that is a task, or null. */
  enclosing: number | null;
  status: TaskStatus;
  optional: boolean;
  markerOffset: number;
  id: string | null;
  title: string;
}

export interface BlockParse {
  items: BlockItem[];
  regions: BlockRegion[];
  /** The block ends inside a fenced code block or an HTML block that would run on into the next block. */
  openAtEnd: boolean;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/y;

/** Splits a document into top-level blocks (see Block). Never splits inside a fence it can see open. */
export function splitBlocks(body: string): Block[] {
  const blocks: Block[] = [];
  let blockStart = 0;
  let blockLine = 1;
  let line = 1;
  let prevBlank = false;
  let fence: { char: number; length: number } | undefined;
  for (let s = 0; s < body.length; line++) {
    const nl = body.indexOf('\n', s);
    const e = nl === -1 ? body.length : nl;
    const c = body.charCodeAt(s);
    const blank = isBlank(body, s, e);
    if (!fence && prevBlank && s > blockStart && !blank && c !== 32 && c !== 9) {
      blocks.push({ text: body.slice(blockStart, s), offset: blockStart, line: blockLine });
      blockStart = s;
      blockLine = line;
    }
    FENCE.lastIndex = s;
    const m = FENCE.exec(body);
    if (m && m.index === s) {
      const char = m[1]!.charCodeAt(0);
      if (!fence) {
        // A backtick fence's info string cannot hold a backtick; such a line is a paragraph, not a fence.
        if (char !== 96 || !body.slice(s + m[0].length, e).includes('`')) fence = { char, length: m[1]!.length };
      } else if (char === fence.char && m[1]!.length >= fence.length && isBlank(body, s + m[0].length, e)) {
        fence = undefined;
      }
    }
    prevBlank = blank;
    if (nl === -1) break;
    s = nl + 1;
  }
  if (blockStart < body.length || blocks.length === 0) blocks.push({ text: body.slice(blockStart), offset: blockStart, line: blockLine });
  return blocks;
}

function isBlank(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

interface Frame {
  /** Index of the nearest enclosing task item, or null. */
  item: number | null;
  inQuote: boolean;
}

/**
 * The task candidates and regions of one block, read from micromark's events (blockEvents.ts): no syntax
 * tree is built. parseBlockTree reads the same from remark's mdast; tests hold the two equal.
 */
export function parseBlock(text: string): BlockParse {
  const items: BlockItem[] = [];
  const regions: BlockRegion[] = [];
  const frames: Frame[] = [{ item: null, inQuote: false }];
  /** The last node opened at each depth: at the end, the chain of last children that openAtEnd looks at. */
  const last: BlockNode[] = [];
  visitBlocks(text, {
    enter(node) {
      const depth = frames.length - 1;
      last[depth] = node;
      last.length = depth + 1;
      const { item: enclosing, inQuote } = frames[depth]!;
      let itemHere = enclosing;
      if (node.type === 'listItem') {
        const it = inQuote ? undefined : readItem(text, node.start, node.end, enclosing);
        if (it) {
          items.push(it);
          itemHere = items.length - 1;
        }
      } else if (node.type !== 'other') {
        regions.push({ kind: node.type, startLine: node.start.line, endLine: node.end.line });
      }
      frames.push({ item: itemHere, inQuote: inQuote || node.type === 'blockquote' });
    },
    exit() {
      frames.pop();
    },
  });
  const openAtEnd = last.some((n) => (n.type === 'code' || n.type === 'html') && isOpen(n.type, text.slice(n.start.offset, n.end.offset)));
  return { items, regions, openAtEnd };
}

interface TreeFrame {
  node: Nodes;
  item: number | null;
  inQuote: boolean;
}

/** The same as parseBlock, read from remark's markdown syntax tree: the reference that parseBlock must equal. */
export function parseBlockTree(text: string): BlockParse {
  const root = parseMarkdownBlocks(text);
  const items: BlockItem[] = [];
  const regions: BlockRegion[] = [];
  const stack: TreeFrame[] = [{ node: root, item: null, inQuote: false }];
  while (stack.length > 0) {
    const { node, item: enclosing, inQuote } = stack.pop()!;
    let itemHere = enclosing;
    if (node.type === 'listItem' && !inQuote) {
      const it = readItem(text, node.position!.start as SourcePoint, node.position!.end as SourcePoint, enclosing);
      if (it) {
        items.push(it);
        itemHere = items.length - 1;
      }
    } else if (isRegionNode(node)) {
      regions.push({ kind: node.type, startLine: node.position!.start.line, endLine: node.position!.end.line });
    }
    if ('children' in node) {
      const quote = inQuote || node.type === 'blockquote';
      for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i] as Nodes, item: itemHere, inQuote: quote });
    }
  }
  return { items, regions, openAtEnd: openAtEndOfTree(root, text) };
}

function isRegionNode(node: Nodes): node is Nodes & { type: BlockRegion['kind'] } {
  return node.type === 'code' || node.type === 'heading' || node.type === 'blockquote' || node.type === 'html' || node.type === 'table';
}

function readItem(text: string, start: SourcePoint, end: SourcePoint, enclosing: number | null): BlockItem | undefined {
  const box = matchCheckbox(text, start.offset);
  if (!box) return undefined;
  const lineEnd = text.indexOf('\n', box.end);
  const rest = text.slice(box.end, lineEnd === -1 ? text.length : lineEnd).replace(/\r$/, '');
  const { id, title } = readHeadline(rest);
  return {
    start: { line: start.line, column: start.column, offset: start.offset },
    end: { line: end.line, column: end.column, offset: end.offset },
    enclosing,
    status: box.status,
    optional: box.optional,
    markerOffset: box.markerOffset,
    id,
    title,
  };
}

const HTML_RAW = /^ {0,3}<(script|pre|style|textarea)(?=[\s>]|$)/i;
const HTML_END: Array<[RegExp, RegExp]> = [
  [/^ {0,3}<!--/, /-->/],
  [/^ {0,3}<\?/, /\?>/],
  [/^ {0,3}<!\[CDATA\[/, /\]\]>/],
  [/^ {0,3}<![A-Za-z]/, />/],
];

/**
 * Whether the block ends in a fenced code block without its closing fence or an HTML block of types 1-5 without
 * its end, at the top level or in the last list item: at the top level it would run on past the block's end in
 * the whole document; in an item it ends with the item, but micromark then gives the item's end a position in the
 * next line, so the block is parsed together with the next one.
 */
function openAtEndOfTree(root: Root, text: string): boolean {
  for (let node: Nodes | undefined = root.children.at(-1); node; node = 'children' in node ? (node.children.at(-1) as Nodes | undefined) : undefined) {
    if ((node.type === 'code' || node.type === 'html') && isOpen(node.type, text.slice(node.position!.start.offset!, node.position!.end.offset!))) return true;
  }
  return false;
}

/** Whether a code or HTML node's source lacks its end (see openAtEnd). */
function isOpen(type: 'code' | 'html', source: string): boolean {
  if (type === 'code') {
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(source);
    if (!open) return false;
    const lines = source.split('\n');
    if (lines.length < 2) return true;
    const close = /^ {0,3}(`{3,}|~{3,})[ \t\r]*$/.exec(lines.at(-1)!);
    return !close || close[1]![0] !== open[1]![0] || close[1]!.length < open[1]!.length;
  }
  if (type === 'html') {
    const raw = HTML_RAW.exec(source);
    if (raw) return !new RegExp(`</${raw[1]}>`, 'i').test(source.slice(raw[0].length));
    for (const [start, end] of HTML_END) {
      const m = start.exec(source);
      if (m) return !end.test(source.slice(m[0].length));
    }
  }
  return false;
}
