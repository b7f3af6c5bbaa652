import { z } from 'zod';
import { completeTaskTool } from './completeTask.js';
import { deleteFileTool } from './deleteFile.js';
import { editFileTool } from './editFile.js';
import { listFilesTool } from './listFiles.js';
import { readFileTool } from './readFile.js';
import { readOutputTool } from './readOutput.js';
import { runCommandTool } from './runCommand.js';
import { searchFilesTool } from './searchFiles.js';
import type { ToolDefinition } from './types.js';
import { writeFileTool } from './writeFile.js';
import { plural } from '../text/plural.js';

/** The fixed tool set, in the order the model sees it: names and inputs are a contract (replay scripts and tests depend on them). */
export const TOOLS: ReadonlyArray<ToolDefinition<unknown>> = [
  readFileTool,
  listFilesTool,
  searchFilesTool,
  writeFileTool,
  editFileTool,
  deleteFileTool,
  runCommandTool,
  readOutputTool,
  completeTaskTool,
];

export function toolByName(name: string): ToolDefinition<unknown> | undefined {
  return TOOLS.find((t) => t.name === name);
}

export interface ToolJsonSchema {
  name: string;
  description: string;
  /** JSON Schema draft 7, without `$schema` (providers want the bare object). */
  parameters: Record<string, unknown>;
}

/** The tools as the model sees them. */
export function toolJsonSchemas(): ToolJsonSchema[] {
  return TOOLS.map((t) => {
    const { $schema: _drop, ...parameters } = z.toJSONSchema(t.input, { target: 'draft-7' }) as Record<string, unknown>;
    return { name: t.name, description: t.description, parameters };
  });
}

/** The model's input, checked: the parsed value, or a message for the model naming each wrong field. */
export function parseToolInput(name: string, raw: unknown): { ok: true; input: unknown } | { ok: false; error: string } {
  const tool = toolByName(name);
  if (!tool) return { ok: false, error: `there is no tool "${name}"; the tools are ${TOOLS.map((t) => t.name).join(', ')}` };
  const r = tool.input.safeParse(raw);
  if (r.success) return { ok: true, input: r.data };
  const problems = r.error.issues.slice(0, 5).map((issue) => `${fieldPath(issue.path)}: ${describeIssue(issue, raw)}`);
  const more = r.error.issues.length > 5 ? `; and ${r.error.issues.length - 5} more` : '';
  return { ok: false, error: `${name}: ${problems.join('; ')}${more}` };
}

/** `edits[0].oldText`, as the model would write it in code. */
function fieldPath(path: PropertyKey[]): string {
  const s = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
  return s || 'input';
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  if (issue.code === 'invalid_type') {
    const value = valueAt(raw, issue.path);
    const expected = `${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    return value === undefined ? `missing (expected ${expected})` : `expected ${expected}, got ${kindOf(value)}`;
  }
  if (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1) return 'must not be empty';
  if (issue.code === 'too_small' && issue.origin === 'array') return `needs at least ${plural(Number(issue.minimum), 'item')}`;
  return issue.message;
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let v = raw;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  const t = typeof v;
  return `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`;
}
