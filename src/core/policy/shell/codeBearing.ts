import type { Finding } from '../types.js';
import { commandName, denyArgv, SHELLS } from './argv.js';
import type { SimpleCommand } from './commandAnalysis.js';
import type { Word } from './words.js';

/** What a code-bearing command runs (RULES.md C4). */
export interface InnerCode {
  /** Another command line held as text: `sh -c '…'`, `eval …`, `git -c alias.x='!…'`, a heredoc fed to a shell. */
  code: Array<{ text: string; via: string }>;
  /** A command run by a wrapper with its own words: `timeout 5 git push -f`, `xargs rm`, `find -exec rm {} +`. */
  argv: Array<{ words: Word[]; via: string; assignments: SimpleCommand['assignments'] }>;
  /** Code that is not a literal (an expansion or substitution): it can never be allowed. */
  findings: Finding[];
}

const GIT_CODE_KEYS = /^(core\.pager|core\.fsmonitor|core\.sshcommand|core\.editor|core\.hookspath|sequence\.editor|diff\.external|pager\..+|alias\..+)$/i;

/** Options of wrappers that take a value, so the value is not taken for the wrapped command. */
const WRAPPER_OPTIONS_WITH_VALUE: Record<string, Set<string>> = {
  env: new Set(['-u', '--unset', '-C', '--chdir', '-S', '--split-string']),
  nice: new Set(['-n', '--adjustment']),
  timeout: new Set(['-s', '--signal', '-k', '--kill-after']),
  stdbuf: new Set(['-i', '-o', '-e', '--input', '--output', '--error']),
  ionice: new Set(['-c', '-n', '-p', '-P', '-u', '--class', '--classdata', '--pid', '--pgid', '--uid']),
  watch: new Set(['-n', '--interval', '-d', '-q']),
  sudo: new Set(['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U', '-T', '--user', '--group', '--host', '--prompt', '--chdir', '--role', '--type', '--other-user', '--command-timeout']),
  doas: new Set(['-u', '-C']),
  xargs: new Set(['-I', '-n', '-L', '-P', '-d', '-E', '-e', '-s', '-a', '--max-args', '--max-lines', '--max-procs', '--delimiter', '--eof', '--max-chars', '--arg-file', '--replace']),
  setsid: new Set([]),
  nohup: new Set([]),
  time: new Set(['-f', '-o', '--format', '--output']),
  command: new Set([]),
  exec: new Set(['-a']),
};

export function innerCode(cmd: SimpleCommand, caseInsensitive: boolean): InnerCode {
  const out: InnerCode = { code: [], argv: [], findings: [] };
  if (cmd.kind !== 'command' && cmd.kind !== 'declaration') return out;
  const words = cmd.argv;
  const argv = denyArgv(cmd);
  if (argv.length === 0) return out;
  const name = commandName(argv[0]!, caseInsensitive);
  const literal = (w: Word | undefined, what: string): string | undefined => {
    if (!w) return undefined;
    if (w.value === null) {
      out.findings.push({ verdict: 'ask', rule: 'C4', message: `${what} is not a literal (it has ${w.expansions[0] ?? 'a substitution'}), so what it runs cannot be checked`, command: cmd.text });
      return undefined;
    }
    return w.value;
  };
  const run = (from: number, via: string, assignments: SimpleCommand['assignments'] = []) => {
    if (from < words.length) out.argv.push({ words: words.slice(from), via, assignments });
  };

  if (SHELLS.has(name)) {
    const c = argv.findIndex((a, i) => i > 0 && /^-[a-zA-Z]*c[a-zA-Z]*$/.test(a));
    if (c > 0) {
      const code = literal(words[c + 1], `the code given to ${name} -c`);
      if (code !== undefined) out.code.push({ text: code, via: `${name} -c` });
    } else if (cmd.heredocText !== undefined && !argv.slice(1).some((a) => !a.startsWith('-'))) {
      out.code.push({ text: cmd.heredocText, via: `${name} <<heredoc` });
    }
    return out;
  }
  switch (name) {
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
      run(1, 'busybox');
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
        if (a === '-S' || a === '--split-string' || a.startsWith('--split-string=')) {
          const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : literal(words[++i], 'env -S');
          if (v !== undefined) out.code.push({ text: v, via: 'env -S' });
          return out;
        }
        if (WRAPPER_OPTIONS_WITH_VALUE.env!.has(a)) {
          i++;
          continue;
        }
        if (a.startsWith('-')) continue;
        const eq = a.indexOf('=');
        if (eq > 0) {
          assignments.push({ name: a.slice(0, eq), value: { ...words[i]!, value: words[i]!.value?.slice(eq + 1) ?? null, deny: a.slice(eq + 1) } });
          continue;
        }
        break;
      }
      run(i, 'env', assignments);
      return out;
    }
    case 'timeout': {
      const i = skipOptions(argv, 1, WRAPPER_OPTIONS_WITH_VALUE.timeout!);
      run(i + 1, 'timeout');
      return out;
    }
    case 'nice':
    case 'nohup':
    case 'setsid':
    case 'stdbuf':
    case 'ionice':
    case 'time':
    case 'sudo':
    case 'doas':
    case 'command':
    case 'exec': {
      if (name === 'command' && argv.slice(1).some((a) => a === '-v' || a === '-V')) return out;
      run(skipOptions(argv, 1, WRAPPER_OPTIONS_WITH_VALUE[name]!), name);
      return out;
    }
    case 'watch': {
      const i = skipOptions(argv, 1, WRAPPER_OPTIONS_WITH_VALUE.watch!);
      const parts = words.slice(i).map((w) => literal(w, 'the command given to watch'));
      if (parts.length > 0 && parts.every((p) => p !== undefined)) out.code.push({ text: parts.join(' '), via: 'watch' });
      return out;
    }
    case 'xargs': {
      const i = skipOptions(argv, 1, WRAPPER_OPTIONS_WITH_VALUE.xargs!);
      run(i, 'xargs');
      return out;
    }
    case 'find':
      for (let i = 1; i < argv.length; i++) {
        if (/^-(exec|execdir|ok|okdir)$/.test(argv[i]!)) {
          let end = i + 1;
          while (end < argv.length && argv[end] !== ';' && argv[end] !== '+') end++;
          out.argv.push({ words: words.slice(i + 1, end), via: `find ${argv[i]}`, assignments: [] });
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
        const m = /^--checkpoint-action=exec=(.*)$/s.exec(a) ?? /^--to-command=(.*)$/s.exec(a) ?? /^--use-compress-program=(.*)$/s.exec(a) ?? /^--info-script=(.*)$/s.exec(a) ?? /^--new-volume-script=(.*)$/s.exec(a);
        if (m) out.code.push({ text: m[1]!, via: `tar ${a.slice(0, a.indexOf('='))}` });
        else if ((a === '--to-command' || a === '-I' || a === '--use-compress-program' || a === '-F' || a === '--info-script') && argv[i + 1] !== undefined) out.code.push({ text: argv[++i]!, via: `tar ${a}` });
      }
      return out;
    case 'man':
      for (let i = 1; i < argv.length; i++) {
        if (argv[i] === '-P' && argv[i + 1] !== undefined) out.code.push({ text: argv[++i]!, via: 'man -P' });
        else if (argv[i]!.startsWith('--pager=')) out.code.push({ text: argv[i]!.slice(8), via: 'man --pager' });
      }
      return out;
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

/** The first word after the options (and their values) of a wrapper. */
function skipOptions(argv: string[], from: number, withValue: Set<string>): number {
  let i = from;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return i + 1;
    if (!a.startsWith('-') || a === '-') break;
    if (withValue.has(a)) i++;
  }
  return i;
}

function npmExec(name: string, words: Word[], argv: string[], out: InnerCode, literal: (w: Word | undefined, what: string) => string | undefined): void {
  let i = 1;
  if (name !== 'npx') {
    // `npm exec …` / `npm x …` / `pnpm exec|dlx …`, after global options.
    while (i < argv.length && argv[i]!.startsWith('-')) i++;
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
  out.argv.push({ words: [{ ...first, value: first.value === null ? null : bin, deny: bin }, ...words.slice(i + 1)], via: name === 'npx' ? 'npx' : `${name} exec`, assignments: [] });
}

function gitCode(words: Word[], argv: string[], out: InnerCode, literal: (w: Word | undefined, what: string) => string | undefined): void {
  const fromValue = (setting: string) => {
    const eq = setting.indexOf('=');
    if (eq < 0) return;
    const key = setting.slice(0, eq);
    let value = setting.slice(eq + 1);
    if (!GIT_CODE_KEYS.test(key)) return;
    if (/^alias\./i.test(key)) {
      if (!value.startsWith('!')) return;
      value = value.slice(1);
    }
    out.code.push({ text: value, via: `git -c ${key}` });
  };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-c' && argv[i + 1] !== undefined) {
      if (literal(words[i + 1], 'git -c') !== undefined) fromValue(argv[i + 1]!);
      i++;
    } else if (a === 'config') {
      const rest = argv.slice(i + 1).filter((x) => !x.startsWith('-'));
      if (rest.length >= 2) fromValue(`${rest[0]}=${rest[1]}`);
      return;
    } else if (a === 'grep') {
      for (const o of argv.slice(i + 1)) {
        const m = /^(?:-O|--open-files-in-pager=)(.+)$/.exec(o);
        if (m) out.code.push({ text: m[1]!, via: 'git grep -O' });
      }
      return;
    } else if (!a.startsWith('-')) return;
    else if (['-C', '--git-dir', '--work-tree', '--namespace', '--exec-path', '--config-env'].includes(a)) i++;
  }
}
