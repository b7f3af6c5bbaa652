/** What the debouncer needs of a document: a key for it (VS Code's `TextDocument` has one in its uri). */
export interface DebouncedDocument {
  uri: { toString(): string };
}

/**
 * Work on a document, run once its edits pause: each schedule of the same document (by uri) puts the last one off,
 * documents are independent. The diagnostics of tasks.md and of steering files recompute on every keystroke
 * otherwise. A failure of the work (thrown, or a rejected promise) goes to `onError`, never to the timer.
 * Plain TypeScript (no `vscode` import), so it is tested without VS Code.
 */
export class DocumentDebouncer<D extends DebouncedDocument> {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private disposed = false;

  constructor(
    private readonly work: (doc: D) => unknown,
    private readonly onError: (doc: D, err: unknown) => void,
  ) {}

  /** Runs the work on `doc` after `delayMs`, unless the document is scheduled again (or cancelled) before. */
  schedule(doc: D, delayMs: number): void {
    if (this.disposed) return;
    this.cancel(doc);
    const key = doc.uri.toString();
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        try {
          const r = this.work(doc);
          if (r instanceof Promise) r.catch((err: unknown) => this.onError(doc, err));
        } catch (err) {
          this.onError(doc, err);
        }
      }, delayMs),
    );
  }

  /** Drops the pending work on `doc` (a closed document). */
  cancel(doc: DebouncedDocument): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }

  /** How many documents have work pending. */
  get pending(): number {
    return this.timers.size;
  }

  /** Drops every pending work; schedules after this do nothing. */
  dispose(): void {
    this.disposed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
