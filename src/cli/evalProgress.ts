/**
 * `spec-agent eval` on a terminal: a bar per case, redrawn in place as its runs end. Nothing when the output is
 * not a terminal (piped, CI logs): the table at the end says it all.
 */
export class EvalProgress {
  private readonly rows: Array<{ name: string; done: number; ok: number; total: number; now?: string }>;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WriteStream | undefined,
    cases: readonly string[],
    runsPerCase: number,
  ) {
    this.rows = cases.map((name) => ({ name, done: 0, ok: 0, total: runsPerCase }));
  }

  /** A run of `name` starts: the bar says which. */
  started(name: string, what: string): void {
    const row = this.rows.find((r) => r.name === name);
    if (row) row.now = what;
    this.draw();
  }

  ended(name: string, success: boolean): void {
    const row = this.rows.find((r) => r.name === name);
    if (!row) return;
    row.done++;
    if (success) row.ok++;
    row.now = undefined;
    this.draw();
  }

  /** A line for the user (a notice) above the bars, which are drawn again below it; written as is without a terminal. */
  say(err: NodeJS.WritableStream, line: string): void {
    if (!this.out || !this.drawn) return void err.write(line);
    this.out.write(`\x1b[${this.rows.length}A\x1b[2K${line}`);
    this.drawn = false;
    this.draw();
  }

  private draw(): void {
    if (!this.out) return;
    const width = Math.max(...this.rows.map((r) => r.name.length));
    const lines = this.rows.map((r) => {
      const filled = Math.round((r.done / r.total) * 20);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(20 - filled)}`;
      return `  ${r.name.padEnd(width)}  ${bar}  ${r.done}/${r.total}  ${r.ok} passed${r.now ? `  (${r.now})` : ''}`;
    });
    // Back to the first bar, then each line cleared and written again.
    if (this.drawn) this.out.write(`\x1b[${lines.length}A`);
    this.out.write(lines.map((l) => `\x1b[2K${l}\n`).join(''));
    this.drawn = true;
  }
}
