import { z } from 'zod';
import { completeTaskTool } from './completeTask.js';
import { deleteFileTool, editFileTool, readFileTool, writeFileTool } from './files.js';
import { runCommandTool } from './runCommand.js';
import { listFilesTool, searchFilesTool } from './search.js';
import type { ToolDefinition } from './types.js';

/** The fixed tool set: names and inputs are a contract (replay scripts and tests depend on them). */
export const TOOLS: ReadonlyArray<ToolDefinition<never>> = [
  readFileTool,
  listFilesTool,
  searchFilesTool,
  writeFileTool,
  editFileTool,
  deleteFileTool,
  runCommandTool,
  completeTaskTool,
] as unknown as ReadonlyArray<ToolDefinition<never>>;

export function toolByName(name: string): ToolDefinition<unknown> | undefined {
  return TOOLS.find((t) => t.name === name) as ToolDefinition<unknown> | undefined;
}

/** The tools as the model sees them. */
export function toolJsonSchemas(): Array<{ name: string; description: string; parameters: Record<string, unknown> }> {
  return TOOLS.map((t) => {
    const { $schema: _drop, ...parameters } = z.toJSONSchema(t.input as z.ZodType, { target: 'draft-7' }) as Record<string, unknown>;
    return { name: t.name, description: t.description, parameters };
  });
}

/** The model's input, checked: the parsed value, or a message naming the field. */
export function parseToolInput(name: string, raw: unknown): { ok: true; input: unknown } | { ok: false; error: string } {
  const tool = toolByName(name);
  if (!tool) return { ok: false, error: `there is no tool "${name}"; the tools are ${TOOLS.map((t) => t.name).join(', ')}` };
  const r = (tool.input as z.ZodType).safeParse(raw);
  if (r.success) return { ok: true, input: r.data };
  const issue = r.error.issues[0]!;
  const path = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('') || 'input';
  return { ok: false, error: `${name}: ${path}: ${issue.message}` };
}
