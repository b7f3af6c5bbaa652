import { readdir, readFile, realpath } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { minimatch } from 'minimatch';
import { secretTest } from '../policy/secrets.js';
import { realTarget } from '../tools/workspacePath.js';
import type { RequirementsDoc, Task, TaskTree } from '../spec/index.js';

export interface SteeringDoc {
  file: string;
  inclusion: 'always' | 'fileMatch' | 'manual';
  pattern?: string;
  body: string;
}

/** `.kiro/steering/*.md` with their `inclusion` front matter (always when absent). */
export async function readSteering(workspace: string): Promise<SteeringDoc[]> {
  const dir = join(workspace, '.kiro', 'steering');
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.md')).sort();
  const out: SteeringDoc[] = [];
  for (const f of files) {
    const text = await readForPrompt(workspace, join(dir, f));
    if (text === undefined) continue;
    const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
    const front = m?.[1] ?? '';
    const inclusion = (/^inclusion:\s*(always|fileMatch|manual)\s*$/m.exec(front)?.[1] ?? 'always') as SteeringDoc['inclusion'];
    const pattern = /^fileMatchPattern:\s*['"]?([^'"\n]+)['"]?\s*$/m.exec(front)?.[1];
    out.push({ file: `.kiro/steering/${f}`, inclusion, pattern, body: text.slice(m?.[0].length ?? 0).trim() });
  }
  return out;
}

/** Steering that applies: always, and fileMatch docs whose pattern matches a file the task names. */
export function applicableSteering(docs: readonly SteeringDoc[], mentionedFiles: readonly string[]): SteeringDoc[] {
  return docs.filter((d) => d.inclusion === 'always' || (d.inclusion === 'fileMatch' && d.pattern !== undefined && mentionedFiles.some((f) => minimatch(f, d.pattern!, { dot: true, matchBase: true }))));
}

export interface PromptInput {
  workspace: string;
  tasksFile: string;
  tree: TaskTree;
  task: Task;
  requirements: RequirementsDoc | undefined;
  design: string | undefined;
  steering: SteeringDoc[];
  workspaceFiles: string[];
  verifyCommands: string[];
}

export const SYSTEM_PROMPT = `You are Spec Agent, a careful software engineer executing one task of a spec (tasks.md) in the user's workspace.
Work only through the tools. Read what you need before you change it. Keep changes to what the task asks.
Every tool call passes a policy gate: a denied call returns the reason; take another way, do not retry the same call.
Never edit tasks.md or anything under .kiro/: the checkbox is ticked for you.
When the task is done and its checks pass, call complete_task with a short summary and, for each requirement the task refers to, the evidence that it is met.`;

/** The first user message of a task: the task, its context in the spec, and the workspace. */
export function taskPrompt(p: PromptInput): string {
  const parts: string[] = [];
  const t = p.task;
  parts.push(`# Task ${t.id ?? `on line ${t.range.start.line}`}: ${t.title}`);
  if (t.details.length) parts.push(t.details.map((d) => `- ${d}`).join('\n'));
  const children = t.children.map((i) => p.tree.tasks[i]!);
  if (children.length) parts.push(`Sub-tasks:\n${children.map((c) => `- [${c.status === 'done' ? 'x' : ' '}] ${c.id ?? ''} ${c.title}`).join('\n')}`);
  if (t.requirements.length && p.requirements) {
    const lines = t.requirements.map((id) => {
      const r = p.requirements!.resolve(id);
      return r ? `- ${id}: ${'criteria' in r ? `${r.title}. ${r.text}` : r.text}` : `- ${id}: (not found in ${p.requirements!.file})`;
    });
    parts.push(`## Requirements this task must meet (from ${p.requirements.file})\n${lines.join('\n')}`);
  }
  if (p.design) parts.push(`## design.md\n${p.design.trim()}`);
  for (const s of p.steering) parts.push(`## Steering (${s.file})\n${s.body}`);
  parts.push(`## Plan (tasks.md, ${relative(p.workspace, p.tasksFile)})\n${p.tree.tasks.map((x) => `${'  '.repeat(x.depth)}- [${x.status === 'done' ? 'x' : x.status === 'in_progress' ? '-' : ' '}] ${x.id ?? ''} ${x.title}${x.index === t.index ? '   <- this task' : ''}`).join('\n')}`);
  parts.push(`## Workspace (${p.workspaceFiles.length} files)\n${p.workspaceFiles.slice(0, 200).join('\n')}${p.workspaceFiles.length > 200 ? `\n... and ${p.workspaceFiles.length - 200} more` : ''}`);
  parts.push(p.verifyCommands.length ? `When you call complete_task, these checks run: ${p.verifyCommands.join(', ')}. Run them yourself first.` : 'There are no verification commands: run the relevant tests yourself before complete_task.');
  return parts.join('\n\n');
}

/**
 * The spec's requirements (requirements.md, or bugfix.md for a Kiro bugfix spec; `requirementsFile` says which) and
 * design.md, from the folder of its tasks.md (which may be a link the user made).
 */
export async function specFiles(tasksFile: string): Promise<{ requirements?: string; requirementsFile?: string; design?: string }> {
  const dir = dirname(tasksFile);
  const read = (f: string) => readForPrompt(dir, join(dir, f));
  const requirements = await read('requirements.md');
  const bugfix = requirements === undefined ? await read('bugfix.md') : undefined;
  return {
    requirements: requirements ?? bugfix,
    requirementsFile: requirements !== undefined ? 'requirements.md' : bugfix !== undefined ? 'bugfix.md' : undefined,
    design: await read('design.md'),
  };
}

/**
 * A file the prompt quotes, or undefined. The prompt goes to the model provider as surely as a read_file result,
 * so the read rules hold here too: nothing through a link out of `within` (R1), no secret (R2). A cloned
 * repository's `.kiro/steering/notes.md -> ~/.ssh/id_rsa` must not ride along with the task.
 */
async function readForPrompt(within: string, abs: string): Promise<string | undefined> {
  try {
    const real = await realTarget(within, abs);
    if (real.error) return undefined;
    const rel = relative(await realpath(within), real.abs).split(sep).join('/');
    if (isSecret(rel)) return undefined;
    return await readFile(real.abs, 'utf8');
  } catch {
    return undefined;
  }
}

const isSecret = secretTest([], process.platform === 'darwin' || process.platform === 'win32');
