import type { SourcePoint } from './types.js';

/**
 * Offsets of line starts, for turning offsets into points and reading whole lines. A line ends at LF, CRLF or a
 * lone CR (an old Mac file), as it does to micromark: the lines here are the lines of its positions, so a task's
 * line and the line a diagnostic reads are the same line.
 */
export class LineIndex {
  readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = nextLineStart(text, 0); i !== -1; i = nextLineStart(text, i)) this.starts.push(i);
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** The text of a 1-based line, without its line ending. */
  line(line: number): string {
    const start = this.starts[line - 1]!;
    return this.text.slice(start, lineEnd(this.text, start));
  }

  point(offset: number): SourcePoint {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1, offset };
  }
}

/** The offset of the line ending (CR or LF) of the line holding `from`, or the text's length on its last line. */
export function lineEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return text.length;
}

/** The start of the line after the one holding `from` (past LF, CRLF or a lone CR), or -1 on the last line. */
export function nextLineStart(text: string, from: number): number {
  const end = lineEnd(text, from);
  if (end === text.length) return -1;
  return text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
}

/** A text's lines, split where micromark splits them (LF, CRLF, lone CR). */
export const LINE_BREAK = /\r\n|\r|\n/;
