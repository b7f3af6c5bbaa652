import type { Nodes, Root } from 'mdast';
import { visitBlocks, type BlockNode } from './blockEvents.js';
import { LINE_BREAK, lineEnd, nextLineStart } from './lineIndex.js';
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
 *
 * A block also starts at a bullet task line at column 0 (`- [ ] `, `* [x] `) right after a non-blank line
 * (a "tight" block: top-level tasks written without blank lines between them, often a whole file): such a
 * line cannot continue the list item above (it is not indented) nor lazily its paragraph (a non-empty bullet
 * item interrupts a paragraph). What could still hold it is a code block, an HTML block (of any type: types 6
 * and 7 end only at a blank line), a table, a block quote or a footnote definition at the end of the block
 * above: then the two are parsed together (BlockParse.heldIfTight). Ordered items (`2. [ ]`) do not start a
 * block, since they cannot interrupt a paragraph unless numbered 1.
 */
export interface Block {
  text: string;
  /** Offset of the block's first character in the document (BOM excluded). */
  offset: number;
  /** 1-based line of its first line. */
  line: number;
  /** It starts right after a non-blank line (see above). */
  tight: boolean;
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
  /**
   * The block ends in (or in a node around) a code block, an HTML block, a table, a block quote or a footnote
   * definition: a tight next block (see Block) is parsed with it, as one of those might take its first line.
   */
  heldIfTight: boolean;
}

/** Nodes that might take in a following line at column 0 without a blank line before it (see Block). */
const HOLDS_TIGHT = new Set(['code', 'html', 'table', 'blockquote', 'footnoteDefinition']);

// Sticky, with no `^`: under the y flag `^` still means the start of the text, so it matched at offset 0 only
// and a fence further down went unseen (the blocks around it were then parsed again, together, on every parse).
const FENCE = / {0,3}(`{3,}|~{3,})/y;
const TIGHT_TASK = /[-*+][ \t]+\[[ xX~-]\]/y;

/**
 * Splits a document into top-level blocks (see Block). Never splits inside a fence it can see open. Lines end
 * where micromark ends them (LF, CRLF or a lone CR), so a block's first line is the line a parse of the whole
 * text gives it.
 */
export function splitBlocks(body: string): Block[] {
  const blocks: Block[] = [];
  let blockStart = 0;
  let blockLine = 1;
  let line = 1;
  let prevBlank = false;
  /** Whether the line before the current block's first line was blank. */
  let lastBlank = true;
  let fence: { char: number; length: number } | undefined;
  for (let s = 0; s < body.length; line++) {
    const e = lineEnd(body, s);
    const next = nextLineStart(body, s);
    const c = body.charCodeAt(s);
    const blank = isBlank(body, s, e);
    if (!fence && s > blockStart && !blank && c !== 32 && c !== 9 && (prevBlank || isTightTask(body, s))) {
      blocks.push({ text: body.slice(blockStart, s), offset: blockStart, line: blockLine, tight: blockStart > 0 && !lastBlank });
      blockStart = s;
      blockLine = line;
      lastBlank = prevBlank;
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
    if (next === -1) break;
    s = next;
  }
  if (blockStart < body.length || blocks.length === 0) blocks.push({ text: body.slice(blockStart), offset: blockStart, line: blockLine, tight: blockStart > 0 && !lastBlank });
  return blocks;
}

function isTightTask(body: string, s: number): boolean {
  const c = body.charCodeAt(s);
  if (c !== 45 && c !== 42 && c !== 43) return false;
  TIGHT_TASK.lastIndex = s;
  return TIGHT_TASK.test(body);
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
      } else if (node.type !== 'other' && node.type !== 'footnoteDefinition') {
        regions.push({ kind: node.type, startLine: node.start.line, endLine: node.end.line });
      }
      frames.push({ item: itemHere, inQuote: inQuote || node.type === 'blockquote' });
    },
    exit() {
      frames.pop();
    },
  });
  const openAtEnd = last.some((n) => (n.type === 'code' || n.type === 'html') && isOpen(n.type, text.slice(n.start.offset, n.end.offset)));
  return { items, regions, openAtEnd, heldIfTight: last.some((n) => HOLDS_TIGHT.has(n.type)) };
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
  return { items, regions, openAtEnd: openAtEndOfTree(root, text), heldIfTight: lastChain(root).some((n) => HOLDS_TIGHT.has(n.type)) };
}

function isRegionNode(node: Nodes): node is Nodes & { type: BlockRegion['kind'] } {
  return node.type === 'code' || node.type === 'heading' || node.type === 'blockquote' || node.type === 'html' || node.type === 'table';
}

function readItem(text: string, start: SourcePoint, end: SourcePoint, enclosing: number | null): BlockItem | undefined {
  const box = matchCheckbox(text, start.offset);
  if (!box) return undefined;
  const rest = text.slice(box.end, lineEnd(text, box.end));
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
  return lastChain(root).some((node) => (node.type === 'code' || node.type === 'html') && isOpen(node.type, text.slice(node.position!.start.offset!, node.position!.end.offset!)));
}

/** The root's last child, its last child, and so on. */
function lastChain(root: Root): Nodes[] {
  const chain: Nodes[] = [];
  for (let node: Nodes | undefined = root.children.at(-1); node; node = 'children' in node ? (node.children.at(-1) as Nodes | undefined) : undefined) chain.push(node);
  return chain;
}

/** Whether a code or HTML node's source lacks its end (see openAtEnd). */
function isOpen(type: 'code' | 'html', source: string): boolean {
  if (type === 'code') {
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(source);
    if (!open) return false;
    const lines = source.split(LINE_BREAK);
    if (lines.length < 2) return true;
    const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(lines.at(-1)!);
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
