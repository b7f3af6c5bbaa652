import { expandBraces } from './braces.js';
import type { SimpleCommand } from './commandAnalysis.js';
import type { Word } from './words.js';

/**
 * The words of a command as the deny-side evaluation sees them: unquoted `$IFS` splits words again, and an
 * unquoted `{a,b}` expands to several words.
 */
export function denyArgv(cmd: SimpleCommand): string[] {
  return denyView(cmd).argv;
}

/**
 * One word per word of `denyArgv(cmd)`, index for index: a word that `$IFS` splits or braces expand gives one
 * word per piece, whose `deny` is that piece. Every reader that walks `denyArgv` by index and needs the word
 * behind it (is it a literal? quoted?) or hands words on (what a wrapper runs) reads this, so an index never
 * lands on the wrong word: `env {A=1,B=2} rm -rf x` runs `rm`, the fourth deny word, not the fourth written one.
 */
export function denyWords(cmd: SimpleCommand): Word[] {
  return denyView(cmd).words;
}

function denyView(cmd: SimpleCommand): { argv: string[]; words: Word[] } {
  const cached = denyArgvCache.get(cmd);
  if (cached) return cached;
  const view = { argv: [] as string[], words: [] as Word[] };
  for (const w of cmd.argv) {
    const words = w.split ? w.deny.split(/\s+/).filter(Boolean) : [w.deny];
    const pieces = words.flatMap((x) => (w.quoted ? [x] : expandBraces(x)));
    for (const e of pieces) {
      view.argv.push(e);
      // A piece of a split or expanded word is a word of its own; its value is only known if the word's was.
      view.words.push(pieces.length === 1 && e === w.deny ? w : { ...w, deny: e, value: w.value === null ? null : e, text: e, split: false });
    }
  }
  denyArgvCache.set(cmd, view);
  return view;
}

/** Every rule reads the deny view of each command; compute it once. */
const denyArgvCache = new WeakMap<SimpleCommand, { argv: string[]; words: Word[] }>();

/** The last path component, for `/usr/bin/rm` and `C:\tools\rm.exe`. */
export function basename(word: string): string {
  const i = Math.max(word.lastIndexOf('/'), word.lastIndexOf('\\'));
  return i === -1 ? word : word.slice(i + 1);
}

/** A command word compared by basename, and case-folded where the shell or file system ignores case. */
export function commandName(word: string, caseInsensitive: boolean): string {
  let name = basename(word);
  if (caseInsensitive) name = name.toLowerCase().replace(/\.(exe|cmd|bat|com)$/, '');
  return name;
}

/** Shells whose `-c` takes a command line; the non-POSIX ones (csh, nu, xonsh) are read as bash, for their commands. */
export const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'ash', 'mksh', 'fish', 'csh', 'tcsh', 'yash', 'posh', 'oksh', 'loksh', 'rc', 'es', 'nu', 'xonsh', 'elvish']);

/** The other names of cd: cmd's chdir and PowerShell's Set-Location and Push-Location with their aliases. */
const CD_ALIASES = new Set(['chdir', 'set-location', 'sl', 'push-location']);

/**
 * Where `cd`/`pushd` goes: a static path, `dynamic` (no argument = home, `-` = $OLDPWD, an expansion), or
 * undefined for any other command. Options (`-L -P -e -@ --`) are skipped, not taken for the target.
 */
export function cdTarget(cmd: SimpleCommand): { path: string } | 'home' | 'dynamic' | undefined {
  const name = cmd.argv[0]?.value;
  if (cmd.kind !== 'command' || typeof name !== 'string') return undefined;
  // PowerShell and cmd spell it differently (RULES.md C7): `cd..`, `cd\`, `cd~`, and `D:` switches drive.
  const glued = /^(cd|chdir)(\.\.|[\\/~].*)$/i.exec(name);
  if (glued && cmd.argv.length === 1) return glued[2] === '~' ? 'home' : { path: glued[2]! };
  if (/^[A-Za-z]:$/.test(name) && cmd.argv.length === 1) return 'dynamic';
  if (name !== 'cd' && name !== 'pushd' && !CD_ALIASES.has(name.toLowerCase())) return undefined;
  let i = 1;
  for (; i < cmd.argv.length; i++) {
    const v = cmd.argv[i]!.value;
    if (v === '--') {
      i++;
      break;
    }
    if (v === null || !/^-[LPe@]+$/.test(v)) break;
  }
  // Set-Location -Path x / -LiteralPath x.
  if (/^-(path|literalpath|lp)$/i.test(cmd.argv[i]?.value ?? '')) i++;
  const target = cmd.argv[i];
  if (!target) return 'home';
  if (target.value === null || target.value === '-' || target.value.startsWith('~-') || target.value.startsWith('+') || target.value.startsWith('-')) return 'dynamic';
  return { path: target.value };
}
