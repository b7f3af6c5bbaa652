import type { Finding } from '../types.js';
import { commandName, denyArgv, denyWords, SHELLS } from './argv.js';
import { gitCommandLine } from './gitOptions.js';
import type { SimpleCommand } from './commandAnalysis.js';
import { SCRIPT_BLOCK, type Dialect } from './dialect.js';
import { longOption } from './longOptions.js';
import { NPM_OPTIONS_WITH_VALUE } from './npmOptions.js';
import { programOptionCode } from './programOptions.js';
import { sedCommandLine } from './sedOptions.js';
import { commandStart, takesNextWord, wrapped, type WrapperSpec } from './wrappers.js';
import type { Word } from './words.js';

/** What a code-bearing command runs (RULES.md C4). */
export interface InnerCode {
  /** Another command line held as text: `sh -c '…'`, `eval …`, `git -c alias.x='!…'`, a heredoc fed to a shell. */
  code: Array<{ text: string; via: string; dialect?: Dialect }>;
  /**
   * A command run by a wrapper with its own words: `timeout 5 git push -f`, `xargs rm`, `find -exec rm {} +`.
   * `at` is the index of its first word among the wrapper's words.
   */
  argv: Array<{ words: Word[]; at: number; via: string; assignments: SimpleCommand['assignments'] }>;
  /** Code that is not a literal (an expansion or substitution): it can never be allowed. */
  findings: Finding[];
}

/** sed's `e command` after an optional address (`1`, `$`, `/re/`, `a,b`, `1~2`, `!`). */
const SED_E_COMMAND = /(?:^|[;\n{}])\s*(?:(?:\d+(?:~\d+)?|\$|\/[^/\n]*\/[IM]*)(?:\s*,\s*(?:\d+|\$|\/[^/\n]*\/[IM]*|~?\d+))?)?\s*!?\s*e[ \t]+([^\n]+)/g;

const GIT_CODE_KEYS = /^(core\.pager|core\.fsmonitor|core\.sshcommand|core\.editor|core\.hookspath|sequence\.editor|diff\.external|pager\..+|alias\..+)$/i;

/** env and parallel read their command their own way (assignments, `-S`, `:::`), their options as every wrapper does. */
const ENV_OPTIONS: WrapperSpec = { valueShorts: 'uC', valueLongs: ['unset', 'chdir'] };
const PARALLEL_OPTIONS: WrapperSpec = { valueShorts: 'jS', valueLongs: ['jobs', 'sshlogin'] };

export function innerCode(cmd: SimpleCommand, caseInsensitive: boolean): InnerCode {
  const out: InnerCode = { code: [], argv: [], findings: [] };
  if (cmd.kind !== 'command' && cmd.kind !== 'declaration') return out;
  // Index for index: a brace or `$IFS` word before the command a wrapper runs must not shift where it starts.
  const words = denyWords(cmd);
  const argv = denyArgv(cmd);
  if (argv.length === 0) return out;
  const name = commandName(argv[0]!, caseInsensitive);
  // A PowerShell script block (`ForEach-Object { … }`) is code of its own, whichever cmdlet it is given to.
  if (cmd.text.includes(SCRIPT_BLOCK)) {
    // The block may be a parameter's value (`-Process:{ … }`): it runs from the marker to the end of the word.
    for (const w of words) if (w.value?.includes(SCRIPT_BLOCK)) out.code.push({ text: w.value.slice(w.value.indexOf(SCRIPT_BLOCK) + 1), via: 'a script block { }', dialect: 'powershell' });
  }
  const literal = (w: Word | undefined, what: string): string | undefined => {
    if (!w) return undefined;
    if (w.value === null) {
      out.findings.push({ verdict: 'ask', rule: 'C4', message: `${what} is not a literal (it has ${w.expansions[0] ?? 'a substitution'}), so what it runs cannot be checked`, command: cmd.text });
      return undefined;
    }
    return w.value;
  };
  const run = (from: number, via: string, assignments: SimpleCommand['assignments'] = []) => {
    if (from < words.length) out.argv.push({ words: words.slice(from), at: from, via, assignments });
  };

  if (SHELLS.has(name)) {
    const c = argv.findIndex((a, i) => i > 0 && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(a));
    if (c > 0) {
      // The code is the first operand after -c (`bash -c -- 'code'`).
      const at = argv.findIndex((a, i) => i > c && a !== '--' && !a.startsWith('-'));
      const code = literal(words[at > 0 ? at : c + 1], `the code given to ${name} -c`);
      if (code !== undefined) out.code.push({ text: code, via: `${name} -c` });
    } else if (!argv.slice(1).some((a) => !a.startsWith('-'))) {
      if (cmd.heredocText !== undefined) out.code.push({ text: cmd.heredocText, via: `${name} <<heredoc` });
      for (const r of cmd.redirects) {
        if (r.op !== '<<<' || !r.target) continue;
        const code = literal(r.target, `the here-string given to ${name}`);
        if (code !== undefined) out.code.push({ text: code, via: `${name} <<<` });
      }
    }
    return out;
  }
  const lowerName = name.toLowerCase();
  if (lowerName === 'pwsh' || lowerName === 'powershell' || lowerName === 'powershell.exe') {
    const c = argv.findIndex((a) => /^-(c|command)$/i.test(a));
    if (c > 0) {
      const code = words.slice(c + 1).map((w, i) => literal(w, `the code given to ${name} ${argv[c]}`) ?? `\0${i}`);
      out.code.push({ text: code.join(' '), via: `${name} -Command`, dialect: 'powershell' });
    }
    return out;
  }
  // cmd /c "rd /s /q dist": the rest of the line is a cmd command line, as bash -c takes a bash one.
  const slashC = lowerName === 'cmd' || lowerName === 'cmd.exe' ? argv.findIndex((a) => /^\/[ck]/i.test(a)) : -1;
  if (slashC > 0) {
    const attached = argv[slashC]!.slice(2);
    const code = words.slice(slashC + 1).map((w) => literal(w, `the command given to ${name} /c`));
    if (code.every((c) => c !== undefined)) out.code.push({ text: [attached, ...code].filter(Boolean).join(' '), via: 'cmd /c', dialect: 'cmd' });
    return out;
  }
  if (lowerName === 'invoke-expression' || lowerName === 'iex') {
    // PowerShell's eval: a literal string is a PowerShell command line.
    const parts = words.slice(1).filter((_, i) => !/^-c(ommand)?$/i.test(argv[i + 1]!)).map((w, i) => literal(w, `the code given to ${name} (${i + 1})`));
    if (parts.length > 0 && parts.every((p) => p !== undefined)) out.code.push({ text: parts.join(' '), via: name, dialect: 'powershell' });
    return out;
  }
  if (lowerName === 'start-process' || lowerName === 'saps') {
    const list = argv.findIndex((a) => /^-argumentlist$/i.test(a));
    const exe = argv.find((a, i) => i > 0 && !a.startsWith('-') && i !== list + 1);
    if (exe) out.code.push({ text: [exe, ...(list > 0 ? [argv[list + 1]!] : [])].join(' '), via: 'Start-Process' });
    return out;
  }
  const program = programOptionCode(name, argv, words);
  if (program) {
    out.code.push(...program.code);
    for (const message of program.unknown) out.findings.push({ verdict: 'ask', rule: 'C4', message, command: cmd.text });
  }
  const w = wrapped(name, argv);
  if (w) {
    // The variables a wrapper sets (`cross-env NODE_OPTIONS=… npm test`) go with the command it runs, so the gate
    // checks them as it does `NODE_OPTIONS=… npm test` (C6 asks for NODE_OPTIONS, the allowlist takes only safe ones).
    if ('from' in w) run(w.from, name, w.env.map((k) => assignmentOf(words[k]!, argv[k]!)));
    else if ('joinedFrom' in w) {
      const env = w.env.map((k) => {
        const value = literal(words[k], `the environment given to ${name}`);
        return value === undefined ? undefined : `${argv[k]!.slice(0, argv[k]!.indexOf('='))}=${shellQuote(value.slice(value.indexOf('=') + 1))}`;
      });
      const parts = words.slice(w.joinedFrom).map((x) => literal(x, `the command given to ${name}`));
      if (env.every((e) => e !== undefined) && parts.every((p) => p !== undefined)) out.code.push({ text: [...env, ...parts].join(' '), via: name });
    } else {
      for (const c of w.code) {
        const text = literal(words[c.at], `the command given to ${c.via}`);
        if (text !== undefined) out.code.push({ text: text.slice(c.strip), via: c.via });
      }
    }
    return out;
  }
  switch (name) {
    case 'at':
    case 'batch':
      // at and batch read the commands to run later from their input, as a shell does.
      if (cmd.heredocText !== undefined) out.code.push({ text: cmd.heredocText, via: `${name} <<heredoc` });
      for (const r of cmd.redirects) {
        const code = r.op === '<<<' ? literal(r.target, `the here-string given to ${name}`) : undefined;
        if (code !== undefined) out.code.push({ text: code, via: `${name} <<<` });
      }
      return out;
    case 'fd':
    case 'fdfind':
      // fd -x/--exec runs a command for each match, -X/--exec-batch once; it ends at `;` or the end.
      for (let i = 1; i < argv.length; i++) {
        if (!['-x', '--exec', '-X', '--exec-batch'].includes(argv[i]!)) continue;
        let end = i + 1;
        while (end < argv.length && argv[end] !== ';') end++;
        out.argv.push({ words: words.slice(i + 1, end), at: i + 1, via: `fd ${argv[i]}`, assignments: [] });
        i = end;
      }
      return out;
    case 'compgen':
    case 'complete':
    case 'mapfile':
    case 'readarray':
      // `-C command` runs command (for completions, or every N lines read); `-F function` runs a function.
      for (let i = 1; i < argv.length; i++) {
        if (argv[i] !== '-C' && argv[i] !== '-F') continue;
        const code = literal(words[i + 1], `${name} ${argv[i]}`);
        if (code !== undefined && argv[i] === '-C') out.code.push({ text: code, via: `${name} -C` });
        else if (code !== undefined) out.findings.push({ verdict: 'ask', rule: 'C4', message: `${name} -F runs the shell function ${code}, which the gate cannot see`, command: cmd.text });
        i++;
      }
      return out;
    case 'bind':
      // `bind -x 'keyseq:command'` runs command when the keys are read.
      for (let i = 1; i < argv.length; i++) {
        if (argv[i] !== '-x') continue;
        const v = literal(words[++i], 'bind -x');
        const colon = v?.indexOf(':') ?? -1;
        if (v !== undefined && colon >= 0) out.code.push({ text: v.slice(colon + 1).replace(/^\s*"|"\s*$/g, ''), via: 'bind -x' });
      }
      return out;
    case 'gdb':
      debuggerCode(cmd, argv, out, run);
      return out;
    case 'make':
    case 'gmake':
      for (const a of argv.slice(1)) {
        if (/^(SHELL|\.SHELLFLAGS|MAKESHELL)=/.test(a) || a === '-E' || a.startsWith('--eval')) out.findings.push({ verdict: 'ask', rule: 'C4', message: `make ${a.split('=')[0]} changes the shell its recipes run with, or adds rules: what runs cannot be checked`, command: cmd.text });
      }
      return out;
    case 'bun':
      if (argv[1] === 'x') npmExec('npx', words.slice(1), argv.slice(1), out, literal, 1);
      return out;
    case 'eval': {
      const parts = words.slice(1).map((w, i) => literal(w, `eval's argument ${i + 1}`));
      if (parts.every((p) => p !== undefined) && parts.length > 0) out.code.push({ text: parts.join(' '), via: 'eval' });
      return out;
    }
    case 'alias':
      for (const w of words.slice(1)) {
        const v = literal(w, 'the alias');
        const eq = v?.indexOf('=') ?? -1;
        if (v !== undefined && eq > 0) out.code.push({ text: v.slice(eq + 1), via: 'alias' });
      }
      return out;
    case 'trap': {
      const v = literal(words[1], 'the trap handler');
      if (v !== undefined) out.code.push({ text: v, via: 'trap' });
      return out;
    }
    case 'busybox':
    case 'toybox':
    case 'builtin':
    case 'coproc':
    case 'run0':
      run(1, name);
      return out;
    case 'flock': {
      // flock [options] FILE COMMAND...
      let i = 1;
      while (i < argv.length && argv[i]!.startsWith('-')) i += ['-w', '--wait', '--timeout', '-E', '--conflict-exit-code'].includes(argv[i]!) ? 2 : 1;
      if (argv[i + 1] === '-c' || argv[i + 1] === '--command') {
        const code = literal(words[i + 2], 'flock -c');
        if (code !== undefined) out.code.push({ text: code, via: 'flock -c' });
      } else run(i + 1, 'flock');
      return out;
    }
    case 'script': {
      const c = argv.findIndex((a, i) => i > 0 && (/^-[a-zA-Z]*c$/.test(a) || a === '--command'));
      if (c > 0) {
        const code = literal(words[c + 1], 'script -c');
        if (code !== undefined) out.code.push({ text: code, via: 'script -c' });
      }
      return out;
    }
    case 'parallel': {
      const sep = argv.findIndex((a) => a === ':::' || a === '::::');
      const start = commandStart(argv, 1, PARALLEL_OPTIONS)!;
      const command = words.slice(start, sep > 0 ? sep : undefined);
      // GNU parallel runs its command through a shell: one quoted word (`'rm -rf {}'`) is a command line.
      const line = command.length === 1 && /\s/.test(command[0]!.deny) ? literal(command[0], 'the command given to parallel') : undefined;
      if (line !== undefined) out.code.push({ text: line, via: 'parallel' });
      else if (command.length !== 1 || !/\s/.test(command[0]!.deny)) out.argv.push({ words: command, at: start, via: 'parallel', assignments: [] });
      return out;
    }
    case 'corepack':
      run(1, 'corepack');
      return out;
    case 'yarn':
      if (argv[1] === 'exec' || argv[1] === 'dlx') run(2, `yarn ${argv[1]}`);
      return out;
    case 'bunx':
      npmExec('npx', words, argv, out, literal);
      return out;
    case 'env': {
      let i = 1;
      const assignments: SimpleCommand['assignments'] = [];
      for (; i < argv.length; i++) {
        const a = argv[i]!;
        if (a === '--') {
          i++;
          break;
        }
        if (a === '-S' || /^-S./.test(a) || a === '--split-string' || a.startsWith('--split-string=')) {
          const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : /^-S./.test(a) ? a.slice(2) : literal(words[++i], 'env -S');
          if (v !== undefined) out.code.push({ text: v, via: 'env -S' });
          return out;
        }
        if (takesNextWord(ENV_OPTIONS, a)) {
          i++;
          continue;
        }
        if (a.startsWith('-')) continue;
        if (a.indexOf('=') > 0) {
          assignments.push(assignmentOf(words[i]!, a));
          continue;
        }
        break;
      }
      run(i, 'env', assignments);
      return out;
    }
    case 'find':
      for (let i = 1; i < argv.length; i++) {
        if (/^-(exec|execdir|ok|okdir)$/.test(argv[i]!)) {
          let end = i + 1;
          while (end < argv.length && argv[end] !== ';' && argv[end] !== '+') end++;
          out.argv.push({ words: words.slice(i + 1, end), at: i + 1, via: `find ${argv[i]}`, assignments: [] });
          i = end;
        }
      }
      return out;
    case 'npx':
    case 'npm':
    case 'pnpm':
      npmExec(name, words, argv, out, literal);
      return out;
    case 'git':
      gitCode(words, argv, out, literal);
      return out;
    case 'tar':
      for (let i = 1; i < argv.length; i++) {
        const a = argv[i]!;
        const [opt, ...rest] = a.split('=');
        const value = rest.length ? rest.join('=') : undefined;
        // GNU tar takes unambiguous prefixes of long options (--checkpoint-a).
        const long = opt!.startsWith('--') && opt!.length >= 6 ? ['--checkpoint-action', '--to-command', '--use-compress-program', '--info-script', '--new-volume-script'].find((o) => o.startsWith(opt!)) : undefined;
        if (long || a === '-I' || a === '-F') {
          let v = value ?? argv[++i];
          if (v === undefined) continue;
          if (long === '--checkpoint-action') {
            if (!/^exec=/.test(v)) continue;
            v = v.slice(5);
          }
          out.code.push({ text: v, via: `tar ${long ?? a}` });
        }
      }
      return out;
    case 'man':
      for (let i = 1; i < argv.length; i++) {
        const a = argv[i]!;
        // man-db takes prefixes of long options: --pag is --pager.
        const long = longOption(a, ['pager', 'path', 'preprocessor', 'prompt']);
        if ((a === '-P' || (long?.name === 'pager' && long.value === undefined)) && argv[i + 1] !== undefined) out.code.push({ text: argv[++i]!, via: `man ${a}` });
        else if (/^-P./.test(a)) out.code.push({ text: a.slice(2), via: 'man -P' });
        else if (long?.name === 'pager' && long.value !== undefined) out.code.push({ text: long.value, via: 'man --pager' });
      }
      return out;
    case 'sed': {
      const sed = sedCommandLine(cmd, 'linux');
      // A script read from a file may hold `e` (run a command) or `w` (write a file) the gate cannot see.
      for (const file of sed.scriptFiles) out.findings.push({ verdict: 'ask', rule: 'C4', message: `sed -f ${file} runs a script from a file, which the gate cannot inspect`, command: cmd.text });
      // GNU sed's `e COMMAND` runs COMMAND (to the end of its line) through the shell: it is code (C6 asks for it too).
      for (const script of sed.scripts) for (const m of script.matchAll(SED_E_COMMAND)) out.code.push({ text: m[1]!, via: 'sed e' });
      return out;
    }
    case 'rg':
      for (let i = 1; i < argv.length; i++) {
        if (argv[i] === '--pre' && argv[i + 1] !== undefined) out.code.push({ text: argv[++i]!, via: 'rg --pre' });
        else if (argv[i]!.startsWith('--pre=')) out.code.push({ text: argv[i]!.slice(6), via: 'rg --pre' });
      }
      return out;
    default:
      return out;
  }
}

function npmExec(name: string, words: Word[], argv: string[], out: InnerCode, literal: (w: Word | undefined, what: string) => string | undefined, shift = 0): void {
  let i = 1;
  if (name !== 'npx') {
    // `npm exec …` / `npm x …` / `pnpm exec|dlx …`, after global options (and their values: `-w pkg`).
    while (i < argv.length && argv[i]!.startsWith('-')) i += NPM_OPTIONS_WITH_VALUE.has(argv[i]!) ? 2 : 1;
    // `npm explore PKG -- cmd` runs cmd in the package's folder.
    if (argv[i] === 'explore') {
      const dash = argv.indexOf('--', i);
      if (dash > 0) out.argv.push({ words: words.slice(dash + 1), at: dash + 1, via: `${name} explore`, assignments: [] });
      return;
    }
    if (!['exec', 'x', 'dlx'].includes(argv[i] ?? '')) return;
    i++;
  }
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      i++;
      break;
    }
    if (a === '-c' || a === '--call') {
      const code = literal(words[i + 1], `${name} ${a}`);
      if (code !== undefined) out.code.push({ text: code, via: `${name} ${a}` });
      return;
    }
    if (a.startsWith('--call=')) {
      out.code.push({ text: a.slice(7), via: `${name} --call` });
      return;
    }
    if (a === '-p' || a === '--package') {
      i++;
      continue;
    }
    if (!a.startsWith('-')) break;
  }
  if (i >= words.length) return;
  // The package's command: `npx prisma@5 migrate` runs `prisma migrate`.
  const first = words[i]!;
  const bin = first.deny.replace(/^(@[^/]+\/)?([^@]+)(@.*)?$/, '$2');
  out.argv.push({ words: [{ ...first, value: first.value === null ? null : bin, deny: bin }, ...words.slice(i + 1)], at: i + shift, via: name === 'npx' ? (shift ? 'bun x' : 'npx') : `${name} exec`, assignments: [] });
}

function gitCode(words: Word[], argv: string[], out: InnerCode, literal: (w: Word | undefined, what: string) => string | undefined): void {
  const fromValue = (setting: string) => {
    const eq = setting.indexOf('=');
    if (eq < 0) return;
    const key = setting.slice(0, eq);
    let value = setting.slice(eq + 1);
    if (!GIT_CODE_KEYS.test(key)) return;
    if (/^alias\./i.test(key)) {
      // `alias.p='push --force'` is git's own subcommand line; `alias.x='!cmd'` a shell command.
      if (!value.startsWith('!')) value = `git ${value}`;
      else value = value.slice(1);
    }
    out.code.push({ text: value, via: `git -c ${key}` });
  };
  const line = gitCommandLine(argv);
  for (const g of line.globals) if (g.name === '-c' && g.valueIndex !== undefined && literal(words[g.valueIndex], 'git -c') !== undefined) fromValue(g.value!);
  if (!line.sub) return;
  const { name: a, index: i } = line.sub;
  if (a === 'config') {
    const rest: string[] = [];
    for (let j = i + 1; j < argv.length; j++) {
      if (['-f', '--file', '--blob', '--type', '--default', '--comment'].includes(argv[j]!)) j++;
      else if (!argv[j]!.startsWith('-')) rest.push(argv[j]!);
    }
    if (['set', 'add'].includes(rest[0] ?? '')) rest.shift();
    if (rest.length >= 2) fromValue(`${rest[0]}=${rest[1]}`);
    return;
  } else if (a === 'rebase') {
    for (let j = i + 1; j < argv.length; j++) {
      if ((argv[j] === '-x' || argv[j] === '--exec') && argv[j + 1] !== undefined) out.code.push({ text: argv[++j]!, via: 'git rebase --exec' });
      else if (argv[j]!.startsWith('--exec=')) out.code.push({ text: argv[j]!.slice(7), via: 'git rebase --exec' });
    }
    return;
  } else if (a === 'submodule' && argv.includes('foreach')) {
    // `git submodule foreach [--recursive] <command>`: the rest is a shell command line.
    let j = argv.indexOf('foreach') + 1;
    while (argv[j]?.startsWith('-')) j++;
    const parts = words.slice(j).map((w) => literal(w, 'git submodule foreach'));
    if (parts.length > 0 && parts.every((p) => p !== undefined)) out.code.push({ text: parts.join(' '), via: 'git submodule foreach' });
    return;
  } else if (a === 'filter-branch') {
    for (let j = i + 1; j < argv.length; j++) {
      if (/^--(env|tree|index|parent|msg|commit|tag-name)-filter$/.test(argv[j]!) && argv[j + 1] !== undefined) {
        const code = literal(words[j + 1], `git ${argv[j]}`);
        if (code !== undefined) out.code.push({ text: code, via: `git ${argv[j]}` });
        j++;
      }
    }
    return;
  } else if (a === 'difftool') {
    // `git difftool -x CMD` runs CMD on each pair of files.
    for (let j = i + 1; j < argv.length; j++) {
      const v = argv[j] === '-x' || argv[j] === '--extcmd' ? argv[++j] : argv[j]!.startsWith('--extcmd=') ? argv[j]!.slice(9) : undefined;
      if (v !== undefined) out.code.push({ text: v, via: 'git difftool --extcmd' });
    }
    return;
  } else if (a === 'bisect' && argv[i + 1] === 'run') {
    out.argv.push({ words: words.slice(i + 2), at: i + 2, via: 'git bisect run', assignments: [] });
    return;
  } else if (a === 'grep') {
    gitGrepPager(argv.slice(i + 1), out);
    return;
  }
}

/** git grep's long options that begin like --open-files-in-pager, so its prefixes can be told apart (`--op`). */
const GIT_GREP_O_OPTIONS = ['open-files-in-pager', 'only-matching', 'or'];

/**
 * `git grep -O<cmd>` runs cmd on the matching files; a bare `-O` (or `--open-files-in-pager`, or a prefix of it)
 * runs the configured pager, which is no literal the gate can check (RULES.md C4).
 */
function gitGrepPager(args: string[], out: InnerCode): void {
  for (let j = 0; j < args.length; j++) {
    const o = args[j]!;
    if (o === '--') return;
    if (['-e', '-f', '-A', '-B', '-C', '-m', '--max-depth', '--threads', '--max-count'].includes(o)) {
      j++;
      continue;
    }
    let pager: string | undefined;
    const long = longOption(o, GIT_GREP_O_OPTIONS);
    if (long?.name === 'open-files-in-pager') pager = long.value ?? '';
    else if (/^-[^-efABCm]*O/.test(o) && !/^-[^O]*[efABCm]/.test(o)) pager = o.slice(o.indexOf('O') + 1);
    if (pager === undefined) continue;
    if (pager !== '') out.code.push({ text: pager, via: 'git grep -O' });
    else out.findings.push({ verdict: 'ask', rule: 'C4', message: `git grep ${o} opens the matching files in the configured pager (core.pager or $PAGER), a program the gate cannot see` });
  }
}

/** gdb's command-line debugger commands (`-ex`, `-x`) can start any program (`shell`, `!`, `python`); `--args` runs one. */
function debuggerCode(cmd: SimpleCommand, argv: string[], out: InnerCode, run: (from: number, via: string) => void): void {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--args') {
      run(i + 1, 'gdb --args');
      return;
    }
    if (/^--?(ex|iex|x|ix|eval-command|init-eval-command|command|init-command)(=|$)/.test(a)) {
      out.findings.push({ verdict: 'ask', rule: 'C4', message: `gdb ${a.split('=')[0]} runs debugger commands, which can start any program (shell, !, python): the gate cannot check them`, command: cmd.text });
      if (!a.includes('=')) i++;
    }
  }
}

/** A `NAME=value` word given to a wrapper (`env`, `cross-env`) as the assignment a shell would make of it. */
function assignmentOf(word: Word, deny: string): SimpleCommand['assignments'][number] {
  const eq = deny.indexOf('=');
  return { name: deny.slice(0, eq), value: { ...word, value: word.value?.slice(eq + 1) ?? null, deny: deny.slice(eq + 1) } };
}

/** A value as one single-quoted shell word, for a command line put together from a wrapper's words. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
