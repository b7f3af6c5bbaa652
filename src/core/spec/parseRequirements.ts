import type { Heading, List, Nodes, RootContent } from 'mdast';
import { LINE_BREAK, LineIndex } from './lineIndex.js';
import { parseMarkdownBlocks } from './markdown.js';
import { readRequirementRefs } from './requirementRefs.js';
import type { SpecDiagnostic, TaskTree } from './types.js';

export interface AcceptanceCriterion {
  /** `1.2` for the second criterion of Requirement 1. */
  id: string;
  text: string;
  line: number;
}

export interface Requirement {
  id: string;
  title: string;
  line: number;
  /** The prose under the heading before the criteria (the user story). */
  text: string;
  criteria: AcceptanceCriterion[];
}

export interface RequirementsDoc {
  requirements: Requirement[];
  /** The file the requirements were read from: `requirements.md`, or `bugfix.md` for a Kiro bugfix spec. */
  file: string;
  /** A requirement (`1`) or an acceptance criterion (`1.2`, also as `AC-1.2`) by id. */
  resolve(id: string): Requirement | AcceptanceCriterion | undefined;
}

/** `Requirement 1: Title`, `Requirement 2 — Title`, `FR-3: Title`, `要件 1: ...`, `需求 1：...`. */
const REQUIREMENT_HEADING = /^(?:(?:Requirement|要件|需求|Requisito|Anforderung|Exigence)\s*((?:[A-Za-z]+-)?\d+(?:\.\d+)*)|((?:[A-Z]+-)\d+(?:\.\d+)*))\s*[:：.—–-]?\s*(.*)$/i;
/** `### 1. Code Modernization`: a requirement only if criteria numbered `1.x` follow it. */
const NUMBERED_HEADING = /^(\d+)[.)]?\s+(\S.*)$/;
const CRITERIA_HEADING = /acceptance criteria|受入基準|受け入れ基準|验收标准|验收准则|critères d'acceptation|criterios de aceptación|akzeptanzkriterien/i;
/**
 * A criterion numbered in its own text, as people and Kiro's bugfix specs write them: `1.1. THE system SHALL`,
 * `1.1 WHEN ...`, `**1.1** ...`, `- **AC-1.1**: ...`, `AC1.1 — ...`, `11.2. ...`, `- FR-1.1: ...` (under `FR-1`).
 * At least two components, so a plain ordered list (`1.`) stays Kiro's own format. `AC` (acceptance criterion) is
 * not part of the id; another prefix is (`FR-1.1` and `NFR-1.1` are different criteria).
 */
const IN_TEXT_CRITERION = /^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)?(?:AC[-_ ]?|([A-Z][A-Za-z]{0,7}-))?(\d+(?:\.\d+)+)\.?(?:[:：)])?(?:\*\*|__)?(?:[ \t]*[:：—–-])?[ \t]+(\S.*)$/;

/** `AC-1.2` and `AC1.2` name the criterion `1.2`. */
function criterionKey(id: string): string {
  return id.replace(/^AC[-_ ]?(?=\d)/i, '');
}

interface Section {
  req: Requirement;
  depth: number;
  /** A numbered heading (`### 1. Title`) is kept only if criteria were found under it. */
  tentative: boolean;
  sawCriteriaHeading: boolean;
  lists: List[];
  criteriaLists: List[];
  prose: string[];
}

/**
 * Reads requirement ids and their acceptance criteria from a Kiro `requirements.md` (or `bugfix.md`):
 * `### Requirement 1` followed by a numbered list under `#### Acceptance Criteria` gives `1.1`, `1.2`, ...;
 * criteria numbered in their text (`1.1. THE system SHALL`, `**AC-1.1**`) are read wherever they are, under the
 * requirement whose number they carry, or, outside any requirement (a bugfix spec's `Current Behavior`
 * section), grouped into requirement `1`, `2`, ... named after the heading above them.
 */
export function parseRequirements(text: string, file = 'requirements.md'): RequirementsDoc {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = new LineIndex(body);
  const root = parseMarkdownBlocks(body);
  const requirements: Requirement[] = [];
  const byNumber = new Map<string, Requirement>();
  let current: Section | undefined;
  let lastHeading: { title: string; line: number } | undefined;

  const finish = () => {
    if (!current) return;
    const section = current;
    current = undefined;
    const lists = section.sawCriteriaHeading ? section.criteriaLists : section.tentative ? [] : section.lists;
    const seen = new Set(section.req.criteria.map((c) => criterionKey(c.id)));
    for (const list of lists) {
      list.children.forEach((item, i) => {
        const id = `${section.req.id}.${(list.start ?? 1) + i}`;
        if (!seen.has(id)) section.req.criteria.push({ id, text: sourceText(item, body), line: item.position!.start.line });
      });
    }
    section.req.criteria.sort((a, b) => a.line - b.line);
    if (section.tentative && section.req.criteria.length === 0) return;
    section.req.text = section.prose.join('\n');
    requirements.push(section.req);
  };

  /** Criteria numbered in text inside a node's lines; a criterion runs on over its wrapped lines. */
  const readInText = (node: RootContent): number => {
    let found = 0;
    let open: AcceptanceCriterion | undefined;
    for (let ln = node.position!.start.line; ln <= node.position!.end.line; ln++) {
      const line = lines.line(ln);
      const m = IN_TEXT_CRITERION.exec(line);
      if (!m) {
        if (open && line.trim()) open.text += ' ' + line.trim();
        else open = undefined;
        continue;
      }
      const prefix = m[1] ?? '';
      const number = m[2]!;
      const id = prefix + number;
      const major = prefix + number.slice(0, number.indexOf('.'));
      open = undefined;
      let req: Requirement | undefined;
      if (current) {
        // Under `Requirement 3`, only `3.x` is a criterion: `2.5 seconds` wrapped onto a line of its own is not;
        // under `FR-3`, `FR-3.x` too.
        const own = numericTail(current.req.id) === number.slice(0, number.indexOf('.')) && (!prefix || current.req.id === major);
        if (!own) continue;
        req = current.req;
      } else {
        req = byNumber.get(major);
        if (!req) {
          req = { id: major, title: lastHeading?.title ?? '', line: lastHeading?.line ?? ln, text: '', criteria: [] };
          byNumber.set(major, req);
          requirements.push(req);
        }
      }
      open = { id, text: m[3]!.replace(/^(?:\*\*|__)\s*/, '').trim(), line: ln };
      req.criteria.push(open);
      found++;
    }
    return found;
  };

  let inCriteria = false;
  for (const node of root.children as RootContent[]) {
    if (node.type === 'heading') {
      const title = plainText(node);
      const m = REQUIREMENT_HEADING.exec(title);
      const numbered = m ? undefined : NUMBERED_HEADING.exec(title);
      if (m || (numbered && !(current && node.depth > current.depth))) {
        finish();
        current = {
          req: { id: m ? (m[1] ?? m[2])! : numbered![1]!, title: (m ? m[3]! : numbered![2]!).trim(), line: node.position!.start.line, text: '', criteria: [] },
          depth: node.depth,
          tentative: !m,
          sawCriteriaHeading: false,
          lists: [],
          criteriaLists: [],
          prose: [],
        };
        inCriteria = false;
        continue;
      }
      // A numbered heading (`## 1. Introduction`) holds criteria only directly or under `Acceptance Criteria`.
      if (current && (node.depth <= current.depth || (current.tentative && !CRITERIA_HEADING.test(title)))) finish();
      lastHeading = { title, line: node.position!.start.line };
      inCriteria = !!current && CRITERIA_HEADING.test(title);
      if (current && inCriteria) current.sawCriteriaHeading = true;
      continue;
    }
    if (node.type === 'code' || node.type === 'html') continue;
    // Under a requirement an ordered list is Kiro's own numbering: `1.5 seconds` wrapped in an item is not `1.5`.
    const inText = current && node.type === 'list' && node.ordered ? 0 : readInText(node);
    if (!current) continue;
    if (node.type === 'list' && node.ordered) {
      current.lists.push(node);
      if (inCriteria) current.criteriaLists.push(node);
    } else if (!inCriteria && node.type === 'paragraph') {
      if (CRITERIA_HEADING.test(node.position!.start.line === node.position!.end.line ? lines.line(node.position!.start.line) : '')) {
        // `**Acceptance Criteria:**` as a paragraph of its own, as some write the heading.
        inCriteria = true;
        current.sawCriteriaHeading = true;
      } else if (inText === 0) {
        current.prose.push(sourceText(node, body));
      }
    }
  }
  finish();
  requirements.sort((a, b) => a.line - b.line);

  const byId = new Map<string, Requirement | AcceptanceCriterion>();
  for (const r of requirements) {
    if (!byId.has(r.id)) byId.set(r.id, r);
    for (const c of r.criteria) if (!byId.has(criterionKey(c.id))) byId.set(criterionKey(c.id), c);
  }
  return { requirements, file, resolve: (id) => byId.get(id) ?? byId.get(criterionKey(id)) };
}

/** `3` -> `3`, `FR-3` -> `3`, `REQ-12` -> `12`. */
function numericTail(id: string): string {
  return /(\d+)$/.exec(id)?.[1] ?? id;
}

function plainText(node: Heading): string {
  const parts: string[] = [];
  const visit = (n: Nodes) => {
    if ('value' in n && typeof n.value === 'string') parts.push(n.value);
    if ('children' in n) for (const c of n.children) visit(c as Nodes);
  };
  visit(node);
  // Inline markdown is not parsed (see markdown.ts): `**Requirement 1:** Title` arrives with its stars.
  return parts.join('').replace(/\*\*|__/g, '').replace(/^[*_]|[*_]$/g, '').trim();
}

/** The item's source with its list marker removed and wrapped lines joined. */
function sourceText(node: Nodes, body: string): string {
  const raw = body.slice(node.position!.start.offset!, node.position!.end.offset!);
  return raw
    .replace(/^(?:\d{1,9}[.)]|[-*+])[ \t]+/, '')
    .split(LINE_BREAK)
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
}

/** Requirement refs in tasks.md that the requirements document (requirements.md or bugfix.md) does not define, reported on the line that names them. */
export function findUnknownRequirementRefs(tasksText: string, tree: TaskTree, doc: RequirementsDoc): SpecDiagnostic[] {
  if (doc.requirements.length === 0) return [];
  const lines = new LineIndex(tree.bom ? tasksText.slice(1) : tasksText);
  const out: SpecDiagnostic[] = [];
  for (const task of tree.tasks) {
    const unknown = task.requirements.filter((id) => !doc.resolve(id));
    if (unknown.length === 0) continue;
    const ownLines = ownLineNumbers(tree, task.index);
    for (const id of unknown) {
      let line = task.range.start.line;
      let column = 1;
      let end = 1;
      for (const ln of ownLines) {
        const text = lines.line(ln);
        if (readRequirementRefs([text.trim().replace(/^(?:[-*+]|\d{1,9}[.)])\s+/, '')]).length === 0) continue;
        const at = findToken(text, id);
        if (at >= 0) {
          line = ln;
          column = at + 1;
          end = column + id.length;
          break;
        }
      }
      out.push({
        line,
        column,
        endColumn: end,
        severity: 'warning',
        code: 'unknown-requirement',
        message: `Requirement ${id} is not defined in ${doc.file}. Add it there, or fix the reference.`,
      });
    }
  }
  return out;
}

function ownLineNumbers(tree: TaskTree, index: number): number[] {
  const task = tree.tasks[index]!;
  const childRanges = task.children.map((c) => tree.tasks[c]!.range);
  const out: number[] = [];
  for (let ln = task.range.start.line; ln <= task.range.end.line; ln++) {
    if (!childRanges.some((r) => ln >= r.start.line && ln <= r.end.line)) out.push(ln);
  }
  return out;
}

/** Position of `id` as a whole token (not inside `11.2` when looking for `1.2`). */
function findToken(text: string, id: string): number {
  for (let at = text.indexOf(id); at >= 0; at = text.indexOf(id, at + 1)) {
    const before = text[at - 1] ?? ' ';
    const after = text[at + id.length] ?? ' ';
    if (!/[A-Za-z0-9.-]/.test(before) && !/[A-Za-z0-9]/.test(after) && !(after === '.' && /\d/.test(text[at + id.length + 1] ?? ''))) return at;
  }
  return -1;
}
