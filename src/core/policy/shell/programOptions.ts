import type { Word } from './words.js';
import { fromWord, optionTargets, type OptionSpec } from './writeTarget.js';

/**
 * Options of ordinary tools whose value is a program or command line the tool runs (RULES.md C4 "program options
 * that run commands", beside `git grep -O`, `tar --to-command`, `man -P`, `rg --pre`): `sort --compress-program=sh`,
 * `rsync -e '…'`, `ssh -o ProxyCommand=…`. The value is code; a value that is not a literal asks.
 */
const PROGRAM_OPTIONS: Record<string, Array<OptionSpec & { what: string }>> = {
  sort: [{ long: ['compress-program'], known: ['compress-program', 'check'], what: 'sort --compress-program' }],
  split: [{ long: ['filter'], what: 'split --filter' }],
  zip: [{ long: ['unzip-command'], what: 'zip --unzip-command' }],
  rsync: [{ short: 'e', long: ['rsh', 'rsync-path'], known: ['rsh', 'rsync-path', 'recursive', 'relative', 'remove-source-files', 'read-batch'], valueShorts: 'fBTM', what: 'rsync --rsh' }],
  diff: [{ long: ['diff-program'], what: 'diff --diff-program' }],
  sdiff: [{ long: ['diff-program'], what: 'sdiff --diff-program' }],
};

/** ssh options (`-o Name=value`) that run a local command. */
const SSH_COMMAND_OPTIONS = /^\s*(ProxyCommand|LocalCommand|KnownHostsCommand)\s*[=\s]\s*([\s\S]*)$/i;

export interface ProgramCode {
  code: Array<{ text: string; via: string }>;
  /** Values that are no literal, or code the gate cannot read (an editor's commands): they ask. */
  unknown: string[];
}

/** The tools this module reads: every other command is passed over at once. */
const TOOLS = new Set([...Object.keys(PROGRAM_OPTIONS), 'zip', 'man', 'ssh', 'scp', 'sftp', 'vi', 'vim', 'nvim', 'gvim', 'view', 'ex', 'vimdiff', 'emacs']);

/** `words[i]` is the word of `argv[i]` (`denyWords`): a split or brace-expanded word gives one per piece. */
export function programOptionCode(name: string, argv: readonly string[], words: readonly Word[]): ProgramCode | undefined {
  if (!TOOLS.has(name)) return undefined;
  const out: ProgramCode = { code: [], unknown: [] };
  const targets = () => words.map((w) => fromWord(w));
  const specs = PROGRAM_OPTIONS[name];
  if (specs && Object.hasOwn(PROGRAM_OPTIONS, name)) {
    const t = targets();
    for (const spec of specs) {
      for (const o of optionTargets(argv, t, spec)) {
        if (!o.target) continue;
        if (o.target.dynamic) out.unknown.push(`${spec.what} is given a program that is not a literal`);
        else out.code.push({ text: o.target.text, via: spec.what });
      }
    }
  }
  // zip -TT CMD (two letters, so no getopt bundle); man -Hbrowser and --html=browser (the value only attached).
  if (name === 'zip') for (let i = 1; i < argv.length; i++) if (argv[i] === '-TT' && argv[i + 1] !== undefined) out.code.push({ text: argv[++i]!, via: 'zip -TT' });
  if (name === 'man') for (const a of argv) if (/^(-H|--html=)./.test(a)) out.code.push({ text: a.slice(a.startsWith('-H') ? 2 : 7), via: 'man --html' });
  if (name === 'ssh' || name === 'scp' || name === 'sftp') {
    for (let i = 1; i < argv.length; i++) {
      const v = argv[i] === '-o' ? argv[++i] : argv[i]!.startsWith('-o') ? argv[i]!.slice(2) : undefined;
      const m = v === undefined ? null : SSH_COMMAND_OPTIONS.exec(v);
      if (m) out.code.push({ text: m[2]!, via: `${name} -o ${m[1]}` });
    }
  }
  if (/^(vi|vim|nvim|gvim|view|ex|vimdiff)$/.test(name) && argv.some((a, i) => i > 0 && (a === '-c' || a === '--cmd' || a === '-S' || a.startsWith('+')))) {
    out.unknown.push(`${name} runs editor commands given on its command line (they can start programs: :!, :lua, :py, system())`);
  }
  if (name === 'emacs' && argv.some((a) => /^--?(eval|execute|load|funcall|l|f)(=|$)/.test(a))) out.unknown.push('emacs runs Lisp given on its command line, which can start programs');
  return out.code.length > 0 || out.unknown.length > 0 ? out : undefined;
}
