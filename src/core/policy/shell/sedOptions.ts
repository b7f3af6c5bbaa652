import { denyArgv, denyWords } from './argv.js';
import type { SimpleCommand } from './commandAnalysis.js';
import { longOption } from './longOptions.js';
import type { Word } from './words.js';
import type { Target } from './writeTarget.js';

/** GNU sed's long options, for prefix matching (`--i` is `--in-place`, `--s` is ambiguous). */
const GNU_LONG = ['expression', 'file', 'in-place', 'line-length', 'null-data', 'zero-terminated', 'quiet', 'silent', 'regexp-extended', 'separate', 'sandbox', 'unbuffered', 'binary', 'follow-symlinks', 'posix', 'debug', 'help', 'version'];

/** One piece of a sed command line: a write target when it is a file edited in place (RULES.md C7). */
export type SedPart = Target;

export interface SedCommandLine {
  scripts: string[];
  /** `-f FILE`: scripts the gate cannot read. */
  scriptFiles: string[];
  /** Set when editing in place; the backup suffix ('' for none). */
  inPlace: SedPart | undefined;
  files: SedPart[];
}

const part = (w: Word | undefined, text: string): SedPart => ({ text, dynamic: w ? w.value === null : false, guessed: w ? w.guessed : false, glob: w ? w.glob : false });
const tail = (p: SedPart, from: number): SedPart => ({ ...p, text: p.text.slice(from) });

/** Parsed once per command and dialect: the writes (C7), the code it runs (C4) and the sensitive checks (C6) all read it. */
const parsed = new WeakMap<SimpleCommand, Map<'gnu' | 'bsd', SedCommandLine>>();

/** `cmd`'s sed command line, read once per command: GNU unless `os` is macos. */
export function sedCommandLine(cmd: SimpleCommand, os: 'linux' | 'macos' | 'windows'): SedCommandLine {
  const dialect = os === 'macos' ? 'bsd' : 'gnu';
  let byDialect = parsed.get(cmd);
  if (!byDialect) parsed.set(cmd, (byDialect = new Map()));
  let line = byDialect.get(dialect);
  if (!line) byDialect.set(dialect, (line = parseSed(denyArgv(cmd), denyWords(cmd), os)));
  return line;
}

/**
 * sed's options as sed reads them (RULES.md C7): GNU on linux and windows, where `-i` takes its suffix only
 * attached and options may follow operands; BSD on macos, where `-i` takes the next word as its suffix and
 * options stop at the first operand. Without `-e`/`-f` the first operand is the script.
 */
export function parseSed(argv: string[], words: Word[], os: 'linux' | 'macos' | 'windows'): SedCommandLine {
  const bsd = os === 'macos';
  const out: SedCommandLine = { scripts: [], scriptFiles: [], inPlace: undefined, files: [] };
  const operands: SedPart[] = [];
  const at = (i: number) => part(words[i], argv[i] ?? '');
  let options = true;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (!options || a === '-' || !a.startsWith('-')) {
      operands.push(at(i));
      if (bsd) options = false;
      continue;
    }
    if (a === '--') {
      options = false;
      continue;
    }
    if (a.startsWith('--')) {
      const opt = bsd ? undefined : longOption(a, GNU_LONG);
      const valueFrom = (): string => (opt!.value ?? argv[++i] ?? '');
      if (opt?.name === 'expression') out.scripts.push(valueFrom());
      else if (opt?.name === 'file') out.scriptFiles.push(valueFrom());
      else if (opt?.name === 'line-length' && opt.value === undefined) i++;
      // The last --in-place wins; its suffix is only ever attached.
      else if (opt?.name === 'in-place') out.inPlace = tail(at(i), a.indexOf('=') === -1 ? a.length : a.indexOf('=') + 1);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      const rest = a.slice(j + 1);
      if (c === 'i' || (bsd && c === 'I')) {
        if (bsd && c === 'i' && rest === '') out.inPlace = at(++i);
        else out.inPlace = tail(at(i), j + 1);
        break;
      }
      if (c === 'e' || c === 'f' || c === 'l') {
        const value = rest !== '' ? rest : (argv[++i] ?? '');
        if (c === 'e') out.scripts.push(value);
        else if (c === 'f') out.scriptFiles.push(value);
        break;
      }
    }
  }
  if (out.scripts.length === 0 && out.scriptFiles.length === 0 && operands.length > 0) out.scripts.push(operands.shift()!.text);
  out.files = operands;
  return out;
}

/**
 * Where GNU/BSD sed keeps the backup of `file` for suffix `suffix`: `*` stands for the file's name, and a
 * suffix without `*` is appended to it. A suffix with `/` (`--in-place=../out/*`) puts it in another folder,
 * which is a write like any other.
 */
export function sedBackup(file: SedPart, suffix: SedPart): SedPart | undefined {
  if (suffix.text === '') return undefined;
  const slash = file.text.lastIndexOf('/');
  const dir = slash === -1 ? '' : file.text.slice(0, slash + 1);
  const base = file.text.slice(slash + 1);
  let text: string;
  if (!suffix.text.includes('*')) text = file.text + suffix.text;
  else {
    const named = suffix.text.split('*').join(base);
    text = /^([/\\]|[A-Za-z]:)/.test(named) ? named : dir + named;
  }
  return { text, dynamic: file.dynamic || suffix.dynamic, guessed: file.guessed || suffix.guessed, glob: file.glob };
}
