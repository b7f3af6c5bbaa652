import { Command, CommanderError, Option } from 'commander';
import { SpecError } from '../core/spec/index.js';
import { parseCommand } from './parseCommand.js';

declare const SPEC_AGENT_VERSION: string;

/** Exit codes: 0 success, 1 unexpected failure, 2 usage or input error. */
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

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof SpecError) {
      process.stderr.write(`spec-agent: ${err.toString()}\n`);
      return 2;
    }
    process.stderr.write(`spec-agent: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
