import { archiveUse } from './archives.js';
import { commandName, denyArgv, denyWords } from './argv.js';
import { expandBraces } from './braces.js';
import type { SimpleCommand } from './commandAnalysis.js';
import type { PolicyContext } from '../types.js';
import { gitSubcommand } from './gitOptions.js';
import { longOption } from './longOptions.js';
import { POWERSHELL_WRITERS, powerShellWrites, psParameter } from './powershellWrites.js';
import { sedBackup, sedCommandLine } from './sedOptions.js';
import { fromWord, intoFolder, literalTarget, optionTargets, sliceTarget, type OptionSpec, type Target } from './writeTarget.js';

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
  /** Why the target is only known when it runs, when that is not a glob or variable (`tar -x`: the members name it). */
  unknownBecause?: string;
  /** The write makes a link there (`ln`, `mklink`, `New-Item -ItemType SymbolicLink`): later writes through it go who knows where. */
  link?: boolean;
}

const NOT_FILES = /^\/dev\/(null|stdout|stderr|stdin|fd\/\d+|tty)$/;

/** Commands that write files named in their words (the redirects of any command are writes too). */
const WRITERS = new Set(['tee', 'tree', 'touch', 'zip', 'openssl', 'python', 'python3', 'gcc', 'g++', 'cc', 'c++', 'clang', 'clang++', 'rustc', 'go', 'tsc', 'esbuild', 'cargo', 'pip', 'pip3', 'cp', 'mv', 'ln', 'install', 'rsync', 'rm', 'unlink', 'shred', 'truncate', 'sort', 'uniq', 'dd', 'sed', 'find', 'curl', 'wget', 'npm', 'pnpm', 'git', 'tar', 'gtar', 'bsdtar', 'jar', 'unzip', '7z', '7za', '7zz', '7zr', 'cpio', ...POWERSHELL_WRITERS, 'mklink']);

/** cp, mv, ln, install: the options that take a value, so it is not read as a file operand. */
const COPY_VALUE_SHORTS = 'StTmog';
const COPY_LONG = ['target-directory', 'suffix', 'mode', 'owner', 'group', 'backup', 'no-target-directory', 'sparse', 'reflink', 'preserve', 'no-preserve', 'context', 'strip-program', 'symbolic-link', 'link'];

/** Writes named by an option's value (RULES.md C7), per tool: built once, read on every decision. */
const OPTION_WRITES: Record<string, Array<[OptionSpec, string]>> = {
  sort: [[{ short: 'o', long: ['output'], valueShorts: 'ktSTy' }, 'sort -o']],
  tree: [[{ short: 'o', valueShorts: 'LIPH' }, 'tree -o']],
  curl: [
    [{ short: 'o', long: ['output'], known: ['output', 'output-dir'] }, 'curl -o'],
    [{ long: ['output-dir'], known: ['output', 'output-dir'] }, 'curl --output-dir'],
    [{ short: 'D', long: ['dump-header'] }, 'curl -D'],
    [{ short: 'c', long: ['cookie-jar'] }, 'curl -c'],
  ],
  wget: [
    [{ short: 'O', long: ['output-document'], known: ['output-document', 'output-file'] }, 'wget -O'],
    [{ short: 'o', long: ['output-file'], known: ['output-document', 'output-file'] }, 'wget -o'],
    [{ short: 'a', long: ['append-output'] }, 'wget -a'],
    [{ short: 'P', long: ['directory-prefix'] }, 'wget -P'],
  ],
  // npm's -C and pnpm's -C/--dir say where it works too. An abbreviation (`--prefi=`) is C6's: it asks.
  npm: [[{ short: 'C', long: ['prefix', 'dir'], exact: true }, 'npm --prefix']],
  pnpm: [[{ short: 'C', long: ['prefix', 'dir'], exact: true }, 'pnpm --prefix']],
  // Build outputs named on the command line.
  gcc: [[{ short: 'o', noBundle: true }, 'gcc -o']],
  'g++': [[{ short: 'o', noBundle: true }, 'g++ -o']],
  cc: [[{ short: 'o', noBundle: true }, 'cc -o']],
  'c++': [[{ short: 'o', noBundle: true }, 'c++ -o']],
  clang: [[{ short: 'o', noBundle: true }, 'clang -o']],
  'clang++': [[{ short: 'o', noBundle: true }, 'clang++ -o']],
  rustc: [[{ short: 'o', long: ['out-dir'], noBundle: true }, 'rustc -o']],
  go: [[{ short: 'o', noBundle: true }, 'go build -o']],
  tsc: [[{ long: ['outDir', 'outFile', 'declarationDir'], exact: true }, 'tsc --outDir']],
  esbuild: [[{ long: ['outfile', 'outdir'], exact: true }, 'esbuild --outfile']],
  cargo: [[{ long: ['target-dir', 'root', 'artifact-dir'], exact: true }, 'cargo --target-dir']],
  pip: [[{ short: 't', long: ['target', 'prefix', 'root', 'dest', 'src'], exact: true }, 'pip --target']],
  pip3: [[{ short: 't', long: ['target', 'prefix', 'root', 'dest', 'src'], exact: true }, 'pip --target']],
  git: [[{ long: ['output', 'output-directory'], known: ['output', 'output-directory', 'output-indicator-new', 'output-indicator-old', 'output-indicator-context'] }, 'git --output']],
};
const GIT_O: OptionSpec = { short: 'o' };
const ZIP_OUT: OptionSpec = { short: 'O', long: ['out'], exact: true };
const GIT_CONFIG_FILE: OptionSpec = { short: 'f', long: ['file'] };
const COPY_T: OptionSpec = { short: 't', long: ['target-directory'], known: COPY_LONG, valueShorts: 'STmog' };
const COPY_VALUE_LONGS = ['target-directory', 'suffix', 'mode', 'owner', 'group', 'sparse', 'reflink', 'context', 'strip-program'];

export function commandWrites(cmd: SimpleCommand, caseInsensitive: boolean, home: string, os: PolicyContext['os'] = 'linux'): CommandWrite[] {
  const out: CommandWrite[] = [];
  const add = (t: Target | undefined, how: string, kind: 'write' | 'delete' = 'write') => {
    if (t === undefined) return;
    if (NOT_FILES.test(t.text) || (t.text === '' && !t.dynamic)) return;
    // A glob names whatever matches when it runs (RULES.md C7: a dynamic target).
    if (t.dynamic || t.glob) out.push({ path: null, denyPath: t.guessed ? undefined : t.text, how, kind });
    else out.push({ path: t.text, how, kind });
  };
  const fromOption = (spec: OptionSpec, how: string) => {
    for (const o of optionTargets(argv, targets, spec)) add(o.target, how);
  };
  for (const r of cmd.redirects) {
    if (!/>/.test(r.op) || !r.target) continue;
    // `2>&1`, `>&-`: descriptor duplication, not a file.
    if ((r.op === '>&' || r.op === '<&') && /^(\d+|-)$/.test(r.target.deny)) continue;
    // Bash brace-expands a redirect target too: `> {~/x,}` writes ~/x (two words would be an error, never a write).
    const expanded = r.target.quoted || !r.target.deny.includes('{') ? [r.target.deny] : expandBraces(r.target.deny);
    for (const text of expanded) if (text !== '' || expanded.length === 1) add(fromWord(r.target, text), `the redirect ${r.fd ?? ''}${r.op}`);
  }
  const argv = denyArgv(cmd);
  if (argv.length === 0) return out;
  const name = commandName(argv[0]!, caseInsensitive);
  const lower = name.toLowerCase();
  // Most commands write nothing themselves: only writers pay for the targets.
  if (!WRITERS.has(lower)) return out;
  const targets = denyWords(cmd).map((w) => fromWord(w));
  /** Operands: the words that are no option nor an option's value (the tool's value-taking options are given). */
  const operands = (valueShorts = '', valueLongs: string[] = [], knownLongs = valueLongs) => {
    const list: Target[] = [];
    let options = true;
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i]!;
      if (options && a === '--') {
        options = false;
        continue;
      }
      if (options && a.startsWith('--')) {
        const l = longOption(a, knownLongs);
        if (l && l.value === undefined && valueLongs.includes(l.name)) i++;
        continue;
      }
      if (options && a.startsWith('-') && a !== '-') {
        // The first letter that takes a value takes the rest of the bundle, or the next word when it ends it.
        const v = [...a.slice(1)].findIndex((c) => valueShorts.includes(c));
        if (v !== -1 && v === a.length - 2) i++;
        continue;
      }
      list.push(targets[i]!);
    }
    return list;
  };
  const archive = archiveUse(name, argv, targets);
  if (archive) {
    if (archive.extracts) out.push({ path: null, how: name, unknownBecause: archive.extracts });
    for (const w of archive.writes) add(w.target, w.how);
  }
  if (Object.hasOwn(OPTION_WRITES, name)) for (const [spec, how] of OPTION_WRITES[name]!) fromOption(spec, how);
  switch (name) {
    case 'tee':
      for (const o of operands('', ['output-error'])) add(o, 'tee');
      break;
    case 'touch':
      for (const o of operands('dtr', ['date', 'reference', 'time'])) add(o, 'touch');
      break;
    case 'cp':
    case 'mv':
    case 'ln':
    case 'install':
    case 'rsync': {
      const before = out.length;
      const t = optionTargets(argv, targets, COPY_T);
      const ops = operands(COPY_VALUE_SHORTS, COPY_VALUE_LONGS, COPY_LONG);
      if (t.length > 0) {
        for (const d of t) for (const src of ops) add(d.target && intoFolder(d.target, src), `${name} -t`);
      } else if (name === 'ln' && ops.length === 1) {
        // `ln -s ../x/config.json` makes ./config.json.
        add(intoFolder(literalTarget('.'), ops[0]!), name);
      } else if (ops.length >= 2) {
        const dest = ops.at(-1)!;
        // Into a folder: the file lands as folder/name.
        if (dest.text === '.' || /[/\\]$/.test(dest.text)) for (const src of ops.slice(0, -1)) add(intoFolder(dest, src), name);
        else add(dest, name);
      }
      // ln makes links; so do `cp -s` (symbolic) and `cp -l` (hard): a later write through one goes who knows where.
      const links = name === 'ln' || (name === 'cp' && argv.some((a) => /^-[a-zA-Z]*[sl]/.test(a) || ['symbolic-link', 'link'].includes(longOption(a, COPY_LONG)?.name ?? '')));
      if (links) for (const w of out.slice(before)) w.link = true;
      // Moving a file away deletes it where it was.
      if (name === 'mv') for (const src of ops.slice(0, -1)) add(src, 'mv (source)', 'delete');
      break;
    }
    case 'rm':
    case 'unlink':
    case 'shred':
    case 'truncate':
      for (const o of operands(name === 'truncate' ? 'sro' : name === 'shred' ? 'nsx' : '', ['size', 'reference', 'iterations', 'random-source'])) add(o, name, 'delete');
      break;
    case 'python':
    case 'python3': {
      // `python -m venv DIR` makes a virtual environment there.
      const m = argv.indexOf('-m');
      if (m > 0 && argv[m + 1] === 'venv') for (const t of targets.slice(m + 2).filter((t) => !t.text.startsWith('-'))) add(t, 'python -m venv');
      break;
    }
    case 'openssl':
      for (let i = 1; i < argv.length; i++) if (argv[i] === '-out' || argv[i] === '-keyout') add(targets[i + 1], `openssl ${argv[i]}`);
      break;
    case 'zip': {
      // zip [options] ARCHIVE files…: the archive is written (a `-` is stdout).
      const ops = operands('bntxi', ['temp-path', 'suffixes', 'exclude', 'include', 'unzip-command', 'out']);
      if (ops[0] && ops[0].text !== '-') add(ops[0].text.endsWith('.zip') || ops[0].dynamic ? ops[0] : { ...ops[0], text: `${ops[0].text}.zip` }, 'zip (the archive)');
      fromOption(ZIP_OUT, 'zip --out');
      break;
    }
    case 'uniq': {
      // uniq [INPUT [OUTPUT]]
      const ops = operands('fsw', ['skip-fields', 'skip-chars', 'check-chars', 'group', 'all-repeated']);
      if (ops.length >= 2) add(ops[1], 'uniq (its output file)');
      break;
    }
    case 'dd':
      for (let i = 1; i < argv.length; i++) if (argv[i]!.startsWith('of=')) add(sliceTarget(targets[i]!, 3), 'dd of=');
      break;
    case 'sed': {
      const { inPlace, files, scripts } = sedCommandLine(cmd, os);
      if (inPlace) {
        for (const f of files) {
          add(f, 'sed -i');
          add(sedBackup(f, inPlace), `sed -i${inPlace.text} (its backup)`);
        }
      }
      for (const s of scripts) for (const m of s.matchAll(/(?:^|[;\n}])\s*(?:[\d$,~/!]*\s*)?[wW]\s+([^;\n]+)|s(.)(?:(?!\2).)*\2(?:(?!\2).)*\2[gpiImM0-9]*w\s+([^;\n]+)/g)) add(literalTarget((m[1] ?? m[3])!.trim()), 'sed w');
      break;
    }
    case 'find':
      for (let i = 1; i < argv.length; i++) if (/^-fprint(0|f)?$/.test(argv[i]!) || argv[i] === '-fls') add(targets[i + 1], `find ${argv[i]}`);
      break;
    case 'npm':
    case 'pnpm':
      // `npm pkg set|delete|fix` edits package.json, whose scripts define what the allowlisted commands run (W3).
      if (argv.find((a, i) => i > 0 && !a.startsWith('-')) === 'pkg' && /^(set|delete|fix)$/.test(argv[argv.indexOf('pkg') + 1] ?? '')) add(literalTarget('package.json'), `${name} pkg ${argv[argv.indexOf('pkg') + 1]}`);
      break;
    case 'git': {
      const sub = gitSubcommand(argv, caseInsensitive);
      if (sub?.name === 'archive' || sub?.name === 'format-patch') fromOption(GIT_O, `git ${sub.name} -o`);
      if (sub?.name === 'config') {
        if (argv.includes('--global')) add(literalTarget(`${home}/.gitconfig`), 'git config --global');
        if (argv.includes('--system')) add(literalTarget('/etc/gitconfig'), 'git config --system');
        fromOption(GIT_CONFIG_FILE, 'git config --file');
      }
      // `git worktree add PATH`, `git init DIR`: a checkout or a repository made there.
      const rest = sub?.name === 'worktree' || sub?.name === 'init' ? operands('bB', ['reason', 'template', 'separate-git-dir', 'object-format', 'initial-branch', 'shared']).filter((t) => targets.indexOf(t) > sub.index) : [];
      if (sub?.name === 'worktree' && rest[0]?.text === 'add' && rest[1]) add(rest[1], 'git worktree add');
      if (sub?.name === 'init' && rest[0]) add(rest[0], 'git init');
      // `git clone URL DIR`: the checkout is made in DIR.
      if (sub?.name === 'clone') {
        const ops = operands('obcju', ['origin', 'branch', 'config', 'depth', 'jobs', 'upload-pack', 'template', 'reference', 'separate-git-dir', 'filter', 'shallow-since', 'shallow-exclude']).filter((t) => targets.indexOf(t) > sub.index);
        if (ops[1]) add(ops[1], 'git clone');
      }
      break;
    }
    default:
      for (const w of powerShellWrites(lower, argv, targets)) add(w.target, w.how ?? name, w.kind);
      // mklink [/D | /H | /J] Link Target
      if (lower === 'mklink') add(targets[argv.findIndex((a, i) => i > 0 && !a.startsWith('/'))], 'mklink');
      // New-Item -ItemType SymbolicLink, mklink: the item made is a link.
      if (lower === 'mklink' || (/^(new-item|ni)$/.test(lower) && argv.some((a, i) => psParameter(a, 'itemtype') && /^(symboliclink|junction|hardlink)$/i.test(argv[i + 1] ?? '')))) for (const w of out) w.link = true;
      if (/^(expand-archive)$/.test(lower)) out.push({ path: null, how: name, unknownBecause: 'Expand-Archive extracts an archive: a member name may be absolute or hold `..` (zip-slip), so where it writes is only known when it runs' });
  }
  return out;
}
