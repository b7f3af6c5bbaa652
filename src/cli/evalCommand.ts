import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Approver } from '../core/agent/executor.js';
import { runSession, RunSetupError, type RunPolicy } from '../core/agent/runSession.js';
import { selectTasks } from '../core/agent/taskSelection.js';
import { freshCopy, removeCopy, runChecks, type CheckResult } from '../core/eval/caseCopy.js';
import { markdownReport, terminalReport } from '../core/eval/report.js';
import { evalResultsSchema, evalRunFigures, totals, type EvalResults, type EvalRun } from '../core/eval/results.js';
import { runFigures } from '../core/runs/runFigures.js';
import { loadSuite, SuiteError, type EvalCase } from '../core/eval/suite.js';
import { atomicWrite } from '../core/fs/atomicWrite.js';
import type { ChatModel } from '../core/models/chatModel.js';
import type { CommandSandbox } from '../core/sandbox/commandSandbox.js';
import { readJournal, runDir } from '../core/runs/journal.js';
import { AUTONOMY_LEVELS, type AutonomyLevel } from '../core/settings/index.js';
import { loadTasks } from '../core/spec/index.js';
import { plural } from '../core/text/plural.js';
import { EvalProgress } from './evalProgress.js';
import { contextWindowOption, modelFor } from './modelOption.js';
import { unconfinedNotice } from './runCommand.js';
import { UsageError } from './usageError.js';

export interface EvalOptions {
  model?: string[];
  level?: string[];
  repeat?: string;
  answers?: string;
  baseUrl?: string;
  contextWindow?: string;
  out?: string;
  keep?: boolean;
  json?: boolean;
}

/** Exit codes of `spec-agent eval`: it ran (whatever the success rate), a bad suite or usage, stopped. */
export const EVAL_EXIT = { ran: 0, usage: 2, stopped: 130 } as const;

/**
 * `--model replay:NAME` in a suite: each case plays its own script, `replay/NAME.json` of the case folder (a
 * recorded model per case); a NAME that is no case's script is one script for every case.
 */
function replayScriptOf(c: EvalCase, name: string): string | undefined {
  for (const candidate of [join(c.dir, 'replay', `${name}.json`), join(c.dir, 'replay', name)]) if (existsSync(candidate)) return candidate;
  return existsSync(resolve(name)) ? resolve(name) : undefined;
}

/** Every case × model pair has a model, checked before the first run (a missing script or key is a bad suite). */
async function checkModels(cases: readonly EvalCase[], models: readonly string[], opts: EvalOptions): Promise<void> {
  contextWindowOption(opts.contextWindow);
  for (const m of models) {
    if (m.startsWith('replay:')) {
      const name = m.slice('replay:'.length);
      const missing = cases.filter((c) => !replayScriptOf(c, name));
      if (missing.length) throw new SuiteError(`--model ${m}: no replay script for ${plural(missing.length, 'case')} (${missing.map((c) => relative(process.cwd(), join(c.dir, 'replay', `${name}.json`))).join(', ')}); add replay/${name}.json to each case, or give a script path.`);
    } else {
      // A real model: its key and provider are checked once here, not at the first run's start.
      await modelFor(m, opts.baseUrl, opts.contextWindow);
    }
  }
}

function modelOfRun(c: EvalCase, model: string, opts: EvalOptions): Promise<ChatModel> {
  return model.startsWith('replay:') ? modelFor(`replay:${replayScriptOf(c, model.slice('replay:'.length))!}`, undefined) : modelFor(model, opts.baseUrl, opts.contextWindow);
}

export async function evalCommand(suite: string, opts: EvalOptions, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const models = opts.model ?? [];
  if (models.length === 0) throw new UsageError('give at least one --model provider:model (for example --model replay:scripted for the scripts of examples/eval, or anthropic:<model>).');
  const levels = opts.level ?? [];
  for (const l of levels) if (!(AUTONOMY_LEVELS as readonly string[]).includes(l)) throw new UsageError(`--level must be one of ${AUTONOMY_LEVELS.join(', ')} (got "${l}").`);
  const repeat = opts.repeat === undefined ? 1 : Number(opts.repeat);
  if (!Number.isInteger(repeat) || repeat < 1) throw new UsageError(`--repeat must be a whole number of runs, 1 or more (got "${opts.repeat}").`);
  const answers = opts.answers ?? 'deny';
  if (answers !== 'deny' && answers !== 'approve') throw new UsageError(`--answers must be deny or approve (got "${answers}").`);

  let cases: EvalCase[];
  try {
    cases = await loadSuite(suite);
    await checkModels(cases, models, opts);
  } catch (e) {
    if (e instanceof SuiteError) throw new UsageError(e.message);
    throw e;
  }
  const outDir = resolve(opts.out ?? join('eval-results', new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)));
  mkdirSync(join(outDir, 'runs'), { recursive: true });

  const stop = new AbortController();
  let stopped = false;
  const onSigint = () => {
    if (stopped) process.exit(EVAL_EXIT.stopped);
    stopped = true;
    err.write('\nspec-agent: stopping the eval after the run under way is stopped (press Ctrl+C again to quit at once)\n');
    stop.abort();
  };
  process.on('SIGINT', onSigint);

  const tty = !opts.json && Boolean((err as NodeJS.WriteStream).isTTY) ? (err as NodeJS.WriteStream) : undefined;
  const levelSlots: Array<AutonomyLevel | undefined> = levels.length ? (levels as AutonomyLevel[]) : [undefined];
  const progress = new EvalProgress(tty, cases.map((c) => c.name), models.length * levelSlots.length * repeat);
  // deny: no one to ask, as a CI run (the model is told the step was not approved and to take another way).
  const approver: Approver | undefined = answers === 'approve' ? async () => ({ approved: true }) : undefined;
  const startedAt = new Date().toISOString();
  const runs: EvalRun[] = [];
  let unconfinedSaid = false;
  const pricingSaid = new Set<string>();
  try {
    for (const c of cases)
      for (const model of models)
        for (const levelOpt of levelSlots)
          for (let n = 1; n <= repeat && !stop.signal.aborted; n++) {
            const level = levelOpt ?? c.settings.settings.autonomyLevel;
            progress.started(c.name, `${model}, ${level}${repeat > 1 ? `, #${n}` : ''}`);
            const run = await runCase(c, model, level, levelOpt !== undefined, n, opts, outDir, approver, stop.signal, (e) => {
              const notice = unconfinedNotice(e);
              if (notice && !unconfinedSaid) progress.say(err, `spec-agent: ${notice}\n`);
              if (notice) unconfinedSaid = true;
              // A case's maxCostPerRun no price can hold, said as `spec-agent run` says it: once per model, not per run.
              const warning = e.type === 'run.started' ? e.pricing?.warning : undefined;
              if (warning && !pricingSaid.has(warning)) progress.say(err, `spec-agent: ${warning}\n`);
              if (warning) pricingSaid.add(warning);
            }, (line) => progress.say(err, line));
            runs.push(run);
            progress.ended(c.name, run.success);
          }
  } finally {
    process.off('SIGINT', onSigint);
  }

  const seenLevels = [...new Set(runs.map((r) => r.level))];
  const results: EvalResults = evalResultsSchema.parse({
    // As typed (examples/eval), which says more than its last name.
    suite,
    startedAt,
    endedAt: new Date().toISOString(),
    models,
    levels: seenLevels,
    repeat,
    answers,
    cases: cases.map((c) => ({ name: c.name, ...(c.spec.description ? { description: c.spec.description } : {}), tasks: c.spec.tasks })),
    runs,
    totals: totals(runs, models, seenLevels),
  });
  await atomicWrite(join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  await atomicWrite(join(outDir, 'report.md'), markdownReport(results));
  if (opts.json) out.write(JSON.stringify(results) + '\n');
  else {
    out.write(`\n${terminalReport(results)}`);
    out.write(`\n${plural(runs.length, 'run')}, ${runs.filter((r) => r.success).length} succeeded; report ${relative(process.cwd(), join(outDir, 'report.md'))}, results ${relative(process.cwd(), join(outDir, 'results.json'))}, journals in ${relative(process.cwd(), join(outDir, 'runs'))}/\n`);
  }
  return stopped ? EVAL_EXIT.stopped : EVAL_EXIT.ran;
}

/** One run in a fresh copy: the same session as `spec-agent run`, then the hidden checks; the copy removed after. */
async function runCase(c: EvalCase, model: string, level: AutonomyLevel, levelGiven: boolean, repeat: number, opts: EvalOptions, outDir: string, approver: Approver | undefined, signal: AbortSignal, onEvent: Parameters<typeof runSession>[0]['onEvent'], say: (line: string) => void): Promise<EvalRun> {
  const id = { case: c.name, model, level, repeat };
  const copy = await freshCopy(c);
  try {
    const file = join(copy, c.spec.tasksFile);
    const { tasks } = selectTasks((await loadTasks(file)).tree, c.spec.tasks);
    // The suite author's policy, as accepted by choosing to run the suite; no pause for review between task
    // groups (nobody is there to review); the case's budgets over those of its settings.
    const policy: RunPolicy = { settings: { ...c.settings.settings, ...c.spec.budgets, pauseBetweenGroups: false }, levelSource: levelGiven ? '--level' : 'the case (.kiro/settings.json)', projectRegistries: false };
    let checks: CheckResult[] = [];
    // The checks run in the run's sandbox, before it closes (one sandbox per run, not two); a Ctrl+C ends them too.
    const afterRun = async (sandbox: CommandSandbox | undefined) => void (checks = await runChecks(c, copy, sandbox, signal));
    const session = await runSession({ workspace: copy, file, tasks, model: await modelOfRun(c, model, opts), policy, level: () => level, levelSource: policy.levelSource, ...(approver ? { approver } : {}), signal, onEvent, client: 'cli', afterRun }).catch((e: unknown) => {
      if (e instanceof RunSetupError) return e;
      throw e;
    });
    if (session instanceof RunSetupError) return { ...id, ...emptyFigures(), runId: session.runId, status: 'error', reason: session.reason };
    // The figures `runs stats` reads of a run, from its journal, with the hidden checks' verdict.
    const run: EvalRun = { ...id, ...evalRunFigures(runFigures((await readJournal(copy, session.runId)).events), checks) };
    // Ctrl+C after the run ended but before its checks did: its failed checks say nothing about the agent.
    if (signal.aborted && run.status !== 'stopped') Object.assign(run, { status: 'stopped', reason: `the eval was stopped during the hidden checks (the run had ${run.status === 'completed' ? 'completed' : `ended ${run.status}`})` });
    // The journal and summary.json go with the results, under the run id the report names (the copy is removed).
    cpSync(runDir(copy, session.runId), join(outDir, 'runs', session.runId), { recursive: true });
    return run;
  } finally {
    if (opts.keep) say(`spec-agent: kept the copy of ${c.name} (${model}, ${level}, #${repeat}) in ${copy}\n`);
    else removeCopy(copy);
  }
}

function emptyFigures(): Omit<EvalRun, 'case' | 'model' | 'level' | 'repeat' | 'runId' | 'status'> {
  return { success: false, selfVerified: false, checks: [], tokens: { input: 0, output: 0, total: 0 }, costUsd: null, unpricedRequests: 0, durationMs: 0, selfCorrections: 0, gateAsks: 0, gateDenies: 0 };
}
