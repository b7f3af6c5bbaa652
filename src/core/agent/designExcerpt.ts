import { estimateTokens } from './contextBudget.js';

/** Past this, design.md is quoted as its outline and the sections that concern the task. */
export const DESIGN_WHOLE_TOKENS = 8_000;
/** What the chosen sections may take. */
const SECTIONS_TOKENS = 6_000;

const STOP = new Set(['the', 'and', 'for', 'with', 'that', 'this', 'from', 'into', 'each', 'when', 'then', 'than', 'them', 'have', 'should', 'must', 'will', 'shall', 'only', 'also', 'add', 'use', 'make', 'using', 'task', 'tasks', 'file', 'files', 'code', 'test', 'tests', 'write', 'implement', 'create', 'update']);

interface Section {
  heading: string;
  level: number;
  text: string;
}

/**
 * design.md for a task's prompt. Small documents whole; a large one as every heading (so the model knows what
 * exists and can read on), plus the sections whose words or requirement ids the task shares, best first, within
 * a budget, in document order. The note says the rest can be read with read_file.
 */
export function designForTask(design: string, task: { title: string; details: string[]; requirements: string[] }, path: string): string {
  if (estimateTokens([{ role: 'user', content: design }]) <= DESIGN_WHOLE_TOKENS) return design.trim();
  const sections = splitSections(design);
  const words = keywords([task.title, ...task.details].join(' '));
  const ids = task.requirements.map((r) => r.toLowerCase());
  const scored = sections.map((s, i) => ({ i, score: score(s, words, ids) })).filter((x) => x.score > 0).sort((a, b) => b.score - a.score || a.i - b.i);
  const chosen = new Set<number>();
  let used = 0;
  for (const { i } of scored) {
    const cost = estimateTokens([{ role: 'user', content: sections[i]!.text }]);
    if (used + cost > SECTIONS_TOKENS) continue;
    chosen.add(i);
    used += cost;
  }
  const outline = sections.filter((s) => s.heading).map((s) => `${'  '.repeat(Math.max(0, s.level - 1))}- ${s.heading}`);
  const quoted = sections.filter((_, i) => chosen.has(i)).map((s) => s.text.trim());
  return [
    `(design.md is long: its outline, then ${quoted.length} of its ${sections.length} sections that concern this task. Read the rest with read_file on ${path} when you need it.)`,
    `### Outline\n${outline.join('\n')}`,
    ...quoted,
  ].join('\n\n');
}

function splitSections(md: string): Section[] {
  const out: Section[] = [];
  let current: Section = { heading: '', level: 0, text: '' };
  let fence = false;
  for (const line of md.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    const m = fence ? null : /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (m && m[1]!.length <= 3) {
      if (current.heading || current.text.trim()) out.push(current);
      current = { heading: m[2]!, level: m[1]!.length, text: '' };
    }
    current.text += `${line}\n`;
  }
  if (current.heading || current.text.trim()) out.push(current);
  return out;
}

function keywords(text: string): Set<string> {
  return new Set((text.toLowerCase().match(/[a-z_][a-z0-9_]{3,}/g) ?? []).filter((w) => !STOP.has(w)));
}

function score(s: Section, words: Set<string>, ids: string[]): number {
  const text = s.text.toLowerCase();
  const heading = s.heading.toLowerCase();
  let n = 0;
  for (const w of words) {
    if (heading.includes(w)) n += 3;
    else if (text.includes(w)) n += 1;
  }
  for (const id of ids) if (new RegExp(`(^|[^\\d.])${id.replace(/\./g, '\\.')}(?![\\d])`).test(text)) n += 4;
  return n;
}
