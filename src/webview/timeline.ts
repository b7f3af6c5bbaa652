import type { ActivityModel } from './activityModel.js';
import { patchLiveRow, renderRow } from './timelineRows.js';

/** Rows built first after a reset: the end of the run, which is what the user looks at. */
const FIRST_ROWS = 150;
/** Rows built between two clock checks: building one is far cheaper than asking the clock. */
const ROWS_PER_CHECK = 16;
/**
 * Rows per block. Blocks, not rows, carry `content-visibility: auto`: Chromium tracks each such element with an
 * intersection observer on every frame, which at 5,000 rows cost more than everything else the panel does.
 */
const ROWS_PER_BLOCK = 64;

/**
 * The timeline's DOM, kept in step with the model incrementally. Rows cover the item range [lo, hi): new items
 * are appended at hi, changed ones have their row replaced, and after a reset the last rows come first and the
 * history is filled in above them, frame by frame within a time budget, so a journal of 20,000 events shows its
 * end at once and never freezes the panel.
 */
export class Timeline {
  readonly expanded = new Set<string>();
  /** An open section moved to another item (a live row gave way to the turn's whole text): the saved state is stale. */
  expandedMoved = false;
  /** Sections to open again after the next reset (from the webview's saved state). */
  private reopen: readonly string[] = [];
  private rows = new Map<string, HTMLElement>();
  private lo = 0;
  private hi = 0;
  private generation = -1;
  /** Follow new rows: true while the user is at the bottom; only the user's own scrolling changes it. */
  private stick = true;
  private programmatic = false;
  /** The block new rows are appended to. */
  private tail: HTMLElement | null = null;

  constructor(
    private readonly list: HTMLElement,
    /** The element that scrolls (the timeline's viewport). */
    private readonly scroller: HTMLElement,
    private readonly model: ActivityModel,
  ) {
    scroller.addEventListener('scroll', () => {
      if (this.programmatic) this.programmatic = false;
      else this.stick = this.atBottom();
    });
    // Rows off screen get their real height late (content-visibility), and the controls or cards below change
    // the viewport: a user at the bottom stays there.
    const resized = new ResizeObserver(() => this.pin());
    resized.observe(scroller);
    resized.observe(list);
  }

  /** Rows still to build or rebuild. */
  get backlog(): number {
    return this.model.items.length - this.hi + this.lo + this.model.changed.size;
  }

  /** Brings the DOM closer to the model within `budgetMs`; true when it has caught up. */
  flush(budgetMs: number): boolean {
    const m = this.model;
    if (this.generation !== m.generation) {
      this.generation = m.generation;
      this.rows.clear();
      this.list.replaceChildren();
      this.tail = null;
      this.expanded.clear();
      for (const key of this.reopen) this.expanded.add(key);
      this.reopen = [];
      this.lo = this.hi = Math.max(0, m.items.length - FIRST_ROWS);
      this.stick = true;
      m.removed.length = 0;
      m.handover.length = 0;
    }
    this.takeRemoved();
    const deadline = performance.now() + budgetMs;
    const ui = { expanded: this.expanded };

    for (const id of m.changed) {
      m.changed.delete(id);
      const old = this.rows.get(id);
      const item = old && m.item(id);
      // Not rendered yet: it will be built from its latest state when its turn comes. Text streaming in is
      // appended to its row, not rebuilt with all the text before it at every frame.
      if (item && !patchLiveRow(old, item, ui)) this.replace(old, renderRow(item, ui));
      if (performance.now() > deadline) break;
    }

    while (this.hi < m.items.length && performance.now() <= deadline) {
      if (!this.tail || this.tail.childElementCount >= ROWS_PER_BLOCK) {
        this.tail = block();
        this.list.append(this.tail);
      }
      const built: HTMLElement[] = [];
      const room = ROWS_PER_BLOCK - this.tail.childElementCount;
      while (this.hi < m.items.length && built.length < room) {
        const item = m.items[this.hi++]!;
        const el = renderRow(item, ui);
        this.rows.set(item.id, el);
        built.push(el);
        if (this.hi % ROWS_PER_CHECK === 0 && performance.now() > deadline) break;
      }
      this.tail.append(...built);
    }

    while (this.lo > 0 && performance.now() <= deadline) {
      const built: HTMLElement[] = [];
      while (this.lo > 0 && built.length < ROWS_PER_BLOCK) {
        const item = m.items[--this.lo]!;
        const el = renderRow(item, ui);
        this.rows.set(item.id, el);
        built.push(el);
        if (this.lo % ROWS_PER_CHECK === 0 && performance.now() > deadline) break;
      }
      // History goes in above what the user is reading: keep their rows where they are on screen.
      const before = this.stick ? 0 : this.scroller.scrollHeight;
      const b = block();
      b.append(...built.reverse());
      this.list.prepend(b);
      if (!this.tail) this.tail = b;
      if (!this.stick) this.scrollTo(this.scroller.scrollTop + this.scroller.scrollHeight - before);
    }
    this.list.dataset.rows = String(this.hi - this.lo);
    this.pin();
    return this.backlog === 0;
  }

  /**
   * Items the model took out (a streaming answer giving way to its whole text): their rows go, the range of rows
   * built shifts with the indices, and sections opened on them stay open on the items that replace them.
   */
  private takeRemoved(): void {
    const m = this.model;
    for (const { id, index } of m.removed) {
      const row = this.rows.get(id);
      this.rows.delete(id);
      if (index < this.lo) this.lo--;
      if (index < this.hi) this.hi--;
      const b = row?.parentElement;
      row?.remove();
      if (b && b.childElementCount === 0) {
        if (b === this.tail) this.tail = b.previousElementSibling as HTMLElement | null;
        b.remove();
      }
    }
    m.removed.length = 0;
    for (const { from, to } of m.handover) {
      for (const key of [...this.expanded]) {
        if (!key.startsWith(`${from}|`)) continue;
        this.expanded.delete(key);
        this.expanded.add(`${to}${key.slice(from.length)}`);
        this.expandedMoved = true;
      }
    }
    m.handover.length = 0;
  }

  /** After the coming reset, these sections (`item|section`) start open. */
  restoreExpanded(keys: readonly string[]): void {
    this.reopen = keys;
  }

  /** Re-renders one item now (a click on its toggle). */
  refresh(id: string): void {
    const old = this.rows.get(id);
    const item = this.model.item(id);
    if (old && item) this.replace(old, renderRow(item, { expanded: this.expanded }));
  }

  private pin(): void {
    if (this.stick) this.scrollTo(this.scroller.scrollHeight);
  }

  private scrollTo(top: number): void {
    const s = this.scroller;
    const max = s.scrollHeight - s.clientHeight;
    const target = Math.max(0, Math.min(max, top));
    if (Math.abs(s.scrollTop - target) < 1) return;
    // The scroll event this causes is ours, not the user's: it must not turn following off.
    this.programmatic = true;
    s.scrollTop = target;
  }

  private atBottom(): boolean {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 24;
  }

  /** Swaps a row, keeping keyboard focus on the same control if it was inside (an update must not steal focus). */
  private replace(old: HTMLElement, next: HTMLElement): void {
    const active = document.activeElement;
    const key = active instanceof HTMLElement && old.contains(active) ? active.dataset.focusKey : undefined;
    // Open output, and text streaming in, follow their end, like a terminal, unless the user scrolled back in it.
    const before = old.querySelector<HTMLElement>('.output-text, .model-text.live');
    const follow = !before || before.scrollHeight - before.scrollTop - before.clientHeight < 8;
    const top = before?.scrollTop ?? 0;
    old.replaceWith(next);
    this.rows.set(next.dataset.id!, next);
    const out = next.querySelector<HTMLElement>('.output-text, .model-text.live');
    if (out) out.scrollTop = follow ? out.scrollHeight : top;
    if (key) next.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
  }
}

function block(): HTMLElement {
  const b = document.createElement('div');
  b.className = 'block';
  b.setAttribute('role', 'presentation');
  return b;
}
