import { commandName, denyArgv } from './argv.js';
import type { SimpleCommand } from './commandAnalysis.js';
import { gitSubcommand } from './forbidden.js';
import type { Word } from './words.js';

/** A file a command writes (RULES.md C7): its path, or null when the path is only known at run time. */
export interface CommandWrite {
  path: string | null;
  how: string;
}

const NOT_FILES = /^\/dev\/(null|stdout|stderr|stdin|fd\/\d+|tty)$/;

export function commandWrites(cmd: SimpleCommand, caseInsensitive: boolean, home: string): CommandWrite[] {
  const out: CommandWrite[] = [];
  const add = (w: Word | string | undefined, how: string) => {
    if (w === undefined) return;
    const path = typeof w === 'string' ? w : w.value;
    if (path !== null && (NOT_FILES.test(path) || path === '')) return;
    out.push({ path, how });
  };
  for (const r of cmd.redirects) {
    if (!/>/.test(r.op) || !r.target) continue;
    // `2>&1`, `>&-`: descriptor duplication, not a file.
    if ((r.op === '>&' || r.op === '<&') && /^(\d+|-)$/.test(r.target.deny)) continue;
    add(r.target, `the redirect ${r.fd ?? ''}${r.op}`);
  }
  const argv = denyArgv(cmd);
  if (argv.length === 0) return out;
  const name = commandName(argv[0]!, caseInsensitive);
  const words = cmd.argv;
  const operands = (from = 1) => {
    const list: Array<{ word: Word | undefined; text: string }> = [];
    let options = true;
    for (let i = from; i < argv.length; i++) {
      if (options && argv[i] === '--') {
        options = false;
        continue;
      }
      if (options && argv[i]!.startsWith('-') && argv[i] !== '-') continue;
      list.push({ word: words[i], text: argv[i]! });
    }
    return list;
  };
  switch (name) {
    case 'tee':
      for (const o of operands()) add(o.word ?? o.text, 'tee');
      break;
    case 'touch':
      for (const o of operands()) add(o.word ?? o.text, 'touch');
      break;
    case 'cp':
    case 'mv':
    case 'ln':
    case 'install':
    case 'rsync': {
      const t = argv.findIndex((a) => a === '-t' || a.startsWith('--target-directory'));
      if (t > 0) add(argv[t]!.includes('=') ? argv[t]!.slice(argv[t]!.indexOf('=') + 1) : words[t + 1], `${name} -t`);
      else {
        const ops = operands();
        if (ops.length >= 2 || (name === 'ln' && ops.length === 1)) add(ops.at(-1)!.word ?? ops.at(-1)!.text, name);
      }
      break;
    }
    case 'sed': {
      const inPlace = argv.some((a) => /^-[a-zA-Z]*i/.test(a) || a.startsWith('--in-place'));
      const scripts: string[] = [];
      const files: Array<Word | string> = [];
      let explicit = false;
      for (let i = 1; i < argv.length; i++) {
        const a = argv[i]!;
        if (a === '-e' || a === '--expression' || a === '-f' || a === '--file') {
          explicit = true;
          scripts.push(argv[++i] ?? '');
        } else if (a.startsWith('-')) continue;
        else if (!explicit && scripts.length === 0) scripts.push(a);
        else files.push(words[i] ?? a);
      }
      if (inPlace) for (const f of files) add(f, 'sed -i');
      for (const s of scripts) for (const m of s.matchAll(/(?:^|[;\n}])\s*(?:[\d$,/]*\s*)?w\s+([^;\n]+)|s(.)(?:(?!\2).)*\2(?:(?!\2).)*\2[gpiImM0-9]*w\s+([^;\n]+)/g)) add((m[1] ?? m[3])!.trim(), 'sed w');
      break;
    }
    case 'find':
      for (let i = 1; i < argv.length; i++) if (/^-fprint(0|f)?$/.test(argv[i]!) || argv[i] === '-fls') add(words[i + 1], `find ${argv[i]}`);
      break;
    case 'curl':
      for (let i = 1; i < argv.length; i++) {
        if (argv[i] === '-o' || argv[i] === '--output') add(words[i + 1], 'curl -o');
        else if (argv[i]!.startsWith('--output=')) add(argv[i]!.slice(9), 'curl --output');
      }
      break;
    case 'wget':
      for (let i = 1; i < argv.length; i++) if (argv[i] === '-O' || argv[i] === '--output-document') add(words[i + 1], 'wget -O');
      break;
    case 'tar':
      for (let i = 1; i < argv.length; i++) {
        if (argv[i] === '-C' || argv[i] === '--directory') add(words[i + 1], 'tar -C');
        else if (argv[i]!.startsWith('--directory=')) add(argv[i]!.slice(12), 'tar --directory');
      }
      break;
    case 'npm':
    case 'pnpm':
      for (let i = 1; i < argv.length; i++) {
        if (argv[i] === '--prefix') add(words[i + 1], 'npm --prefix');
        else if (argv[i]!.startsWith('--prefix=')) add(argv[i]!.slice(9), 'npm --prefix');
      }
      break;
    case 'git': {
      for (const a of argv) if (a.startsWith('--output=')) add(a.slice(9), 'git --output');
      const i = argv.indexOf('--output');
      if (i > 0) add(words[i + 1], 'git --output');
      const sub = gitSubcommand(argv, caseInsensitive);
      if (sub?.name === 'config' && argv.includes('--global')) add(`${home}/.gitconfig`, 'git config --global');
      if (sub?.name === 'config' && argv.includes('--system')) add('/etc/gitconfig', 'git config --system');
      break;
    }
    default:
  }
  return out;
}
