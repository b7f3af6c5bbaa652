import { LineIndex } from './lineIndex.js';
import { readRequirementRefs } from './requirementRefs.js';
import { parseBlock, parseBlockTree, splitBlocks, type Block, type BlockParse } from './taskBlocks.js';
import { findNearMisses, findDuplicateIds, type BlockRegion } from './taskDiagnostics.js';
import { parentIdOf } from './taskLine.js';
import type { SourcePoint, Task, TaskTree } from './types.js';

/**
 * Reads a tasks.md into a task tree. Structure comes from the markdown syntax tree: a task is a list item
 * (outside block quotes) whose first line starts with a checkbox. A task's parent is the nearest enclosing
 * task; a task with no enclosing task whose id is dotted (`2.1`) is a sub-task of the nearest earlier task
 * with the id minus its last component (`2`), because real files often write sub-tasks flat at column 0.
 */
export function parseTasks(text: string): TaskTree {
  return new TaskParser().parse(text);
}

/**
 * Parses tasks.md text again and again as it is edited: the file is cut into top-level blocks (see
 * taskBlocks.ts), and a block whose text is the same as in the previous parse is not parsed again; its tasks
 * are reused, moved to their new lines and offsets. The result is the same as a parse of the whole file (a test
 * compares the two after random edits of the corpus). Only the blocks of the last text are kept.
 */
export class TaskParser {
  private blocks = new Map<string, BlockParse>();
  /** How many blocks the last parse had to parse (the others were reused). */
  parsedBlocks = 0;
  /** How many blocks the last parse had. */
  totalBlocks = 0;

  parse(text: string): TaskTree {
    const bom = text.charCodeAt(0) === 0xfeff;
    const body = bom ? text.slice(1) : text;
    const next = new Map<string, BlockParse>();
    const parts: Array<[Block, BlockParse]> = [];
    const blocks = splitBlocks(body);
    this.parsedBlocks = 0;
    for (let i = 0; i < blocks.length; i++) {
      let block = blocks[i]!;
      let parsed = this.get(block.text, next);
      // A fence or HTML block left open runs on into the next block, as it does in the whole file; a tight
      // block goes with one above that might hold its first line (see Block in taskBlocks.ts).
      while (i + 1 < blocks.length && (parsed.openAtEnd || (parsed.heldIfTight && blocks[i + 1]!.tight))) {
        const following = blocks[++i]!;
        block = { text: body.slice(block.offset, following.offset + following.text.length), offset: block.offset, line: block.line, tight: block.tight };
        parsed = this.get(block.text, next);
      }
      next.set(block.text, parsed);
      parts.push([block, parsed]);
    }
    this.blocks = next;
    this.totalBlocks = parts.length;
    return assemble(body, bom, parts);
  }

  private get(text: string, next: Map<string, BlockParse>): BlockParse {
    const hit = next.get(text) ?? this.blocks.get(text);
    if (hit) return hit;
    this.parsedBlocks++;
    return parseBlock(text);
  }
}

/**
 * The whole file parsed as one markdown document by remark, into mdast, without blocks: the reference that the
 * block-wise, event-based parse must equal (and the parse as it was before both).
 */
export function parseTasksWhole(text: string): TaskTree {
  const bom = text.charCodeAt(0) === 0xfeff;
  const body = bom ? text.slice(1) : text;
  return assemble(body, bom, [[{ text: body, offset: 0, line: 1, tight: false }, parseBlockTree(body)]]);
}

/** Tasks of the blocks, in file order, with positions in the file, parents, details and diagnostics. */
function assemble(body: string, bom: boolean, parts: ReadonlyArray<readonly [Block, BlockParse]>): TaskTree {
  const lines = new LineIndex(body);
  const tasks: Task[] = [];
  const regions: BlockRegion[] = [];
  const lastIndexById = new Map<string, number>();
  for (const [block, parsed] of parts) {
    const lineShift = block.line - 1;
    const base = tasks.length;
    const shift = (p: SourcePoint): SourcePoint => ({ line: p.line + lineShift, column: p.column, offset: p.offset + block.offset });
    for (const item of parsed.items) {
      let parent = item.enclosing === null ? null : base + item.enclosing;
      if (parent === null && item.id !== null) {
        const parentId = parentIdOf(item.id);
        if (parentId !== null) parent = lastIndexById.get(parentId) ?? null;
      }
      const parentTask = parent === null ? undefined : tasks[parent];
      const index = tasks.length;
      parentTask?.children.push(index);
      const start = shift(item.start);
      const markerOffset = item.markerOffset + block.offset;
      const markerStart: SourcePoint = { line: start.line, column: start.column + markerOffset - start.offset, offset: markerOffset };
      tasks.push({
        index,
        id: item.id,
        title: item.title,
        status: item.status,
        optional: item.optional,
        depth: parentTask ? parentTask.depth + 1 : 0,
        parent,
        children: [],
        details: [],
        requirements: [],
        range: { start, end: shift(item.end) },
        markerRange: { start: markerStart, end: { ...markerStart, column: markerStart.column + 3, offset: markerStart.offset + 3 } },
      });
      if (item.id !== null) lastIndexById.set(item.id, index);
    }
    for (const r of parsed.regions) regions.push({ kind: r.kind, startLine: r.startLine + lineShift, endLine: r.endLine + lineShift });
  }

  fillDetails(tasks, lines);
  const roots = tasks.filter((t) => t.parent === null).map((t) => t.index);
  const taskLines = new Set(tasks.map((t) => t.range.start.line));
  const diagnostics = [...findDuplicateIds(tasks), ...findNearMisses(lines, taskLines, regions)];
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  return { tasks, roots, diagnostics, bom };
}

/**
 * A task's details are the non-blank lines of its item after the first, minus the lines of its sub-tasks
 * (structural or by numbering), without indentation and list bullets.
 */
function fillDetails(tasks: Task[], lines: LineIndex): void {
  for (const task of tasks) {
    const first = task.range.start.line + 1;
    const last = task.range.end.line;
    if (last < first) continue;
    const excluded: Array<[number, number]> = [];
    for (const c of task.children) {
      const child = tasks[c]!;
      if (child.range.start.line <= last) excluded.push([child.range.start.line, child.range.end.line]);
    }
    for (let ln = first; ln <= last; ln++) {
      const skip = excluded.find(([a, b]) => ln >= a && ln <= b);
      if (skip) {
        ln = skip[1];
        continue;
      }
      const text = lines.line(ln).trim().replace(/^(?:[-*+]|\d{1,9}[.)])\s+/, '');
      if (text) task.details.push(text);
    }
    task.requirements = readRequirementRefs(task.details);
  }
}
