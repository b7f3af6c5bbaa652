import { diffArrays } from 'diff';
import { lineDiffStats } from './lineDiff.js';

export interface Edit {
  oldText: string;
  newText: string;
  /** Replace every occurrence instead of requiring exactly one. */
  replaceAll?: boolean;
}

/**
 * How an oldText was found, from the strictest: models copy text from a file imperfectly (trailing blanks lost,
 * tabs written as spaces, the whole block shifted by one level, read_file's line numbers copied along), and a
 * refusal costs a whole turn. Each looser way is tried only when the stricter ones found nothing, and only a
 * single candidate is taken: two candidates are never guessed between.
 */
export type MatchKind = 'exact' | 'trailing-whitespace' | 'indentation';

export interface EditsApplied {
  text: string;
  added: number;
  removed: number;
  /** Per edit, how its oldText was found, and how many places it replaced. */
  matches: Array<{ kind: MatchKind; lineNumbers: boolean; count: number }>;
}

export interface EditsRefused {
  error: string;
  index: number;
}

interface Span {
  start: number;
  end: number;
  replacement: string;
}

/**
 * The edits applied in order to the text in memory, or the first that cannot apply (then nothing is written).
 * The file's byte order mark and line endings are kept: a file of `\r\n` lines is matched in `\n` and written back
 * in `\r\n`, since models rarely reproduce a carriage return. The approval card's diff (proposedDiff) comes from
 * this very function, so what the user approves is what is written.
 */
export function applyEdits(original: string, edits: Edit[], rel: string): EditsApplied | EditsRefused {
  const bom = original.startsWith('\uFEFF') ? '\uFEFF' : '';
  let text = original.slice(bom.length);
  // CRLF throughout: work in LF and convert back. Mixed endings: work on the bytes as they are.
  const crlf = text.includes('\r\n') && !/(^|[^\r])\n/.test(text);
  const noCr = !text.includes('\r');
  if (crlf) text = text.replace(/\r\n/g, '\n');
  const mixed = !crlf && !noCr;
  let added = 0;
  let removed = 0;
  const matches: EditsApplied['matches'] = [];
  for (const [i, edit] of edits.entries()) {
    let oldText = crlf || noCr ? lf(edit.oldText) : edit.oldText;
    const newText = crlf || noCr ? lf(edit.newText) : edit.newText;
    const which = `edits[${i}].oldText`;
    const after = i > 0 ? ' (after the edits before it)' : '';
    const quote = JSON.stringify(edit.oldText.length > 80 ? `${edit.oldText.slice(0, 80)}…` : edit.oldText);
    let found = locate(text, oldText, newText, edit.replaceAll === true);
    if (found.kind === 'none' && mixed && oldText.includes('\n') && !oldText.includes('\r')) {
      // A file of mixed endings: the edit may be in its CRLF part.
      const again = locate(text, toCrlf(oldText), toCrlf(newText), edit.replaceAll === true);
      if (again.kind !== 'none') found = again;
    }
    let lineNumbers = false;
    if (found.kind === 'none') {
      // read_file numbers its lines; a model sometimes copies the numbers along.
      const stripped = withoutLineNumbers(oldText);
      if (stripped !== undefined) {
        const again = locate(text, stripped, withoutLineNumbers(newText, true) ?? newText, edit.replaceAll === true);
        if (again.kind !== 'none') {
          found = again;
          lineNumbers = true;
          oldText = stripped;
        }
      }
    }
    if (found.kind === 'none') return { index: i, error: `${which} was not found in ${rel}${after}: ${quote}. Nothing was changed.${closestRegion(text, oldText)}` };
    if (found.kind === 'ambiguous') {
      const how = found.how === 'exact' ? '' : found.how === 'trailing-whitespace' ? ' when trailing whitespace is ignored' : ' when indentation is ignored';
      const shown = found.lines.slice(0, 10);
      return {
        index: i,
        error: `${which} appears ${found.lines.length} times in ${rel}${after}${how} (at lines ${shown.join(', ')}${found.lines.length > shown.length ? ', ...' : ''}): ${quote}. Nothing was changed. Include more of the surrounding lines so that it matches exactly once, or set replaceAll to change every one.`,
      };
    }
    // Replaced from the end, so earlier offsets stay right.
    for (const s of [...found.spans].sort((a, b) => b.start - a.start)) {
      const stats = changedLines(text, s);
      added += stats.added;
      removed += stats.removed;
      text = text.slice(0, s.start) + s.replacement + text.slice(s.end);
    }
    matches.push({ kind: found.how, lineNumbers, count: found.spans.length });
  }
  if (crlf) text = text.replace(/\n/g, '\r\n');
  return { text: bom + text, added, removed, matches };
}

/** What was done to find each edit, for the model, when it was not plain: "edits[0] matched ignoring indentation". */
export function describeMatches(matches: EditsApplied['matches']): string {
  const notes = matches.flatMap((m, i) => {
    const how: string[] = [];
    if (m.lineNumbers) how.push("with read_file's line numbers removed");
    if (m.kind === 'trailing-whitespace') how.push('ignoring trailing whitespace');
    if (m.kind === 'indentation') how.push("ignoring indentation (newText re-indented to the file's)");
    const parts = how.length ? [`matched ${how.join(', ')}`] : [];
    if (m.count > 1) parts.push(`replaced in ${m.count} places`);
    return parts.length ? [`edits[${i}] ${parts.join(', ')}`] : [];
  });
  return notes.length ? ` (${notes.join('; ')})` : '';
}

type Located = { kind: 'found'; how: MatchKind; spans: Span[] } | { kind: 'ambiguous'; how: MatchKind; lines: number[] } | { kind: 'none' };

/** The cascade for one edit: exact, then ignoring trailing whitespace, then ignoring indentation. */
function locate(text: string, oldText: string, newText: string, all: boolean): Located {
  if (oldText === '') return { kind: 'none' };
  const exact = occurrences(text, oldText, all);
  if (exact.length === 1 || (all && exact.length > 0)) return { kind: 'found', how: 'exact', spans: exact.map((start) => ({ start, end: start + oldText.length, replacement: newText })) };
  if (exact.length > 1) return { kind: 'ambiguous', how: 'exact', lines: exact.map((at) => lineOf(text, at)) };
  for (const how of ['trailing-whitespace', 'indentation'] as const) {
    const spans = lineMatches(text, oldText, newText, how);
    if (spans.length === 1 || (all && spans.length > 0)) return { kind: 'found', how, spans };
    if (spans.length > 1) return { kind: 'ambiguous', how, lines: spans.map((s) => lineOf(text, s.start)) };
  }
  return { kind: 'none' };
}

/** Start offsets; overlapping ones count (`aa` in `aaa` is ambiguous), except for replaceAll, which takes them left to right. */
function occurrences(text: string, part: string, nonOverlapping: boolean): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(part); i !== -1; i = text.indexOf(part, nonOverlapping ? i + part.length : i + 1)) out.push(i);
  return out;
}

/**
 * Whole-line windows of the text that equal oldText's lines once trailing whitespace (or all of the indentation)
 * is set aside. newText is fitted to what was found: a line it keeps from oldText is kept as the file has it, and
 * for indentation its other lines are re-indented by the same shift, in the file's own unit (tabs or spaces).
 */
function lineMatches(text: string, oldText: string, newText: string, how: Exclude<MatchKind, 'exact'>): Span[] {
  const norm = how === 'trailing-whitespace' ? (s: string) => s.trimEnd() : (s: string) => s.trim();
  const old = oldText.split('\n');
  const endsWithNewline = old.length > 1 && old[old.length - 1] === '';
  if (endsWithNewline) old.pop();
  if (old.every((l) => l.trim() === '')) return [];
  const oldNorm = old.map(norm);
  const lines = text.split('\n');
  const starts: number[] = [];
  let off = 0;
  for (const l of lines) {
    starts.push(off);
    off += l.length + 1;
  }
  const spans: Span[] = [];
  for (let i = 0; i + old.length <= lines.length; i++) {
    let ok = true;
    for (let j = 0; j < old.length && ok; j++) ok = norm(lines[i + j]!) === oldNorm[j];
    if (!ok) continue;
    const last = i + old.length - 1;
    let end = starts[last]! + lines[last]!.length;
    if (endsWithNewline) {
      if (last === lines.length - 1) continue; // oldText ends with a line break the file does not have there
      end += 1;
    }
    const window = lines.slice(i, i + old.length);
    spans.push({ start: starts[i]!, end, replacement: fitNewText(newText, old, window, how) });
    i = last; // windows do not overlap
  }
  if (spans.length > 0) return spans;
  // A fragment of one line (no line break) may sit inside a line: try it without its outer whitespace.
  if (old.length === 1 && !endsWithNewline) {
    const needle = how === 'trailing-whitespace' ? oldText.trimEnd() : oldText.trim();
    if (needle === oldText || needle === '') return [];
    const lead = how === 'indentation' ? (/^\s*/.exec(oldText)?.[0] ?? '') : '';
    let replacement = newText.startsWith(lead) ? newText.slice(lead.length) : newText.trimStart();
    if (oldText !== oldText.trimEnd()) replacement = replacement.trimEnd();
    return occurrences(text, needle, false).map((start) => ({ start, end: start + needle.length, replacement }));
  }
  return [];
}

function fitNewText(newText: string, old: string[], window: string[], how: Exclude<MatchKind, 'exact'>): string {
  if (how === 'indentation') return reindent(newText, old, window);
  const kept = new Map<string, string>();
  old.forEach((l, j) => {
    if (!kept.has(l)) kept.set(l, window[j]!);
  });
  return newText
    .split('\n')
    .map((l) => kept.get(l) ?? l)
    .join('\n')
}

const indentOf = (l: string) => /^[ \t]*/.exec(l)![0];

/**
 * newText in the file's indentation. Its lines are aligned with oldText's (a line diff on the trimmed text): a
 * line kept as it was is the file's line; any other takes the file's indentation of the nearest line above it
 * that oldText and the file share, shifted by as many levels as newText shifts it, in the file's unit.
 */
function reindent(newText: string, old: string[], window: string[]): string {
  const oldUnit = unitOf(old.filter((l) => l.trim() !== '').map(indentOf));
  const fileIndents = window.filter((l) => l.trim() !== '').map(indentOf);
  const fileTabs = fileIndents.some((s) => s.includes('\t'));
  const fileUnitCols = fileTabs ? oldUnit : unitOf(fileIndents);
  const fileUnit = fileTabs ? '\t' : ' '.repeat(fileUnitCols);
  const first = old.findIndex((l) => l.trim() !== '');
  let anchor = { from: indentOf(old[first]!), to: indentOf(window[first]!) };
  const shifted = (line: string) => {
    if (line.trim() === '') return line.trim() === line ? line : '';
    const levels = Math.round((columns(indentOf(line), oldUnit) - columns(anchor.from, oldUnit)) / oldUnit);
    const rest = line.slice(indentOf(line).length);
    if (levels >= 0) return anchor.to + fileUnit.repeat(levels) + rest;
    return fileUnit.repeat(Math.max(0, Math.round(columns(anchor.to, fileUnitCols) / fileUnitCols) + levels)) + rest;
  };
  const newLines = newText.split('\n');
  const out: string[] = [];
  let o = 0;
  let n = 0;
  for (const part of diffArrays(old.map((l) => l.trim()), newLines.map((l) => l.trim()))) {
    for (let k = 0; k < part.count!; k++) {
      if (part.removed) {
        if (old[o]!.trim() !== '') anchor = { from: indentOf(old[o]!), to: indentOf(window[o]!) };
        o++;
      } else if (part.added) {
        out.push(shifted(newLines[n++]!));
      } else {
        if (old[o]!.trim() !== '') anchor = { from: indentOf(old[o]!), to: indentOf(window[o]!) };
        out.push(newLines[n] === old[o] ? window[o]! : shifted(newLines[n]!));
        o++;
        n++;
      }
    }
  }
  return out.join('\n');
}

/** The indentation unit in columns: the greatest common divisor of the widths, 4 when there is none. */
function unitOf(indents: string[]): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const widths = indents.filter((s) => !s.includes('\t')).map((s) => s.length).filter((n) => n > 0);
  const g = widths.reduce(gcd, 0);
  return g > 0 ? g : 4;
}

const columns = (ws: string, tab: number) => [...ws].reduce((n, c) => n + (c === '\t' ? tab : 1), 0);

/** oldText without read_file's `12\t` prefixes, when every line has one; undefined otherwise. */
function withoutLineNumbers(s: string, lenient = false): string | undefined {
  const lines = s.split('\n');
  const prefixed = /^ *\d+\t/;
  const some = lines.filter((l) => l !== '');
  if (some.length === 0) return undefined;
  if (!lenient && !some.every((l) => prefixed.test(l))) return undefined;
  if (lenient && !some.some((l) => prefixed.test(l))) return undefined;
  return lines.map((l) => l.replace(prefixed, '')).join('\n');
}

function changedLines(text: string, s: Span): { added: number; removed: number } {
  const lineStart = text.lastIndexOf('\n', s.start - 1) + 1;
  const nl = text.indexOf('\n', s.end);
  const lineEnd = nl === -1 ? text.length : nl + 1;
  const oldLines = text.slice(lineStart, lineEnd);
  const newLines = text.slice(lineStart, s.start) + s.replacement + text.slice(s.end, lineEnd);
  return lineDiffStats(oldLines, newLines) ?? { added: newLines.split('\n').length, removed: oldLines.split('\n').length };
}

function lineOf(text: string, at: number): number {
  let line = 1;
  for (let j = text.indexOf('\n'); j !== -1 && j < at; j = text.indexOf('\n', j + 1)) line++;
  return line;
}

const lf = (s: string) => s.replace(/\r\n/g, '\n');
const toCrlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

/** Beyond these, the closest region is not searched for (the refusal still says what to do). */
const MAX_SCAN_LINES = 50_000;
const MAX_COMPARED_OLD_LINES = 60;

/**
 * For a refusal: the lines of the file most like oldText (bigram similarity, line by line), numbered as read_file
 * numbers them, and the first lines that differ, so the model can copy the real text on its next try.
 */
export function closestRegion(text: string, oldText: string): string {
  const advice = ' Read the file (read_file) and copy the text exactly, without the line numbers.';
  const lines = text.split('\n');
  const old = oldText.replace(/\n$/, '').split('\n');
  if (lines.length > MAX_SCAN_LINES || old.length > lines.length) return advice;
  const compared = old.slice(0, MAX_COMPARED_OLD_LINES);
  const grams = new Map<string, Map<string, number>>();
  const gramsOf = (s: string) => {
    let g = grams.get(s);
    if (!g) grams.set(s, (g = bigrams(s)));
    return g;
  };
  const oldGrams = compared.map((l) => bigrams(l.trim()));
  let best = { at: -1, score: 0 };
  for (let i = 0; i + compared.length <= lines.length; i++) {
    let score = 0;
    for (let j = 0; j < compared.length; j++) score += dice(oldGrams[j]!, gramsOf(lines[i + j]!.trim()));
    score /= compared.length;
    if (score > best.score) best = { at: i, score };
  }
  if (best.at < 0 || best.score < 0.5) return ` Nothing in the file resembles it.${advice}`;
  const from = best.at;
  const to = Math.min(lines.length, from + old.length) - 1;
  const differing: string[] = [];
  for (let j = 0; j < old.length && from + j <= to && differing.length < 3; j++) {
    const fileLine = lines[from + j]!;
    if (fileLine === old[j]) continue;
    const why = fileLine.trim() === old[j]!.trim() ? (fileLine.trimEnd() === old[j]!.trimEnd() ? 'indentation' : 'whitespace') : fileLine.replace(/\s+/g, '') === old[j]!.replace(/\s+/g, '') ? 'whitespace inside the line' : 'text';
    differing.push(`  line ${from + j + 1} (${why}): the file has ${JSON.stringify(cut(fileLine))}, oldText has ${JSON.stringify(cut(old[j]!))}`);
  }
  const shown = lines.slice(from, Math.min(to + 1, from + 30)).map((l, k) => `${from + k + 1}\t${l}`);
  const more = to + 1 - from > shown.length ? `\n[… to line ${to + 1}]` : '';
  return ` The closest text is at lines ${from + 1}–${to + 1} (${Math.round(best.score * 100)}% alike); where it differs:\n${differing.join('\n')}\nLines ${from + 1}–${to + 1} as they are now:\n${shown.join('\n')}${more}\nCopy the text from these lines exactly (without the line numbers) and try again.`;
}

const cut = (s: string) => (s.length > 120 ? `${s.slice(0, 120)}…` : s);

function bigrams(s: string): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + 1 < s.length; i++) {
    const g = s.slice(i, i + 2);
    m.set(g, (m.get(g) ?? 0) + 1);
  }
  if (s.length === 1) m.set(s, 1);
  return m;
}

/** Sørensen–Dice on bigram counts: 1 for equal lines, 0 for nothing in common; two blank lines are alike. */
function dice(a: Map<string, number>, b: Map<string, number>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let common = 0;
  let na = 0;
  let nb = 0;
  for (const n of a.values()) na += n;
  for (const n of b.values()) nb += n;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const [g, n] of small) common += Math.min(n, large.get(g) ?? 0);
  return (2 * common) / (na + nb);
}
