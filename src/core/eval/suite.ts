import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, normalize, relative, resolve } from 'node:path';
import { z } from 'zod';
import { selectTasks } from '../agent/taskSelection.js';
import { loadSettings, SETTINGS_PATH, type LoadedSettings } from '../settings/index.js';
import { loadTasks, SpecError, type Task } from '../spec/index.js';

/** The file of a case, in each case folder of a suite. */
export const CASE_FILE = 'case.json';

/** A path inside the case folder: relative, never leaving it (a suite is shared; it must not read elsewhere). */
const insidePath = z
  .string()
  .min(1, 'must not be empty')
  .refine((p) => !isAbsolute(p) && !normalize(p).startsWith('..'), 'must be a path relative to the case folder, inside it');

/**
 * `case.json`: what to run and how to judge it. The agent sees only `workspace/`; `hidden/` and `checks` are the
 * suite author's, used after the run.
 */
export const caseSchema = z
  .object({
    description: z.string().optional().describe('What the case tests, in a line (the report shows it).'),
    workspace: insidePath.default('workspace').describe('The project the agent works in, copied fresh for each run.'),
    tasksFile: insidePath.describe('The tasks.md, relative to the workspace (.kiro/specs/<feature>/tasks.md).'),
    tasks: z.string().min(1, 'must name tasks: an id (2.1), a range (1-3) or a list (1,2.1)').describe('The tasks to run, as --task of spec-agent run.'),
    hidden: insidePath.optional().describe('A folder whose files are copied into the copy after the run, for the checks only (hidden tests).'),
    checks: z.array(z.string().min(1, 'must be a shell command')).min(1, 'must list at least one command: success is that every check passes').describe('Commands run in the copy after the run; success is that all exit 0.'),
    checkTimeoutSeconds: z.number().int().min(1).default(120).describe('The most each check may run.'),
    budgets: z
      .object({
        maxTurnsPerTask: z.number().int().min(1).optional(),
        maxTokensPerTask: z.number().int().min(1000).optional(),
        maxMinutesPerTask: z.number().min(1).optional(),
        maxCostPerRun: z.number().positive().optional(),
      })
      .strict()
      .optional()
      .describe("Budgets laid over the workspace's .kiro/settings.json for eval runs."),
  })
  .strict();
export type CaseFile = z.output<typeof caseSchema>;

export interface EvalCase {
  /** The case folder's name: the row in the report. */
  name: string;
  dir: string;
  workspace: string;
  spec: CaseFile;
  settings: LoadedSettings;
  /** The tasks it runs, as selected in the pristine workspace (ids and titles, for the report). */
  tasks: Task[];
}

/** A suite that cannot run: which file, what is wrong there, what to do. The CLI exits 2 with it. */
export class SuiteError extends Error {}

/** The cases of a suite folder: every sub-folder with a case.json, in name order; all checked before any runs. */
export async function loadSuite(suiteDir: string): Promise<EvalCase[]> {
  const dir = resolve(suiteDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SuiteError(`${suiteDir}: no such folder; give the folder that holds the cases (each a folder with a ${CASE_FILE}).`);
  const folders = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, CASE_FILE)))
    .map((d) => d.name)
    .sort();
  if (folders.length === 0) throw new SuiteError(`${suiteDir}: no cases; a case is a folder with a ${CASE_FILE} (see examples/eval/).`);
  const cases: EvalCase[] = [];
  for (const name of folders) cases.push(await loadCase(join(dir, name)));
  return cases;
}

async function loadCase(dir: string): Promise<EvalCase> {
  const file = join(dir, CASE_FILE);
  const where = relative(process.cwd(), file) || file;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SuiteError(`${where}: not valid JSON (${(err as Error).message}); fix the file.`);
  }
  const parsed = caseSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${where}: ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new SuiteError(`${lines.join('\n')}\n(fix ${CASE_FILE}; its keys: ${Object.keys(caseSchema.shape).join(', ')})`);
  }
  const spec = parsed.data;
  const workspace = join(dir, spec.workspace);
  if (!existsSync(join(workspace, '.kiro'))) throw new SuiteError(`${where}: workspace: ${relative(process.cwd(), workspace)} has no .kiro folder; the workspace is the project the agent works in, with .kiro/specs/ and .kiro/settings.json.`);
  if (spec.hidden && !existsSync(join(dir, spec.hidden))) throw new SuiteError(`${where}: hidden: no folder ${spec.hidden} in the case; create it or remove the key.`);
  const tasksFile = join(workspace, spec.tasksFile);
  if (!existsSync(tasksFile)) throw new SuiteError(`${where}: tasksFile: no ${spec.tasksFile} in ${spec.workspace}/; give the path of the tasks.md relative to the workspace.`);
  let tasks: Task[];
  try {
    const selected = selectTasks((await loadTasks(tasksFile)).tree, spec.tasks);
    if (selected.errors.length) throw new SuiteError(`${where}: tasks: ${selected.errors.join('; ')} (${spec.tasksFile}).`);
    if (selected.tasks.length === 0) throw new SuiteError(`${where}: tasks: nothing to run for "${spec.tasks}" (ticked already in ${spec.tasksFile}?).`);
    tasks = selected.tasks;
  } catch (err) {
    if (err instanceof SpecError) throw new SuiteError(`${where}: tasksFile: ${err.toString()}`);
    throw err;
  }
  const settings = await loadSettings(workspace);
  const errors = settings.problems.filter((p) => p.severity === 'error');
  if (errors.length) throw new SuiteError(errors.map((p) => `${relative(process.cwd(), join(workspace, SETTINGS_PATH))}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n'));
  return { name: basename(dir), dir, workspace, spec, settings, tasks };
}
