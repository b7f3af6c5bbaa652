/** A position in a document: 1-based line and column, 0-based offset in UTF-16 code units (BOM excluded). */
export interface SourcePoint {
  line: number;
  column: number;
  offset: number;
}

export interface SourceRange {
  start: SourcePoint;
  end: SourcePoint;
}

export type TaskStatus = 'todo' | 'in_progress' | 'queued' | 'done';

export interface Task {
  /** Position in file order; also the index into `TaskTree.tasks`. */
  index: number;
  /** The id as written (`1`, `2.1`, `T01`, `MVP-2.1`), or null for an un-numbered task. */
  id: string | null;
  title: string;
  status: TaskStatus;
  optional: boolean;
  /** 0 for a top-level task. */
  depth: number;
  /** Index of the parent task, or null. */
  parent: number | null;
  /** Indices of the direct sub-tasks, in file order. */
  children: number[];
  /** The item's own lines after the first, without list bullets; sub-tasks excluded. */
  details: string[];
  /** Requirement ids referenced by the task (`_Requirements: 1.1, 2.3_`, `**Validates: Requirements 1.2**`). */
  requirements: string[];
  /** The whole list item, sub-tasks included. */
  range: SourceRange;
  /** The checkbox alone: `[ ]`, three code units. */
  markerRange: SourceRange;
}

export type DiagnosticSeverity = 'error' | 'warning';

export interface SpecDiagnostic {
  /** 1-based. */
  line: number;
  /** 1-based start and end columns on that line (end exclusive). */
  column: number;
  endColumn: number;
  severity: DiagnosticSeverity;
  message: string;
  code: DiagnosticCode;
}

export type DiagnosticCode =
  | 'duplicate-id'
  | 'not-a-task'
  | 'unknown-requirement'
  | 'too-large';

export interface TaskTree {
  tasks: Task[];
  /** Indices of top-level tasks. */
  roots: number[];
  diagnostics: SpecDiagnostic[];
  /** The text began with a UTF-8 BOM (offsets exclude it). */
  bom: boolean;
}

export const STATUS_MARKS: Record<TaskStatus, string> = {
  todo: ' ',
  in_progress: '-',
  queued: '~',
  done: 'x',
};

export function statusFromMark(mark: string): TaskStatus | undefined {
  switch (mark) {
    case ' ': return 'todo';
    case '-': return 'in_progress';
    case '~': return 'queued';
    case 'x': case 'X': return 'done';
    default: return undefined;
  }
}
