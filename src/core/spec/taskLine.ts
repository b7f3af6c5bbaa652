import { statusFromMark, type TaskStatus } from './types.js';

/**
 * The checkbox at the start of a list item, read from the source at the item's bullet:
 * `- [ ] `, `* [x] `, `1. [-] `, `- [ ]* ` (optional), `- [ ]\* ` (optional, markdown-escaped).
 * GFM alone only knows `[ ]`/`[x]` followed by whitespace, so the marker is read here.
 */
const CHECKBOX = /(?:[-*+]|\d{1,9}[.)])[ \t]+\[([ xX~-])\](\\?\*)?(?=\s|$)/y;

export interface CheckboxMatch {
  status: TaskStatus;
  optional: boolean;
  /** Offset of `[` in the text. */
  markerOffset: number;
  /** Offset just after the checkbox and its optional star. */
  end: number;
}

export function matchCheckbox(text: string, bulletOffset: number): CheckboxMatch | undefined {
  CHECKBOX.lastIndex = bulletOffset;
  const m = CHECKBOX.exec(text);
  if (!m) return undefined;
  const status = statusFromMark(m[1]!);
  if (!status) return undefined;
  const end = bulletOffset + m[0].length;
  const markerOffset = end - 3 - (m[2]?.length ?? 0);
  return { status, optional: m[2] !== undefined, markerOffset, end };
}

/**
 * A task id is the first token of the task text: an optional `**` and `Task ` prefix, then
 * `[PREFIX-]*[A-Z]?digits[a-z]?(.digits|.UPPER)*`, ended by `.`, `:`, `)`, `**`, whitespace or the end.
 */
const TASK_ID = /^(\*\*)?(?:[Tt]ask\s+)?((?:[A-Z][A-Z0-9]*-)*[A-Z]?\d+[a-z]?(?:\.(?:\d+|[A-Z]))*)(?=[.:)]|\*\*|\s|$)/;

export interface TaskHeadline {
  id: string | null;
  title: string;
}

/** Splits the text after the checkbox (`1.1 Create the model`) into id and title. */
export function readHeadline(text: string): TaskHeadline {
  const trimmed = text.trim();
  const m = TASK_ID.exec(trimmed);
  if (!m) return { id: null, title: stripBold(trimmed) };
  let rest = trimmed.slice(m[0].length).replace(/^[.:)\s]*(?:\*\*)?[.:)\s]*/, '');
  if (m[1] && rest.includes('**')) rest = rest.replace('**', '');
  return { id: m[2]!, title: rest.trim() };
}

function stripBold(s: string): string {
  const m = /^\*\*(.*)\*\*$/.exec(s);
  return m && !m[1]!.includes('**') ? m[1]!.trim() : s;
}

/** `2.1` -> `2`; `MVP-2.1` -> `MVP-2`; `2` -> null. */
export function parentIdOf(id: string): string | null {
  const dot = id.lastIndexOf('.');
  return dot > 0 ? id.slice(0, dot) : null;
}
