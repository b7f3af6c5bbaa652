import { commandName, denyArgv } from './argv.js';
import type { SimpleCommand } from './commandAnalysis.js';
import type { PolicyContext } from '../types.js';
import { gitSubcommand } from './forbidden.js';
import { parseSed, sedBackup, type SedPart } from './sedOptions.js';
import type { Word } from './words.js';

/** A file a command writes (RULES.md C7): its path, or null when the path is only known at run time. */
export interface CommandWrite {
  path: string | null;
  /**
   * For a path only known at run time (a glob, `$HOME`, `~`), where it lands as far as the deny side can tell:
   * a write there outside the workspace is denied whatever the rest turns out to be.
   */
  denyPath?: string;
  how: string;
  /** A deletion (rm, a moved-away source) goes through the file rules as a delete. */
  kind?: 'write' | 'delete';
  /** The write makes a link there (`ln`, `mklink`, `New-Item -ItemType SymbolicLink`): later writes through it go who knows where. */
  link?: boolean;
}

const NOT_FILES = /^\/dev\/(null|stdout|stderr|stdin|fd\/\d+|tty)$/;

export function commandWrites(cmd: SimpleCommand, caseInsensitive: boolean, home: string, os: PolicyContext['os'] = 'linux'): CommandWrite[] {
  const out: CommandWrite[] = [];
  const add = (w: Word | SedPart | string | undefined, how: string, kind: 'write' | 'delete' = 'write') => {
    if (w === undefined) return;
    if (typeof w === 'string') {
      if (!NOT_FILES.test(w) && w !== '') out.push({ path: w, how, kind });
      return;
    }
    const [text, dynamic] = 'deny' in w ? [w.deny, w.value === null] : [w.text, w.dynamic];
    if (NOT_FILES.test(text) || (text === '' && !dynamic)) return;
    // A glob names whatever matches when it runs (RULES.md C7: a dynamic target).
    if (dynamic || w.glob) out.push({ path: null, denyPath: w.guessed ? undefined : text, how, kind });
    else out.push({ path: text, how, kind });
  };
  /** `-o FILE`, `-oFILE`, `-so FILE` (bundled), `--output=FILE`, `--output FILE`. */
  const optionValue = (short: string | undefined, long: string | undefined, how: string) => {
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i]!;
      if (long && (a === long || a === `${long}=`)) add(words[i + 1], how);
      else if (long && a.startsWith(`${long}=`)) add(a.slice(long.length + 1), how);
      else if (short && new RegExp(`^-[a-zA-Z]*${short}$`).test(a)) add(words[i + 1], how);
      else if (short && a.startsWith(`-${short}`) && a.length > 2 && !a.startsWith('--')) add(a.slice(2), how);
    }
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
  const lower = name.toLowerCase();
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
      const before = out.length;
      const t = argv.findIndex((a) => a === '-t' || /^-t./.test(a) || a.startsWith('--target-directory') || a.startsWith('--target'));
      const ops = operands();
      if (t > 0) {
        const a = argv[t]!;
        add(a.includes('=') ? a.slice(a.indexOf('=') + 1) : a === '-t' || a === '--target-directory' ? words[t + 1] : a.slice(2), `${name} -t`);
      } else if (name === 'ln' && ops.length === 1) {
        // `ln -s ../x/config.json` makes ./config.json.
        add(ops[0]!.text.split('/').filter(Boolean).at(-1), name);
      } else if (ops.length >= 2) {
        const dest = ops.at(-1)!.text;
        // Into a folder: the file lands as folder/name.
        if (dest === '.' || dest.endsWith('/')) for (const src of ops.slice(0, -1)) add(`${dest === '.' ? '' : dest}${src.text.split('/').filter(Boolean).at(-1)}`, name);
        else add(ops.at(-1)!.word ?? dest, name);
      }
      if (name === 'ln') for (const w of out.slice(before)) w.link = true;
      // Moving a file away deletes it where it was.
      if (name === 'mv') for (const src of ops.slice(0, -1)) add(src.word ?? src.text, 'mv (source)', 'delete');
      break;
    }
    case 'rm':
    case 'unlink':
    case 'shred':
    case 'truncate':
      for (const o of operands()) add(o.word ?? o.text, name, 'delete');
      break;
    case 'sort':
      optionValue('o', '--output', 'sort -o');
      break;
    case 'sed': {
      const { inPlace, files, scripts } = parseSed(argv, words, os);
      if (inPlace) {
        for (const f of files) {
          add(f, 'sed -i');
          add(sedBackup(f, inPlace), `sed -i${inPlace.text} (its backup)`);
        }
      }
      for (const s of scripts) for (const m of s.matchAll(/(?:^|[;\n}])\s*(?:[\d$,~/!]*\s*)?[wW]\s+([^;\n]+)|s(.)(?:(?!\2).)*\2(?:(?!\2).)*\2[gpiImM0-9]*w\s+([^;\n]+)/g)) add((m[1] ?? m[3])!.trim(), 'sed w');
      break;
    }
    case 'find':
      for (let i = 1; i < argv.length; i++) if (/^-fprint(0|f)?$/.test(argv[i]!) || argv[i] === '-fls') add(words[i + 1], `find ${argv[i]}`);
      break;
    case 'curl':
      optionValue('o', '--output', 'curl -o');
      break;
    case 'wget':
      optionValue('O', '--output-document', 'wget -O');
      break;
    case 'tar':
      optionValue('C', '--directory', 'tar -C');
      break;
    case 'npm':
    case 'pnpm':
      for (let i = 1; i < argv.length; i++) {
        if (argv[i] === '--prefix') add(words[i + 1], 'npm --prefix');
        else if (argv[i]!.startsWith('--prefix=')) add(argv[i]!.slice(9), 'npm --prefix');
      }
      break;
    case 'git': {
      optionValue(undefined, '--output', 'git --output');
      if (argv.includes('archive')) optionValue('o', undefined, 'git archive -o');
      const sub = gitSubcommand(argv, caseInsensitive);
      if (sub?.name === 'config' && argv.includes('--global')) add(`${home}/.gitconfig`, 'git config --global');
      if (sub?.name === 'config' && argv.includes('--system')) add('/etc/gitconfig', 'git config --system');
      break;
    }
    default:
      // PowerShell: Set-Content/Add-Content/Out-File -Path/-FilePath or the first operand.
      if (/^(set-content|add-content|out-file|sc|ac|tee-object|new-item|ni)$/.test(lower)) {
        const p = argv.findIndex((a, i) => i > 0 && (psParameter(a, 'path') || psParameter(a, 'filepath') || psParameter(a, 'literalpath')));
        add(p > 0 ? words[p + 1] : psOperands(argv, words)[0], name);
        const type = argv.findIndex((a, i) => i > 0 && psParameter(a, 'itemtype'));
        if (type > 0 && /^(symboliclink|junction|hardlink)$/i.test(argv[type + 1] ?? '')) for (const w of out) w.link = true;
      } else if (lower === 'mklink') {
        // mklink [/D | /H | /J] Link Target
        const link = argv.findIndex((a, i) => i > 0 && !a.startsWith('/'));
        if (link > 0) add(words[link], 'mklink');
        for (const w of out) w.link = true;
      } else if (/^(copy-item|move-item|copy|cpi|move|mi)$/.test(lower)) {
        const d = argv.findIndex((a, i) => i > 0 && psParameter(a, 'destination'));
        const ops = psOperands(argv, words);
        add(d > 0 ? words[d + 1] : ops[1], name);
        if (/^(move-item|move|mi)$/.test(lower)) add(ops[0], `${name} (source)`, 'delete');
      }
  }
  return out;
}

/** A PowerShell parameter, which may be abbreviated to any unambiguous prefix (`-Dest`), in any case. */
function psParameter(word: string, name: string): boolean {
  const given = word.startsWith('-') ? word.slice(1).replace(/:.*$/, '').toLowerCase() : '';
  return given.length >= 2 && name.startsWith(given);
}

/** Positional arguments of a cmdlet: words that are not `-Name` parameters or the value after one. */
function psOperands(argv: string[], words: Word[]): Word[] {
  const out: Word[] = [];
  for (let i = 1; i < argv.length; i++) {
    if (/^-[A-Za-z]/.test(argv[i]!)) {
      // Switches (-Force, -Recurse) take no value; the other parameters of these cmdlets do.
      if (!/^-(force|recurse|passthru|whatif|confirm|append|nonewline|container)$/i.test(argv[i]!)) i++;
      continue;
    }
    if (words[i]) out.push(words[i]!);
  }
  return out;
}
