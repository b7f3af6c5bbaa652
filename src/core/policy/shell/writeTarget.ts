import { longOption } from './longOptions.js';
import type { Word } from './words.js';

/**
 * A path a command writes, as far as the gate can know it (RULES.md C7). Every source of a write (a redirect, an
 * operand, a value attached to an option: `-o$OUT`, `--output=~/x`) becomes one, so a target only known at run
 * time asks, and one that lands outside is denied, the same way for all of them.
 */
export interface Target {
  /** The deny-side text: unknown parts taken as empty, `~` and `$HOME` as home. */
  text: string;
  /** Only known when it runs (an expansion, a substitution). */
  dynamic: boolean;
  /** `text` took an unknown part as empty, so it cannot tell where the write lands. */
  guessed: boolean;
  /** An unquoted glob the shell expands. */
  glob: boolean;
}

export const fromWord = (w: Word, text = w.deny): Target => ({ text, dynamic: w.value === null, guessed: w.guessed, glob: w.glob });

/** A path the gate builds itself (`~/.gitconfig` for `git config --global`). */
export const literalTarget = (text: string): Target => ({ text, dynamic: false, guessed: false, glob: false });

/** The value part of an option word (`-o$OUT` from 2, `--output=x` after the `=`): it is as dynamic as the word. */
export const sliceTarget = (t: Target, from: number): Target => ({ ...t, text: t.text.slice(from) });

/** `dir/` + the name of `src`: a file copied into a folder. Unknown if either part is. */
export function intoFolder(dir: Target, src: Target): Target {
  const name = src.text.split(/[/\\]/).filter(Boolean).at(-1) ?? '';
  const text = dir.text === '.' ? name : `${dir.text}${/[/\\]$/.test(dir.text) ? '' : '/'}${name}`;
  return { text, dynamic: dir.dynamic || src.dynamic, guessed: dir.guessed || src.guessed, glob: dir.glob || src.glob };
}

export interface OptionSpec {
  /** The short option letter that takes the path (`o` for `sort -o`). */
  short?: string;
  /** Long options (without `--`) that take the path. */
  long?: string[];
  /** Every long option of the tool that begins like one of `long`, so an abbreviation (`--out`) is told apart. */
  known?: string[];
  /** Single-dash options are words of their own, never bundles (gcc's `-fno-omit-frame-pointer` holds no `-o`). */
  noBundle?: boolean;
  /** Only the full spelling of the long options counts (the tool takes no abbreviations, or C6 judges them). */
  exact?: boolean;
  /** Other short options that take a value: a bundle stops at them (`-tx` is `-t x`, not `-o`). */
  valueShorts?: string;
}

/**
 * The paths given to an option in every spelling GNU getopt accepts: `-o F`, `-oF`, `-so F`, `-soF`, `--output F`,
 * `--output=F` and unambiguous prefixes (`--out=F`). Options end at `--`.
 */
export function optionTargets(argv: readonly string[], targets: readonly Target[], spec: OptionSpec): Array<{ target: Target | undefined; option: string }> {
  const out: Array<{ target: Target | undefined; option: string }> = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a.startsWith('--')) {
      const l = spec.long ? longOption(a, spec.known ?? spec.long) : undefined;
      if (spec.exact && l && !a.startsWith(`--${l.name}`)) continue;
      if (!l || !spec.long!.includes(l.name)) continue;
      out.push({ target: l.value !== undefined ? sliceTarget(targets[i]!, a.indexOf('=') + 1) : targets[++i], option: `--${l.name}` });
    } else if (spec.short && /^-[^-]/.test(a)) {
      for (let j = 1; j < (spec.noBundle ? 2 : a.length); j++) {
        if (a[j] === spec.short) {
          out.push({ target: attachedValue(a, j, targets[i]!) ?? targets[++i], option: `-${spec.short}` });
          break;
        }
        if (spec.valueShorts?.includes(a[j]!)) {
          if (j + 1 === a.length) i++;
          break;
        }
      }
    }
  }
  return out;
}

/**
 * The value attached to the short option at `a[j]`, if any. A dynamic word whose deny text ends at the option
 * (`-o$OUT` reads `-o`) has its value attached but unknown: the next word is not it.
 */
export function attachedValue(a: string, j: number, word: Target): Target | undefined {
  return j + 1 < a.length || word.dynamic ? sliceTarget(word, j + 1) : undefined;
}
