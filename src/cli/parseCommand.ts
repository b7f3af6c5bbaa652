import { dirname } from 'node:path';
import { findUnknownRequirementRefs, loadTasks, readSpecRequirements, type RequirementsDoc, type SpecDiagnostic, type Task, type TaskStatus, type TaskTree } from '../core/spec/index.js';
import { plural } from '../core/text/plural.js';

/** The `--json` shape of `spec-agent parse`; other tools depend on it, so it changes only with a major version. */
export interface ParseJson {
  file: string;
  tasks: Array<{
    id: string | null;
    title: string;
    status: TaskStatus;
    optional: boolean;
    depth: number;
    parent: string | null;
    line: number;
    requirements: string[];
  }>;
  diagnostics: Array<{ line: number; severity: 'error' | 'warning'; message: string }>;
  /** The document requirement refs were checked against (requirements.md, or bugfix.md for a bugfix spec); null when none. */
  requirementsFile: string | null;
}

/** The outline goes to stdout; diagnostics go to stderr as `file:line:col: severity: message`, like a compiler's. */
export async function parseCommand(file: string, opts: { json?: boolean }, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const spec = await loadTasks(file);
  const requirements = await readSpecRequirements(dirname(file));
  const unknown = requirements ? findUnknownRequirementRefs(spec.text, spec.tree, requirements) : [];
  const diagnostics = [...spec.tree.diagnostics, ...unknown].sort((a, b) => a.line - b.line);
  if (opts.json) {
    out.write(JSON.stringify(toJson(file, spec.tree, diagnostics, requirements), null, 2) + '\n');
  } else {
    out.write(renderOutline(file, spec.tree));
    if (requirements) out.write(requirementsLine(requirements));
    for (const d of diagnostics) err.write(`${file}:${d.line}:${d.column}: ${d.severity}: ${d.message}\n`);
  }
  return 0;
}

/** Which document the refs were checked against, so a bugfix spec's bugfix.md is not a surprise. */
function requirementsLine(doc: RequirementsDoc): string {
  const criteria = doc.requirements.reduce((n, r) => n + r.criteria.length, 0);
  return `requirements from ${doc.file}: ${plural(doc.requirements.length, 'requirement')}, ${plural(criteria, 'acceptance criterion', 'acceptance criteria')}\n`;
}

export function toJson(file: string, tree: TaskTree, diagnostics: readonly SpecDiagnostic[], requirements?: RequirementsDoc): ParseJson {
  return {
    file,
    tasks: tree.tasks.map((t) => ({
      id: t.id,
      title: t.title,
      status: t.status,
      optional: t.optional,
      depth: t.depth,
      parent: t.parent === null ? null : tree.tasks[t.parent]!.id,
      line: t.range.start.line,
      requirements: t.requirements,
    })),
    diagnostics: diagnostics.map((d) => ({ line: d.line, severity: d.severity, message: d.message })),
    requirementsFile: requirements?.file ?? null,
  };
}

const MARK: Record<TaskStatus, string> = { todo: '[ ]', in_progress: '[-]', queued: '[~]', done: '[x]' };

export function renderOutline(file: string, tree: TaskTree): string {
  const count = (s: TaskStatus) => tree.tasks.filter((t) => t.status === s).length;
  const lines = [
    `${file}: ${plural(tree.tasks.length, 'task')} (${count('done')} done, ${count('in_progress')} in progress, ${count('queued')} queued, ${count('todo')} to do)`,
  ];
  for (const t of tree.tasks) lines.push(`${'  '.repeat(t.depth)}${MARK[t.status]} ${label(t)}`);
  return lines.join('\n') + '\n';
}

function label(t: Task): string {
  return [t.id, t.title || '(no title)', t.optional ? '(optional)' : ''].filter(Boolean).join(' ');
}
