import { structuredPatch } from 'diff';

/** Lines of context around each change, and the most lines a snippet shows. */
const CONTEXT = 2;
const MAX_SNIPPET_LINES = 40;

/**
 * The file after a write, around what changed, numbered as read_file numbers lines: the model sees what it made
 * (a brace too many, a line re-indented) without reading the file again. Undefined when nothing changed or the
 * change is too large to diff cheaply (then the answer's counts have to do).
 */
export function changeSnippet(before: string, after: string): string | undefined {
  if (before === after) return undefined;
  const patch = structuredPatch('a', 'b', before, after, undefined, undefined, { context: CONTEXT, maxEditLength: 5000 });
  if (!patch || patch.hunks.length === 0) return undefined;
  const out: string[] = [];
  let shown = 0;
  let hidden = 0;
  for (const hunk of patch.hunks) {
    let line = hunk.newStart;
    const rows: string[] = [];
    for (const l of hunk.lines) {
      if (l.startsWith('-') || l.startsWith('\\')) continue;
      rows.push(`${line}\t${l.slice(1).replace(/\r$/, '')}`);
      line++;
    }
    if (rows.length === 0) continue; // only removals: nothing of it is left to show
    const room = MAX_SNIPPET_LINES - shown;
    if (room <= 0) {
      hidden += rows.length;
      continue;
    }
    if (out.length > 0) out.push('…');
    out.push(...rows.slice(0, room));
    hidden += Math.max(0, rows.length - room);
    shown += Math.min(rows.length, room);
  }
  if (out.length === 0) return undefined;
  if (hidden > 0) out.push(`[… ${hidden} more changed or context lines; read_file to see them]`);
  return out.join('\n');
}
