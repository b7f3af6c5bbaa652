import { Command, CommanderError, Option } from 'commander';
import { SpecError } from '../core/spec/index.js';
import { checkpointCreate, checkpointDiff, checkpointList, checkpointPrune, checkpointRestore } from './checkpointCommand.js';
import { evalCommand, type EvalOptions } from './evalCommand.js';
import { parseCommand } from './parseCommand.js';
import { runsPrune, runsStats, type StatsOptions } from './runsHistoryCommand.js';
import { runCommand, runsResume, type RaiseOptions, type RunOptions } from './runCommand.js';
import { runsDiscard, runsKeep, runsList, runsShow, runsSummary, runsUndoDiscard } from './runsCommand.js';
import { policyAccept, policyCheck, policyShow, type CheckOptions } from './policyCommand.js';
import { UsageError } from './usageError.js';

declare const SPEC_AGENT_VERSION: string;

/** Exit codes: 0 success, 1 unexpected failure, 2 usage or input error; `policy check` also 3 ask, 4 deny. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('spec-agent')
    .description('Execute the tasks of a Kiro-style spec (tasks.md) with an autonomous agent, under a policy gate.')
    .version(typeof SPEC_AGENT_VERSION === 'string' ? SPEC_AGENT_VERSION : '0.0.0-dev')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)');

  let code = 0;
  program
    .command('parse')
    .description('Print the task outline of a tasks.md, with its diagnostics.')
    .argument('<tasks.md>', 'path to the tasks.md file')
    .addOption(new Option('--json', 'print the tasks and diagnostics as JSON'))
    .action(async (file: string, opts: { json?: boolean }) => {
      code = await parseCommand(file, opts, process.stdout, process.stderr);
    });

  program
    .command('run')
    .description('Run tasks of a tasks.md with the agent, every step through the policy gate. Exit 0 all done, 1 a task failed, 2 usage or config error, 3 paused, 130 stopped (Ctrl+C), 143 stopped by SIGTERM, 129 by SIGHUP.')
    .argument('<tasks.md>', 'the tasks file; the workspace is the folder holding .kiro/ above it')
    .requiredOption('--task <ids>', 'a task id, a range (1-5) or a list (2,3.1)')
    .option('--model <provider:model>', 'the model, e.g. replay:script.json')
    .option('--base-url <url>', 'the base URL of an OpenAI-compatible server')
    .option('--context-window <tokens>', "the model's context window (Ollama: sent as num_ctx)")
    .addOption(new Option('--level <level>', 'override the autonomy level for this run').choices(['cautious', 'balanced', 'full']))
    .option('--accept-policy', "accept the workspace's .kiro/settings.json first (CI)")
    .option('--json', 'print the run events as NDJSON')
    .action(async (file: string, opts: RunOptions) => {
      code = await runCommand(file, opts, process.stdout, process.stderr);
    });

  const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];
  program
    .command('eval')
    .description('Run every case of a suite with each model, level and repeat, each in a fresh temp copy, and judge it by its hidden checks: a table, results.json and report.md. Exit 0 when it ran (whatever the success rate), 2 on a bad suite or usage, 130 stopped.')
    .argument('<suite>', 'a folder of cases, each a folder with case.json (see examples/eval/)')
    .option('--model <provider:model>', 'a model, as for run; repeat it to compare models. replay:NAME plays replay/NAME.json of each case', collect)
    .option('--level <level>', "an autonomy level (cautious, balanced, full); repeat it to compare levels (default: each case's own)", collect)
    .option('--repeat <n>', 'runs of each case × model × level (default 1)')
    .addOption(new Option('--answers <answer>', 'how asks of the gate are answered').choices(['deny', 'approve']).default('deny'))
    .option('--base-url <url>', 'the base URL of an OpenAI-compatible or Anthropic server')
    .option('--context-window <tokens>', "the model's context window (Ollama: sent as num_ctx)")
    .option('--out <dir>', 'where results.json, report.md and the runs\' journals go (default eval-results/<time>)')
    .option('--keep', 'keep the temp copies of the cases (to look at what the agent left)')
    .option('--json', 'print the results as JSON (the schema of results.json)')
    .action(async (suite: string, opts: EvalOptions) => {
      code = await evalCommand(suite, opts, process.stdout, process.stderr);
    });

  const runs = program.command('runs').description('The runs of the workspace of the current folder (.kiro/runs/).');
  runs
    .command('list')
    .description('Runs, newest first, with their status; processes that a run cut short (a crash) left running are ended.')
    .option('--json', 'print them as JSON')
    .action(async (opts: { json?: boolean }) => {
      code = await runsList(opts, process.stdout, process.stderr);
    });
  runs
    .command('show')
    .description('The summary of a run: tasks, commands, files, gate decisions, approvals.')
    .argument('<id>', 'the run id')
    .option('--json', 'print it as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      code = await runsShow(id, opts, process.stdout);
    });
  runs
    .command('summary')
    .description('What the run completed, from its journal: per task the files written (with lines added and removed), commands with exit codes, checks passed or not, what remains; and how the run ended.')
    .argument('<id>', 'the run id')
    .option('--json', 'print it as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      code = await runsSummary(id, opts, process.stdout);
    });
  runs
    .command('resume')
    .description('Continue a stopped, failed or crashed run from its journal, as a new run: finished steps are not run again.')
    .argument('<id>', 'the run id')
    .option('--model <provider:model>', 'the model (default: the one the run used)')
    .option('--base-url <url>', 'the base URL of an OpenAI-compatible server')
    .addOption(new Option('--level <level>', 'override the autonomy level').choices(['cautious', 'balanced', 'full']))
    .option('--accept-policy', "accept the workspace's .kiro/settings.json first (CI)")
    .option('--json', 'print the run events as NDJSON')
    .option('--max-turns-per-task <n>', 'raise agent.maxTurnsPerTask for this run only (after a budget pause)')
    .option('--max-tokens-per-task <n>', 'raise agent.maxTokensPerTask for this run only')
    .option('--max-minutes-per-task <n>', 'raise agent.maxMinutesPerTask for this run only')
    .option('--max-cost-per-run <usd>', 'raise agent.maxCostPerRun (US dollars, the whole chain of runs) for this run only')
    .action(async (id: string, opts: Omit<RunOptions, 'task'> & RaiseOptions) => {
      code = await runsResume(id, opts, process.stdout, process.stderr);
    });
  runs
    .command('discard')
    .description('Put back every path the run changed, with the runs of its chain (the run it resumed, the runs that resumed it), newest first (a path you changed too is left as you have it, and reported). Exit 3 when there are such conflicts.')
    .argument('<id>', 'the run id')
    .option('--json', 'print what was done as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      code = await runsDiscard(id, opts, process.stdout, process.stderr);
    });
  runs
    .command('undo-discard')
    .description('Put the tree back exactly as it was before the last discard of the run (of its whole chain).')
    .argument('<id>', 'the run id')
    .option('--json', 'print what was done as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      code = await runsUndoDiscard(id, opts, process.stdout, process.stderr);
    });
  runs
    .command('keep')
    .description('Keep the changes of a stopped or failed run and of the runs of its chain (their snapshots are pruned later).')
    .argument('<id>', 'the run id')
    .action(async (id: string) => {
      code = await runsKeep(id, process.stdout, process.stderr);
    });

  runs
    .command('stats')
    .description(
      'How the agent did, overall and per spec: tasks completed, failed, paused, stopped and interrupted (per attempt: a task resumed in a later run counts in each), verified share, check pass rate, self-corrections per task (mean, max), median and p90 task time, tokens and cost per completed task, gate decisions by verdict and rule, approvals. ' +
        'A self-correction: a check (one of verifyCommands, run by the agent or by complete_task) failed and the task went on to fix it. Checks: the verifyCommands run when a task completed, plus each failed one. ' +
        'Read from .kiro/runs/index.jsonl, which is brought up to date from the journals that changed.',
    )
    .option('--spec <name>', 'only the runs of this spec (the folder name under .kiro/specs/)')
    .option('--since <date>', 'only the runs started on or after this date (2026-12-01, or an ISO time)')
    .option('--model <model>', 'only the runs of this model (provider:model, or the model alone)')
    .option('--json', 'print the figures as JSON')
    .action(async (opts: StatsOptions) => {
      code = await runsStats(opts, process.stdout);
    });
  runs
    .command('prune')
    .description("Remove the folders of runs that ended more than --days days ago, with their snapshots in the checkpoint store. Never a run that is running or interrupted, and a run's chain (the runs that resumed it) goes as one. Named checkpoints are left to `checkpoint prune`.")
    .requiredOption('--days <n>', 'age in days')
    .option('--dry-run', 'say what would be removed, remove nothing')
    .option('--json', 'print what was removed as JSON')
    .action(async (opts: { days?: string; dryRun?: boolean; json?: boolean }) => {
      code = await runsPrune(opts, process.stdout);
    });

  const policy = program.command('policy').description('Ask the policy gate, and show the effective policy.');
  policy
    .command('check')
    .description('The verdict of the gate on one action, with the deciding rule and every finding. Exit 0 allow, 3 ask, 4 deny, 2 usage or settings error.')
    .option('--command <cmd>', 'a shell command line')
    .option('--write <path>', 'a file write')
    .option('--create <path>', 'a file creation')
    .option('--delete <path>', 'a file deletion')
    .option('--read <path>', 'a file read (read_file): outside the workspace, links included, is denied; a secret asks')
    .option('--cases <file>', 'evaluate every case of FILE (the format of cases.json): one JSON line per case, then a summary')
    .option('--settings <file>', 'the settings file (default: .kiro/settings.json of the current folder)')
    .addOption(new Option('--level <level>', 'override the autonomy level').choices(['cautious', 'balanced', 'full']))
    .option('--json', 'print the decision as JSON')
    .action(async (opts: CheckOptions) => {
      code = await policyCheck(opts, process.stdout, process.stderr);
    });
  policy
    .command('accept')
    .description("Accept the workspace's .kiro/settings.json on this machine: a policy that grants more than the safe defaults applies only once accepted, and again after any change.")
    .option('--json', 'print what was accepted as JSON')
    .action(async (opts: { json?: boolean }) => {
      code = await policyAccept(opts, process.stdout);
    });
  policy
    .command('show')
    .description('The effective policy of the current folder and where each value came from.')
    .option('--settings <file>', 'the settings file (default: .kiro/settings.json of the current folder)')
    .option('--json', 'print it as JSON')
    .action(async (opts: { json?: boolean; settings?: string }) => {
      code = await policyShow(opts, process.stdout, process.stderr);
    });

  const checkpoint = program.command('checkpoint').description('Snapshots of the work tree of the current folder, for inspection and repair. They never touch HEAD, branches, the index or the stash.');
  checkpoint
    .command('create')
    .description('Snapshot the whole work tree (ignored files left out); prints the new id alone.')
    .option('-m, --message <text>', 'a description')
    .option('--json', 'print the checkpoint as JSON')
    .action(async (opts: { message?: string; json?: boolean }) => {
      code = await checkpointCreate(opts, process.stdout, process.stderr);
    });
  checkpoint
    .command('list')
    .description('Checkpoints and run snapshots, newest first.')
    .option('--json', 'print them as JSON')
    .action(async (opts: { json?: boolean }) => {
      code = await checkpointList(opts, process.stdout);
    });
  checkpoint
    .command('diff')
    .description('What changed in the work tree since checkpoint ID (A added, M modified, D deleted, T mode changed).')
    .argument('<id>', 'a checkpoint id or a run id')
    .option('--json', 'print the changes as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      code = await checkpointDiff(id, opts, process.stdout);
    });
  checkpoint
    .command('restore')
    .description('Put the work tree back to checkpoint ID exactly (all paths, or those given), taking a checkpoint of the current state first.')
    .argument('<id>', 'a checkpoint id or a run id')
    .option('--paths <paths...>', 'restore only these paths')
    .option('--json', 'print what was done as JSON')
    .action(async (id: string, opts: { paths?: string[]; json?: boolean }) => {
      code = await checkpointRestore(id, opts, process.stdout, process.stderr);
    });
  checkpoint
    .command('prune')
    .description("Remove checkpoints, and snapshots of finished runs, older than --days (default 7). A run whose folder is still in .kiro/runs/ keeps its snapshots (Discard needs them): `runs prune --days N` removes runs with their snapshots.")
    .option('--days <n>', 'age in days')
    .option('--json', 'print the removed refs and the runs whose snapshots were kept as JSON ({ removed, keptRuns })')
    .action(async (opts: { days?: string; json?: boolean }) => {
      code = await checkpointPrune(opts, process.stdout);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`spec-agent: ${err.message}\n`);
      return 2;
    }
    if (err instanceof SpecError) {
      process.stderr.write(`spec-agent: ${err.toString()}\n`);
      return 2;
    }
    process.stderr.write(`spec-agent: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
