import { commandName } from './argv.js';
import { gitSubcommand } from './gitOptions.js';
import { NPM_OPTIONS_WITH_VALUE } from './npmOptions.js';

/**
 * Forbidden entries matched by meaning (RULES.md C5): `rm -rf` is any rm that is both recursive and forced,
 * whatever the spelling; `git push --force` any forced or deleting push; `npm publish` any publish. Other
 * entries are a prefix of whole words.
 */
export interface ForbiddenMatcher {
  entry: string;
  matches(argv: string[]): boolean;
}

export function forbiddenMatchers(entries: readonly string[], caseInsensitive: boolean): ForbiddenMatcher[] {
  return entries.map((entry) => {
    const tokens = entry.trim().split(/\s+/).filter(Boolean);
    const head = tokens[0] ? commandName(tokens[0], true) : '';
    const flags = tokens.slice(1);
    if (head === 'rm' && flags.length > 0 && flags.every((f) => f.startsWith('-')) && recursiveAndForced(flags)) {
      return { entry, matches: (argv) => isRecursiveForcedRm(argv, caseInsensitive) };
    }
    if (head === 'git' && flags[0] === 'push' && flags.slice(1).some((f) => f === '--force' || f === '-f')) {
      return { entry, matches: (argv) => isForcedPush(argv, caseInsensitive) };
    }
    if (['npm', 'pnpm', 'yarn'].includes(head) && flags.length === 1 && flags[0] === 'publish') {
      return { entry, matches: (argv) => isPublish(argv, caseInsensitive) };
    }
    return { entry, matches: (argv) => tokenPrefix(tokens, argv, caseInsensitive) };
  });
}

function tokenPrefix(tokens: string[], argv: string[], ci: boolean): boolean {
  if (tokens.length === 0 || argv.length < tokens.length) return false;
  if (commandName(argv[0]!, ci) !== commandName(tokens[0]!, ci)) return false;
  for (let i = 1; i < tokens.length; i++) {
    if (ci ? argv[i]!.toLowerCase() !== tokens[i]!.toLowerCase() : argv[i] !== tokens[i]) return false;
  }
  return true;
}

function recursiveAndForced(flags: string[]): boolean {
  let r = false;
  let f = false;
  for (const a of flags) {
    if (a.startsWith('--')) {
      // GNU rm takes unambiguous prefixes: --r, --re, --f, --fo.
      if ('--recursive'.startsWith(a) && a.length >= 3) r = true;
      if ('--force'.startsWith(a) && a.length >= 3) f = true;
    } else if (a.startsWith('-')) {
      if (/[rR]/.test(a)) r = true;
      if (/f/.test(a)) f = true;
    }
  }
  return r && f;
}

const PS_REMOVE = new Set(['remove-item', 'rm', 'ri', 'del', 'erase', 'rd', 'rmdir']);

function isRecursiveForcedRm(argv: string[], ci: boolean): boolean {
  if (argv.length === 0) return false;
  const name = commandName(argv[0]!, ci);
  const lower = commandName(argv[0]!, true);
  // PowerShell: Remove-Item (and its aliases) with -Recurse and -Force, parameter names abbreviated at will.
  const psFlag = (a: string, word: string) => new RegExp(`^-${word[0]}${[...word.slice(1)].map((c) => `(?:${c}`).join('')}${')?'.repeat(word.length - 1)}(:(\\$?true)?)?$`, 'i').test(a);
  if (PS_REMOVE.has(lower) && argv.slice(1).some((a) => psFlag(a, 'recurse')) && argv.slice(1).some((a) => psFlag(a, 'force'))) return true;
  // cmd.exe: rd /s /q, also written /s/q.
  if ((lower === 'rd' || lower === 'rmdir') && argv.slice(1).join(' ').match(/\/s/i) && argv.slice(1).join(' ').match(/\/q/i)) return true;
  if (name !== 'rm') return false;
  const flags: string[] = [];
  for (const a of argv.slice(1)) {
    if (a === '--') break;
    if (a.startsWith('-') && a !== '-') flags.push(a);
  }
  return recursiveAndForced(flags);
}

function isForcedPush(argv: string[], ci: boolean): boolean {
  const sub = gitSubcommand(argv, ci);
  if (sub?.name !== 'push') return false;
  const args = argv.slice(sub.index + 1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      return args.slice(i + 1).some((r) => r.startsWith('+') || (r.startsWith(':') && r.length > 1));
    }
    if (a === '-o' || a === '--push-option' || a === '--repo' || a === '--receive-pack' || a === '--exec') {
      i++;
      continue;
    }
    if (a.startsWith('--')) {
      const opt = a.split('=')[0]!;
      // git takes unambiguous prefixes of long options: --force-w, --del, --mirr.
      if (opt.length >= 5 && ['--force', '--force-with-lease', '--force-if-includes', '--delete', '--mirror', '--prune'].some((o) => o.startsWith(opt))) return true;
      continue;
    }
    if (a.startsWith('-')) {
      if (/^-[a-zA-Z]*[fd]/.test(a)) return true;
      continue;
    }
    // A refspec: `+main` forces, `:main` deletes.
    if (a.startsWith('+') || (a.startsWith(':') && a.length > 1)) return true;
  }
  return false;
}

function isPublish(argv: string[], ci: boolean): boolean {
  if (argv.length === 0) return false;
  const name = commandName(argv[0]!, ci);
  if (!['npm', 'pnpm', 'yarn'].includes(name)) return false;
  const positional: string[] = [];
  for (let i = 1; i < argv.length && positional.length < 3; i++) {
    const a = argv[i]!;
    if (NPM_OPTIONS_WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    positional.push(ci ? a.toLowerCase() : a);
  }
  // npm expands command abbreviations: `npm pub` publishes.
  const isPub = (w: string | undefined) => w !== undefined && w.length >= 3 && 'publish'.startsWith(w);
  if (isPub(positional[0])) return true;
  if (name === 'yarn' && positional[0] === 'npm' && isPub(positional[1])) return true;
  return name === 'yarn' && positional[0] === 'workspace' && argv.slice(1).some((a) => a === 'publish');
}
