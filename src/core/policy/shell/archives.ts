import { longOption } from './longOptions.js';
import { attachedValue, sliceTarget, type Target } from './writeTarget.js';

/** What an archiver does to files (RULES.md C7). */
export interface ArchiveUse {
  /**
   * Set when it extracts: the members name where they land, and a member may be absolute or hold `..` (tar,
   * zip-slip), so the write targets are only known when it runs. The text says why, in plain words.
   */
  extracts?: string;
  /** The archive it creates or adds to (`tar -czf out.tgz src/`), and the folders it extracts into (`-C`, `-d`). */
  writes: Array<{ target: Target | undefined; how: string }>;
}

/** GNU tar's long options, so an abbreviation (`--ext`, `--dir=`) is read as tar reads it and an ambiguous one is not. */
const TAR_LONG = ['extract', 'get', 'create', 'append', 'update', 'list', 'diff', 'compare', 'delete', 'catenate', 'concatenate', 'file', 'files-from', 'directory', 'delay-directory-restore', 'dereference', 'checkpoint', 'checkpoint-action', 'check-device', 'compress', 'confirmation', 'exclude', 'exclude-from', 'force-local', 'format', 'full-time', 'group', 'gzip', 'gunzip', 'level', 'listed-incremental', 'lzip', 'lzma', 'lzop', 'anchored', 'atime-preserve', 'auto-compress', 'unlink-first', 'utc', 'use-compress-program', 'uncompress', 'to-stdout', 'to-command', 'totals', 'touch', 'transform'];
/** tar's short options that take a value, in a bundle and in the old form (`tar cfC out.tar dir`). */
const TAR_VALUE_SHORTS = 'fCbTXKNVgLFIH';

const TAR_EXTRACT = 'tar -x extracts an archive: its members may be absolute paths or hold `..`, so where it writes is only known when it runs';

export function archiveUse(name: string, argv: readonly string[], targets: readonly Target[]): ArchiveUse | undefined {
  switch (name) {
    case 'tar':
    case 'gtar':
    case 'bsdtar':
    case 'jar':
      return tarUse(name, argv, targets);
    case 'unzip':
      return unzipUse(argv, targets);
    case '7z':
    case '7za':
    case '7zz':
    case '7zr':
      if (argv[1] !== 'x' && argv[1] !== 'e') return undefined;
      return {
        extracts: `7z ${argv[1]} extracts an archive: its members may be absolute paths or hold \`..\`, so where it writes is only known when it runs`,
        writes: argv.flatMap((a, i) => (/^-o./.test(a) ? [{ target: sliceTarget(targets[i]!, 2), how: '7z -o' }] : [])),
      };
    case 'cpio':
      if (!argv.some((a) => a === '--extract' || /^-[a-zA-Z]*i/.test(a))) return undefined;
      return { extracts: 'cpio -i extracts an archive: its members may be absolute paths or hold `..`, so where it writes is only known when it runs', writes: [] };
    default:
      return undefined;
  }
}

function tarUse(name: string, argv: readonly string[], targets: readonly Target[]): ArchiveUse {
  let mode: 'extract' | 'create' | undefined;
  let archive: Target | undefined;
  // `-O`/`--to-stdout` (and `--to-command`, a C4 matter) send the members elsewhere than to files.
  let toStdout = false;
  const writes: ArchiveUse['writes'] = [];
  const letters = (bundle: string, i: number, oldForm: boolean): number => {
    // In the old form (`tar xzf a.tar`) the values of the letters follow the bundle in order; in `-xzf a.tar`
    // a value is the rest of the bundle or the next word.
    let next = i;
    for (let j = 0; j < bundle.length; j++) {
      const c = bundle[j]!;
      if (c === 'O') toStdout = true;
      if (c === 'x') mode = 'extract';
      else if ('cruA'.includes(c)) mode ??= 'create';
      if (!TAR_VALUE_SHORTS.includes(c)) continue;
      const attached = oldForm ? undefined : attachedValue(`-${bundle}`, j + 1, targets[i]!);
      const value = attached ?? targets[++next];
      if (c === 'f') archive = value;
      if (c === 'C') writes.push({ target: value, how: `${name} -C` });
      if (attached) break;
    }
    return next;
  };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (a.startsWith('--')) {
      const l = longOption(a, TAR_LONG);
      const value = () => (l!.value !== undefined ? sliceTarget(targets[i]!, a.indexOf('=') + 1) : targets[++i]);
      if (l?.name === 'to-stdout' || l?.name === 'to-command') toStdout = true;
      else if (l?.name === 'extract' || l?.name === 'get') mode = 'extract';
      else if (l && ['create', 'append', 'update', 'catenate', 'concatenate'].includes(l.name)) mode ??= 'create';
      else if (l?.name === 'file') archive = value();
      else if (l?.name === 'directory') writes.push({ target: value(), how: `${name} --directory` });
    } else if (a.startsWith('-') && a.length > 1) i = letters(a.slice(1), i, false);
    else if (i === 1) i = letters(a, i, true);
  }
  if (mode === 'create' && archive) writes.push({ target: archive, how: `${name} -f (the archive it writes)` });
  return { extracts: mode === 'extract' && !toStdout ? TAR_EXTRACT.replace('tar', name) : undefined, writes };
}

/** `unzip a.zip` extracts; `-l`, `-t`, `-v`, `-z`, `-Z` list or test, and `-p` writes to stdout. */
function unzipUse(argv: readonly string[], targets: readonly Target[]): ArchiveUse | undefined {
  const writes: ArchiveUse['writes'] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (/^-[a-zA-Z]*[ltvzZp]/.test(a) && !/^-[a-zA-Z]*d/.test(a)) return undefined;
    if (a === '-d' || /^-d./.test(a)) writes.push({ target: a === '-d' ? targets[++i] : sliceTarget(targets[i]!, 2), how: 'unzip -d' });
  }
  return { extracts: 'unzip extracts an archive: a member name may be absolute or hold `..` (zip-slip), so where it writes is only known when it runs', writes };
}
