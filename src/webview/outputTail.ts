/**
 * The tail of a command's streamed output. A build can print megabytes; the panel only ever needs the end of it
 * (the whole output stays in the journal), so the tail is capped as chunks arrive instead of when it is shown.
 */
export const MAX_OUTPUT_LINES = 200;
export const MAX_OUTPUT_CHARS = 64 * 1024;

export interface OutputTail {
  lines: string[];
  /** The last line has not seen its newline yet: the next chunk continues it. */
  open: boolean;
  chars: number;
  /** Lines dropped from the front to stay within the caps. */
  dropped: number;
  /** Lines seen in all (kept + dropped). */
  total: number;
}

export function emptyTail(): OutputTail {
  return { lines: [], open: false, chars: 0, dropped: 0, total: 0 };
}

export function appendOutput(t: OutputTail, text: string): void {
  if (text === '') return;
  const parts = text.split('\n');
  // "a\nb\n" splits into ["a", "b", ""]: the trailing empty piece only says the last line is closed.
  const endsClosed = parts[parts.length - 1] === '';
  if (endsClosed) parts.pop();
  let i = 0;
  if (t.open && t.lines.length > 0 && parts.length > 0) {
    const last = t.lines.length - 1;
    t.lines[last] += parts[0]!;
    t.chars += parts[0]!.length;
    i = 1;
  }
  for (; i < parts.length; i++) {
    t.lines.push(parts[i]!);
    t.chars += parts[i]!.length + 1;
    t.total++;
  }
  t.open = !endsClosed && parts.length > 0;
  while (t.lines.length > MAX_OUTPUT_LINES || (t.chars > MAX_OUTPUT_CHARS && t.lines.length > 1)) {
    t.chars -= t.lines.shift()!.length + 1;
    t.dropped++;
  }
  // One enormous line (minified output, a progress bar without newlines): keep its end.
  if (t.chars > MAX_OUTPUT_CHARS && t.lines.length === 1) {
    t.lines[0] = '…' + t.lines[0]!.slice(-MAX_OUTPUT_CHARS);
    t.chars = t.lines[0].length + 1;
  }
}

export function tailText(t: OutputTail): string {
  return t.lines.join('\n');
}
