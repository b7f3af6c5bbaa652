import { commandName } from './argv.js';

/**
 * git's global options (before the subcommand) as git.c reads them. The forbidden match (C5: which subcommand
 * runs), the code it runs (C4: `-c alias.x=!…`) and the sensitive checks (C6: `-c`, `-C` outside) all read them
 * here, so an option one of them skips is never the subcommand for another (`git --super-prefix x -c …`).
 */

/** Global options that take the next word as their value (or an attached `=value` for the long ones). */
const WITH_VALUE = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--config-env', '--super-prefix', '--attr-source']);

/** git's global long options, to read an abbreviation as strictly as a check needs (`--exec-p=`). */
export const GIT_GLOBAL_LONG = ['exec-path', 'html-path', 'man-path', 'info-path', 'paginate', 'no-pager', 'no-replace-objects', 'bare', 'git-dir', 'work-tree', 'namespace', 'super-prefix', 'config-env', 'literal-pathspecs', 'glob-pathspecs', 'noglob-pathspecs', 'icase-pathspecs', 'no-optional-locks', 'list-cmds', 'attr-source'];

export interface GitGlobalOption {
  /** The word as written (`--git-dir=x`, `-c`). */
  word: string;
  /** The option's name: the word up to `=`. */
  name: string;
  /** Its value: attached after `=`, or the next word for the options that take one (undefined when missing). */
  value: string | undefined;
  /** Where the value is in argv when it is a word of its own. */
  valueIndex?: number;
}

export interface GitCommandLine {
  globals: GitGlobalOption[];
  /** The subcommand and its index in argv, when there is one. */
  sub?: { name: string; index: number };
}

const cache = new WeakMap<readonly string[], GitCommandLine>();

/** The global options and the subcommand of `git …` (argv[0] is git); read once per argv. */
export function gitCommandLine(argv: readonly string[]): GitCommandLine {
  const hit = cache.get(argv);
  if (hit) return hit;
  const line: GitCommandLine = { globals: [] };
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i]!;
    if (!word.startsWith('-')) {
      line.sub = { name: word, index: i };
      break;
    }
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const name = eq === -1 ? word : word.slice(0, eq);
    if (eq !== -1) line.globals.push({ word, name, value: word.slice(eq + 1) });
    else if (WITH_VALUE.has(word)) {
      line.globals.push({ word, name, value: argv[i + 1], valueIndex: i + 1 < argv.length ? i + 1 : undefined });
      i++;
    } else line.globals.push({ word, name, value: undefined });
  }
  cache.set(argv, line);
  return line;
}

/** The git subcommand and its index, after global options; undefined when argv is no git command or has none. */
export function gitSubcommand(argv: string[], ci: boolean): { name: string; index: number } | undefined {
  if (argv.length === 0 || commandName(argv[0]!, ci) !== 'git') return undefined;
  return gitCommandLine(argv).sub;
}
