import type { LineIndex } from './lineIndex.js';
import type { SpecDiagnostic, Task } from './types.js';

/** A block of the document in which a checkbox is not a task. */
export interface BlockRegion {
  kind: 'code' | 'heading' | 'blockquote' | 'html' | 'table';
  startLine: number;
  endLine: number;
}

/** The agent and the CLI address tasks by id, so a second task with the same id is ambiguous. */
export function findDuplicateIds(tasks: readonly Task[]): SpecDiagnostic[] {
  const first = new Map<string, Task>();
  const out: SpecDiagnostic[] = [];
  for (const t of tasks) {
    if (t.id === null) continue;
    const earlier = first.get(t.id);
    if (!earlier) {
      first.set(t.id, t);
      continue;
    }
    const col = t.markerRange.end.column + 1;
    out.push({
      line: t.range.start.line,
      column: col,
      endColumn: col + t.id.length,
      severity: 'warning',
      code: 'duplicate-id',
      message: `Task id ${t.id} is already used on line ${earlier.range.start.line}; tasks are run and reported by id, so give this one a unique id.`,
    });
  }
  return out;
}

/**
 * Lines that look like a checkbox task but that Markdown does not read as one. Kiro drops the buttons of
 * such lines silently; this says why, and how to write it.
 */
const CHECKBOX_LIKE = /^([ \t]*)((?:>[ \t]?)*)(#{1,6}[ \t]+)?((?:[-*+]|\d{1,9}[.)])[ \t]*)?\[([ xX~-]|[ \t]{2,}|x[ \t]|[ \t]x|[✓✔✗☐☑vV]|)\](\\?\*)?(.?)/;

export function findNearMisses(lines: LineIndex, taskLines: ReadonlySet<number>, regions: readonly BlockRegion[]): SpecDiagnostic[] {
  const out: SpecDiagnostic[] = [];
  for (let ln = 1; ln <= lines.lineCount; ln++) {
    if (taskLines.has(ln)) continue;
    const text = lines.line(ln);
    if (!text.includes(']')) continue;
    const m = CHECKBOX_LIKE.exec(text);
    if (!m) continue;
    const [, indent, quote, heading, bullet, mark, , after] = m as unknown as string[];
    const region = regionAt(regions, ln);
    const reason = explain(region, { quote: !!quote, heading: !!heading, bullet, mark: mark!, after: after! });
    if (!reason) continue;
    const column = indent!.length + 1;
    out.push({ line: ln, column, endColumn: m[0].length + 1, severity: 'warning', code: 'not-a-task', message: `Not a task: ${reason}` });
  }
  return out;
}

function regionAt(regions: readonly BlockRegion[], line: number): BlockRegion | undefined {
  let found: BlockRegion | undefined;
  for (const r of regions) if (line >= r.startLine && line <= r.endLine && (!found || r.startLine >= found.startLine)) found = r;
  return found;
}

function explain(
  region: BlockRegion | undefined,
  m: { quote: boolean; heading: boolean; bullet: string | undefined; mark: string; after: string },
): string | undefined {
  if (region?.kind === 'code') return 'it is inside a code block. Move it out of the block if it is meant as a task.';
  if (m.heading || region?.kind === 'heading') return 'a checkbox in a heading is not a task. Write it as a list item: `- [ ] 1. Title`.';
  if (m.quote || region?.kind === 'blockquote') return 'it is inside a block quote (`>`). Remove the `>` if it is meant as a task.';
  if (region?.kind === 'html') return 'it is inside an HTML block, where Markdown is not read. Put a blank line between the HTML and the list.';
  if (region?.kind === 'table') return 'it is inside a table. Write tasks as list items: `- [ ] 1. Title`.';
  if (!/^(?:[ xX~-])$/.test(m.mark)) return `\`[${m.mark}]\` is not a task marker. Use \`[ ]\` (to do), \`[x]\` (done), \`[-]\` (in progress) or \`[~]\` (queued).`;
  if (!m.bullet) return 'a checkbox needs a list bullet before it. Write `- [ ] ...`.';
  if (!/[ \t]$/.test(m.bullet)) return `there must be a space between \`${m.bullet.trim()}\` and \`[\`. Write \`- [ ] ...\`.`;
  if (m.after && !/\s/.test(m.after)) return `the checkbox must be followed by a space (found \`]${m.after}\`). Write \`- [ ] ${m.after === '-' ? '' : m.after}...\`.`;
  return 'Markdown reads this line as ordinary text (an indented line continues the paragraph above). Put a blank line before it or remove the extra indentation.';
}
