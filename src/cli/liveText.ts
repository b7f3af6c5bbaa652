import type { RunEvent } from '../core/runs/events.js';

type Delta = Extract<RunEvent, { type: 'model.delta' }>;

/**
 * The model's answer written to a terminal as it streams in (model.delta): the text as it comes, indented as the
 * renderer's other lines are; the reasoning as one dim "thinking…" line that becomes "(thought for N characters)".
 * Only on a TTY: piped, the renderer prints each turn's text once, from model.text. Whatever else the run prints
 * first ends the line the stream was on (`interrupt`), so no line is ever written into the middle of another.
 */
export class LiveText {
  /** The line the stream is on: none, a line of answer text, or the "thinking…" line. */
  private open: 'none' | 'text' | 'thinking' = 'none';
  /** This turn streamed text / reasoning, so its model.text / model.thinking is not printed again. */
  private streamed = { text: false, thinking: false };
  private thought = 0;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly dim: (s: string) => string,
  ) {}

  delta(e: Delta): void {
    if (e.restart) {
      this.interrupt();
      if (this.streamed.text || this.streamed.thinking) this.out.write(this.dim('  ↻ the connection dropped mid-answer; the answer starts again\n'));
      this.streamed = { text: false, thinking: false };
      this.thought = 0;
      return;
    }
    if (e.channel === 'thinking') {
      this.thought += e.text.length;
      this.streamed.thinking = true;
      if (this.open === 'thinking') return;
      this.interrupt();
      this.out.write(this.dim('  (thinking…)'));
      this.open = 'thinking';
      return;
    }
    if (this.open === 'thinking') this.endThinking(this.thought);
    if (this.open !== 'text') {
      this.out.write('  ');
      this.open = 'text';
      this.streamed.text = true;
      // A turn's text starts at its first non-blank character, as the whole text (trimmed) does.
      this.leading = true;
    }
    this.write(e.text);
  }

  /** The turn's reasoning, whole: true when it was streamed already (the caller prints nothing more). */
  thinking(text: string): boolean {
    if (!this.streamed.thinking) return false;
    this.streamed.thinking = false;
    if (this.open === 'thinking') this.endThinking(text.length);
    return true;
  }

  /** The turn's text, whole: true when it was streamed already. */
  text(): boolean {
    if (!this.streamed.text) return false;
    this.streamed.text = false;
    this.interrupt();
    return true;
  }

  /** Something else is printed: the line the stream was on ends first. */
  interrupt(): void {
    if (this.open === 'text' && !this.atLineStart) this.out.write('\n');
    else if (this.open === 'thinking') this.endThinking(this.thought);
    this.open = 'none';
    this.atLineStart = false;
  }

  /** The last piece ended a line: the next one is indented. */
  private atLineStart = false;
  /** Nothing but blanks written of this turn's text yet. */
  private leading = false;

  private write(text: string): void {
    let s = text;
    if (this.leading) {
      s = s.trimStart();
      if (!s) return;
      this.leading = false;
    }
    if (this.atLineStart && s) {
      s = `  ${s}`;
      this.atLineStart = false;
    }
    if (s.endsWith('\n')) {
      s = s.slice(0, -1);
      this.atLineStart = true;
    }
    this.out.write(s.replace(/\n/g, '\n  ') + (this.atLineStart ? '\n' : ''));
  }

  private endThinking(chars: number): void {
    // \r and erase-line: the "(thinking…)" line becomes the count, as the piped output says it.
    this.out.write(`\r\x1b[K${this.dim(`  (thought for ${chars.toLocaleString('en-US')} characters)`)}\n`);
    this.open = 'none';
    this.thought = 0;
  }
}
