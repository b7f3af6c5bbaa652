import type { Heading, List, Nodes, RootContent } from 'mdast';
import { LineIndex } from './lineIndex.js';
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
  /** A requirement (`1`) or an acceptance criterion (`1.2`) by id. */
  resolve(id: string): Requirement | AcceptanceCriterion | undefined;
}

/** `Requirement 1: Title`, `Requirement 2 — Title`, `FR-3: Title`, `要件 1: ...`, `需求 1：...`. */
const REQUIREMENT_HEADING = /^(?:(?:Requirement|要件|需求|Requisito|Anforderung|Exigence)\s*((?:[A-Za-z]+-)?\d+(?:\.\d+)*)|((?:[A-Z]+-)\d+(?:\.\d+)*))\s*[:：.—–-]?\s*(.*)$/i;
const CRITERIA_HEADING = /acceptance criteria|受入基準|受け入れ基準|验收标准|验收准则|critères d'acceptation|criterios de aceptación|akzeptanzkriterien/i;

/**
 * Reads requirement ids and their numbered acceptance criteria from a Kiro `requirements.md`:
 * `### Requirement 1` followed by a numbered list under `#### Acceptance Criteria` gives `1.1`, `1.2`, ...
 */
export function parseRequirements(text: string): RequirementsDoc {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const root = parseMarkdownBlocks(body);
  const requirements: Requirement[] = [];
  let current: { req: Requirement; depth: number; sawCriteriaHeading: boolean; lists: List[]; criteriaLists: List[]; prose: string[] } | undefined;

  const finish = () => {
    if (!current) return;
    const lists = current.sawCriteriaHeading ? current.criteriaLists : current.lists;
    for (const list of lists) {
      list.children.forEach((item, i) => {
        const n = (list.start ?? 1) + i;
        current!.req.criteria.push({ id: `${current!.req.id}.${n}`, text: sourceText(item, body), line: item.position!.start.line });
      });
    }
    current.req.text = current.prose.join('\n');
    requirements.push(current.req);
    current = undefined;
  };

  let inCriteria = false;
  for (const node of root.children as RootContent[]) {
    if (node.type === 'heading') {
      const title = plainText(node);
      const m = REQUIREMENT_HEADING.exec(title);
      if (m) {
        finish();
        current = {
          req: { id: (m[1] ?? m[2])!, title: m[3]!.trim(), line: node.position!.start.line, text: '', criteria: [] },
          depth: node.depth,
          sawCriteriaHeading: false,
          lists: [],
          criteriaLists: [],
          prose: [],
        };
        inCriteria = false;
        continue;
      }
      if (current && node.depth <= current.depth) {
        finish();
        continue;
      }
      inCriteria = !!current && CRITERIA_HEADING.test(title);
      if (current && inCriteria) current.sawCriteriaHeading = true;
      continue;
    }
    if (!current) continue;
    if (node.type === 'list' && node.ordered) {
      current.lists.push(node);
      if (inCriteria) current.criteriaLists.push(node);
    } else if (!inCriteria && node.type === 'paragraph') {
      current.prose.push(sourceText(node, body));
    }
  }
  finish();

  const byId = new Map<string, Requirement | AcceptanceCriterion>();
  for (const r of requirements) {
    if (!byId.has(r.id)) byId.set(r.id, r);
    for (const c of r.criteria) if (!byId.has(c.id)) byId.set(c.id, c);
  }
  return { requirements, resolve: (id) => byId.get(id) };
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
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
}

/** Requirement refs in tasks.md that requirements.md does not define, reported on the line that names them. */
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
        message: `Requirement ${id} is not defined in requirements.md. Add it there, or fix the reference.`,
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
