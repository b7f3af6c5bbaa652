import type { ListItem, Nodes } from 'mdast';
import { LineIndex } from './lineIndex.js';
import { parseMarkdownBlocks } from './markdown.js';
import { readRequirementRefs } from './requirementRefs.js';
import { findNearMisses, findDuplicateIds, type BlockRegion } from './taskDiagnostics.js';
import { matchCheckbox, parentIdOf, readHeadline } from './taskLine.js';
import type { SourcePoint, Task, TaskTree } from './types.js';

interface Frame {
  node: Nodes;
  /** Index of the nearest enclosing task, or null. */
  task: number | null;
  inQuote: boolean;
}

/**
 * Reads a tasks.md into a task tree. Structure comes from the markdown syntax tree: a task is a list item
 * (outside block quotes) whose first line starts with a checkbox. A task's parent is the nearest enclosing
 * task; a task with no enclosing task whose id is dotted (`2.1`) is a sub-task of the nearest earlier task
 * with the id minus its last component (`2`), because real files often write sub-tasks flat at column 0.
 */
export function parseTasks(text: string): TaskTree {
  const bom = text.charCodeAt(0) === 0xfeff;
  const body = bom ? text.slice(1) : text;
  const lines = new LineIndex(body);
  const root = parseMarkdownBlocks(body);

  const tasks: Task[] = [];
  const regions: BlockRegion[] = [];
  const lastIndexById = new Map<string, number>();
  const stack: Frame[] = [{ node: root, task: null, inQuote: false }];

  while (stack.length > 0) {
    const { node, task: enclosing, inQuote } = stack.pop()!;
    let taskHere = enclosing;
    if (node.type === 'listItem' && !inQuote) {
      const t = readTask(node, body, lines, tasks.length, enclosing, tasks, lastIndexById);
      if (t) {
        tasks.push(t);
        if (t.id !== null) lastIndexById.set(t.id, t.index);
        taskHere = t.index;
      }
    } else if (isRegionNode(node)) {
      regions.push({ kind: node.type, startLine: node.position!.start.line, endLine: node.position!.end.line });
    }
    if ('children' in node) {
      const quote = inQuote || node.type === 'blockquote';
      for (let i = node.children.length - 1; i >= 0; i--) {
        stack.push({ node: node.children[i] as Nodes, task: taskHere, inQuote: quote });
      }
    }
  }

  fillDetails(tasks, lines);
  const roots = tasks.filter((t) => t.parent === null).map((t) => t.index);
  const taskLines = new Set(tasks.map((t) => t.range.start.line));
  const diagnostics = [...findDuplicateIds(tasks), ...findNearMisses(lines, taskLines, regions)];
  diagnostics.sort((a, b) => a.line - b.line || a.column - b.column);
  return { tasks, roots, diagnostics, bom };
}

function isRegionNode(node: Nodes): node is Nodes & { type: BlockRegion['kind'] } {
  return node.type === 'code' || node.type === 'heading' || node.type === 'blockquote' || node.type === 'html' || node.type === 'table';
}

function readTask(
  item: ListItem,
  body: string,
  lines: LineIndex,
  index: number,
  enclosing: number | null,
  tasks: Task[],
  lastIndexById: Map<string, number>,
): Task | undefined {
  const start = item.position!.start;
  const box = matchCheckbox(body, start.offset!);
  if (!box) return undefined;
  const firstLine = lines.line(start.line);
  const { id, title } = readHeadline(firstLine.slice(box.end - lines.starts[start.line - 1]!));

  let parent = enclosing;
  if (parent === null && id !== null) {
    const parentId = parentIdOf(id);
    if (parentId !== null) parent = lastIndexById.get(parentId) ?? null;
  }
  const parentTask = parent === null ? undefined : tasks[parent];
  parentTask?.children.push(index);

  const markerStart: SourcePoint = { line: start.line, column: start.column + box.markerOffset - start.offset!, offset: box.markerOffset };
  return {
    index,
    id,
    title,
    status: box.status,
    optional: box.optional,
    depth: parentTask ? parentTask.depth + 1 : 0,
    parent,
    children: [],
    details: [],
    requirements: [],
    range: { start: point(start), end: point(item.position!.end) },
    markerRange: { start: markerStart, end: { ...markerStart, column: markerStart.column + 3, offset: markerStart.offset + 3 } },
  };
}

function point(p: { line: number; column: number; offset?: number | undefined }): SourcePoint {
  return { line: p.line, column: p.column, offset: p.offset! };
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

