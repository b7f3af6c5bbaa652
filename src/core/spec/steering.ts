import { Minimatch } from 'minimatch';
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import type { DiagnosticSeverity } from './types.js';

/**
 * Kiro's steering files (`.kiro/steering/*.md`, `~/.kiro/steering/*.md`) as Kiro writes them: YAML front matter
 * with `inclusion` (always | fileMatch | manual | auto), `fileMatchPattern` (one glob or a list), and for `auto`
 * a `name` and `description`. No front matter, or no `inclusion`, means always (Kiro's default).
 * Pure text in, facts out: reading the files and quoting them in the prompt is the agent's business.
 */

export type SteeringInclusion = 'always' | 'fileMatch' | 'manual' | 'auto';
const INCLUSIONS: readonly SteeringInclusion[] = ['always', 'fileMatch', 'manual', 'auto'];

export type SteeringDiagnosticCode = 'steering-front-matter' | 'steering-inclusion' | 'steering-pattern' | 'steering-description';

/** A problem in a steering file, 1-based line and columns (end exclusive), offsets without the BOM. */
export interface SteeringDiagnostic {
  line: number;
  column: number;
  endColumn: number;
  severity: DiagnosticSeverity;
  message: string;
  code: SteeringDiagnosticCode;
}

export interface SteeringDoc {
  /** The file name without `.md`: what `#name` in a task refers to, and what decides a global/workspace clash. */
  name: string;
  /** As the prompt and the panel show it: `.kiro/steering/api.md`, or `~/.kiro/steering/api.md` for global steering. */
  file: string;
  scope: 'workspace' | 'global';
  /** undefined: the front matter is broken or names an unknown mode; such a file is never included (it is diagnosed). */
  inclusion: SteeringInclusion | undefined;
  /** fileMatch globs, relative to the workspace. */
  patterns: string[];
  /** The front matter's `name` (auto mode), when it has one. */
  title?: string;
  description?: string;
  /** The Markdown after the front matter. */
  body: string;
  diagnostics: SteeringDiagnostic[];
}

const FRONT_MATTER = /^---[ \t]*\r?\n(?:([\s\S]*?)\r?\n)?---[ \t]*(?:\r?\n|$)/;

/** A steering file's text parsed: its mode, patterns, description, body, and what is wrong with its front matter. */
export function parseSteering(text: string, where: { name: string; file: string; scope: 'workspace' | 'global' }): SteeringDoc {
  // VS Code and Kiro both hide the BOM: a file saved by Notepad must not turn `manual` into `always`.
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const doc: SteeringDoc = { ...where, inclusion: 'always', patterns: [], body: src.trim(), diagnostics: [] };
  const m = FRONT_MATTER.exec(src);
  if (!m) {
    // An opening `---` without its closing one: the front matter would be quoted as rules, and a manual file
    // would ride along with every task. Left out until fixed.
    if (/^---[ \t]*\r?\n/.test(src)) {
      doc.inclusion = undefined;
      doc.diagnostics.push({ line: 1, column: 1, endColumn: 4, severity: 'error', code: 'steering-front-matter', message: 'The front matter opened by this --- is never closed: end it with a line of ---. The file is not included until it is fixed.' });
    }
    return doc;
  }
  doc.body = src.slice(m[0].length).trim();
  const frontText = m[1] ?? '';
  const frontStart = src.indexOf('\n') + 1;
  const at = (offset: number, length: number, severity: DiagnosticSeverity, code: SteeringDiagnosticCode, message: string) => {
    doc.diagnostics.push({ ...position(src, frontStart + offset, Math.max(1, length)), severity, code, message });
  };
  const whole = (n: Node | null | undefined): [number, number] => (n?.range ? [n.range[0], n.range[1] - n.range[0]] : [0, 3]);

  const yaml = parseDocument(frontText, { prettyErrors: false, uniqueKeys: true });
  if (yaml.errors.length > 0) {
    for (const e of yaml.errors.slice(0, 3)) at(e.pos[0], e.pos[1] - e.pos[0], 'error', 'steering-front-matter', `Steering front matter is not valid YAML: ${e.message.split('\n')[0]}. The file is not included until it is fixed.`);
    doc.inclusion = undefined;
    return doc;
  }
  const root = yaml.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return doc;
  if (!isMap(root)) {
    at(...whole(root), 'error', 'steering-front-matter', 'Steering front matter must be keys and values (inclusion: always | fileMatch | manual | auto). The file is not included until it is fixed.');
    doc.inclusion = undefined;
    return doc;
  }

  const inclusionNode = yaml.get('inclusion', true) as Node | undefined;
  const inclusion = yaml.get('inclusion');
  if (inclusion !== undefined && inclusion !== null) {
    const known = INCLUSIONS.find((i) => i === inclusion);
    if (known) doc.inclusion = known;
    else {
      const near = typeof inclusion === 'string' ? INCLUSIONS.find((i) => i.toLowerCase() === inclusion.trim().toLowerCase()) : undefined;
      at(...whole(inclusionNode), 'error', 'steering-inclusion', `Unknown steering inclusion ${JSON.stringify(inclusion)}${near ? ` (did you mean "${near}"?)` : ''}: use always, fileMatch, manual or auto. The file is not included until it is fixed.`);
      doc.inclusion = undefined;
    }
  }

  const patternNode = yaml.get('fileMatchPattern', true) as Node | undefined;
  if (patternNode !== undefined) {
    const entries: Node[] = isSeq(patternNode) ? (patternNode.items as Node[]) : [patternNode];
    for (const entry of entries) {
      const value = isScalar(entry) ? entry.value : undefined;
      const problem = typeof value !== 'string' ? 'is not a glob string' : patternProblem(value);
      if (problem) at(...whole(entry), 'error', 'steering-pattern', `fileMatchPattern ${isScalar(entry) ? JSON.stringify(entry.value) : 'entry'} ${problem}.`);
      else doc.patterns.push((value as string).trim().replace(/^\.\//, ''));
    }
  }
  if (doc.inclusion === 'fileMatch' && doc.patterns.length === 0 && (patternNode === undefined || (isSeq(patternNode) && patternNode.items.length === 0))) {
    at(...whole(inclusionNode), 'error', 'steering-pattern', 'inclusion: fileMatch needs a fileMatchPattern (a glob like "src/**/*.ts", or a list of them): the file is never included without one.');
  }

  const description = yaml.get('description');
  if (typeof description === 'string' && description.trim()) doc.description = description.trim();
  const title = yaml.get('name');
  if (typeof title === 'string' && title.trim()) doc.title = title.trim();
  if (doc.inclusion === 'auto' && !doc.description) {
    at(...whole(inclusionNode), 'warning', 'steering-description', 'inclusion: auto lists the file for the agent by its description: add a description saying when it applies.');
  }
  return doc;
}

/** What makes a glob useless as a fileMatchPattern, or undefined when it is fine. */
function patternProblem(p: string): string | undefined {
  const s = p.trim();
  if (s === '') return 'is empty';
  if (s.startsWith('/') || /^[A-Za-z]:[\\/]/.test(s) || s.startsWith('~')) return 'is absolute: patterns are relative to the workspace (e.g. "src/**/*.ts")';
  if (s.split('/').includes('..')) return 'leads out of the workspace with "..": patterns match workspace files only';
  if (new Minimatch(s, { dot: true }).makeRe() === false) return 'is not a valid glob';
  return undefined;
}

/** 1-based line and columns of [offset, offset+length) in text; a range never spans past its line's end. */
function position(text: string, offset: number, length: number): { line: number; column: number; endColumn: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  const lineEnd = text.indexOf('\n', offset);
  const endOfLine = (lineEnd === -1 ? text.length : lineEnd) - (text[lineEnd - 1] === '\r' ? 1 : 0);
  const endColumn = column + Math.max(1, Math.min(length, endOfLine - offset));
  return { line, column, endColumn };
}

/** The diagnostics of a steering file's text (the editor shows them as the user types). */
export function steeringDiagnostics(text: string): SteeringDiagnostic[] {
  return parseSteering(text, { name: '', file: '', scope: 'workspace' }).diagnostics;
}

/** Global steering first, then the workspace's; a workspace file wins over a global one of the same name. */
export function mergeSteering(workspace: readonly SteeringDoc[], global: readonly SteeringDoc[]): SteeringDoc[] {
  const own = new Set(workspace.map((d) => d.name.toLowerCase()));
  return [...global.filter((d) => !own.has(d.name.toLowerCase())), ...workspace];
}

/** Whether a workspace-relative path ('/' separators) matches one of a fileMatch doc's patterns; the pattern it matched. */
export function matchingPattern(doc: SteeringDoc, path: string): string | undefined {
  const rel = path.replace(/\\/g, '/').replace(/^\.\//, '');
  return doc.patterns.find((p) => new Minimatch(p, { dot: true, matchBase: true }).match(rel));
}

/** File paths a task's text names (`src/app.ts`, `package.json`): what fileMatch steering is matched against at the start. */
export function namedFiles(texts: readonly string[]): string[] {
  return texts.flatMap((t) => t.match(/[\w./-]+\.\w+/g) ?? []);
}

/** Whether a task's text references a steering file as `#name` (Kiro's manual inclusion). */
export function referencesSteering(texts: readonly string[], doc: SteeringDoc): boolean {
  const names = new Set([doc.name, doc.title].filter((n): n is string => !!n).map((n) => n.toLowerCase()));
  for (const t of texts) {
    for (const m of t.matchAll(/(?<![\w#])#([\w][\w.-]*)/g)) {
      const ref = m[1]!.toLowerCase().replace(/\.md$/, '').replace(/[.-]+$/, '');
      if (names.has(ref)) return true;
    }
  }
  return false;
}

export interface SteeringChoice {
  /** In the first prompt, with the reason (shown in the panel). */
  included: Array<{ doc: SteeringDoc; reason: string }>;
  /** `auto`: listed by name and description, read on request. */
  onRequest: SteeringDoc[];
  /** `fileMatch` not matched yet: included when the agent reads or edits a matching file. */
  waiting: SteeringDoc[];
}

/** Which steering a task starts with, from the task's title and details. */
export function chooseSteering(docs: readonly SteeringDoc[], taskTexts: readonly string[]): SteeringChoice {
  const files = namedFiles(taskTexts);
  const out: SteeringChoice = { included: [], onRequest: [], waiting: [] };
  for (const doc of docs) {
    // `#name` in the task brings in any steering file of a known mode, as in Kiro's chat.
    if (doc.inclusion && doc.inclusion !== 'always' && referencesSteering(taskTexts, doc)) {
      out.included.push({ doc, reason: `${doc.inclusion}: the task references #${doc.name}` });
      continue;
    }
    switch (doc.inclusion) {
      case 'always':
        out.included.push({ doc, reason: 'always' });
        break;
      case 'fileMatch': {
        const hit = files.map((f) => ({ f, p: matchingPattern(doc, f) })).find((x) => x.p);
        if (hit) out.included.push({ doc, reason: `fileMatch: the task names ${hit.f} (${hit.p})` });
        else if (doc.patterns.length > 0) out.waiting.push(doc);
        break;
      }
      case 'manual':
        break;
      case 'auto':
        out.onRequest.push(doc);
        break;
      default:
        // Unknown or broken front matter: diagnosed in the editor, never guessed at.
        break;
    }
  }
  return out;
}
