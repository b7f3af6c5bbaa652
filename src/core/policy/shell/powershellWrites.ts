import { sliceTarget, type Target } from './writeTarget.js';

/** PowerShell cmdlets (and their aliases) that write the files named in their parameters (RULES.md C7). */
const WRITERS: Record<string, { params: string[]; positional?: number; kind?: 'write' | 'delete' }> = {
  'set-content': { params: ['path', 'literalpath'], positional: 0 },
  'add-content': { params: ['path', 'literalpath'], positional: 0 },
  'clear-content': { params: ['path', 'literalpath'], positional: 0 },
  'out-file': { params: ['filepath', 'literalpath'], positional: 0 },
  'tee-object': { params: ['filepath', 'literalpath'], positional: 0 },
  'export-csv': { params: ['path', 'literalpath'], positional: 0 },
  'export-clixml': { params: ['path', 'literalpath'], positional: 0 },
  'start-transcript': { params: ['path', 'literalpath', 'outputdirectory'], positional: 0 },
  'new-item': { params: ['path'], positional: 0 },
  'rename-item': { params: ['path', 'literalpath'], positional: 0, kind: 'delete' },
  'compress-archive': { params: ['destinationpath'], positional: 1 },
  'expand-archive': { params: ['destinationpath'], positional: 1 },
  'copy-item': { params: ['destination'], positional: 1 },
  'move-item': { params: ['destination'], positional: 1 },
  'invoke-webrequest': { params: ['outfile'] },
  'invoke-restmethod': { params: ['outfile'] },
};
const ALIASES: Record<string, string> = { sc: 'set-content', ac: 'add-content', clc: 'clear-content', tee: 'tee-object', epcsv: 'export-csv', ni: 'new-item', rni: 'rename-item', ren: 'rename-item', copy: 'copy-item', cpi: 'copy-item', cp: 'copy-item', move: 'move-item', mi: 'move-item', mv: 'move-item', iwr: 'invoke-webrequest', irm: 'invoke-restmethod' };

/** Every name (cmdlets and the aliases that are not also Unix tools the bash rules read) that may write. */
export const POWERSHELL_WRITERS = [...Object.keys(WRITERS), ...Object.keys(ALIASES).filter((a) => !['tee', 'cp', 'mv'].includes(a))];

/** A PowerShell parameter, which may be abbreviated to any unambiguous prefix (`-Dest`), in any case. */
export function psParameter(word: string, name: string): boolean {
  const given = word.startsWith('-') ? word.slice(1).replace(/:.*$/, '').toLowerCase() : '';
  return given.length >= 2 && name.startsWith(given);
}

/** The files a PowerShell writer writes: `-Path x`, `-Path:x` (the value after a colon), or its positional operand. */
export function powerShellWrites(lower: string, argv: string[], targets: Target[]): Array<{ target: Target | undefined; how?: string; kind?: 'write' | 'delete' }> {
  const cmdlet = ALIASES[lower] ?? lower;
  if (!Object.hasOwn(WRITERS, cmdlet)) return [];
  const spec = WRITERS[cmdlet]!;
  const value = (name: string): Target | undefined => {
    const p = argv.findIndex((a, i) => i > 0 && psParameter(a, name));
    if (p < 0) return undefined;
    const colon = argv[p]!.indexOf(':');
    return colon > 0 ? sliceTarget(targets[p]!, colon + 1) : targets[p + 1];
  };
  const ops = psOperands(argv, targets);
  let target = spec.params.map(value).find((t) => t !== undefined) ?? (spec.positional !== undefined ? ops[spec.positional] : undefined);
  // New-Item -Name x: the item is made in -Path (or here) under that name, which may climb out (`-Name ..\..\x`).
  const name = cmdlet === 'new-item' ? value('name') : undefined;
  if (name) target = { ...name, text: `${target ? `${target.text}/` : ''}${name.text}`, dynamic: name.dynamic || !!target?.dynamic, guessed: name.guessed || !!target?.guessed };
  const out: Array<{ target: Target | undefined; how?: string; kind?: 'write' | 'delete' }> = [{ target, kind: spec.kind }];
  if (cmdlet === 'rename-item') {
    const newName = value('newname') ?? ops[1];
    // The new name is taken in the item's folder; PowerShell refuses most paths there, but where it would land is checked.
    if (newName && target) out.push({ target: { ...newName, text: `${target.text.replace(/[^/\\]*$/, '')}${newName.text}` }, how: `${lower} (the new name)` });
  }
  if (cmdlet === 'move-item') out.push({ target: value('path') ?? value('literalpath') ?? ops[0], how: `${lower} (source)`, kind: 'delete' });
  return out;
}

/** Positional arguments of a cmdlet: words that are not `-Name` parameters or the value after one. */
function psOperands(argv: string[], targets: Target[]): Target[] {
  const out: Target[] = [];
  for (let i = 1; i < argv.length; i++) {
    if (/^-[A-Za-z]/.test(argv[i]!)) {
      // Switches (-Force, -Recurse) take no value, nor does a parameter given its value after a colon.
      if (!/^-(force|recurse|passthru|whatif|confirm|append|nonewline|container|noclobber|usebasicparsing)$/i.test(argv[i]!) && !argv[i]!.includes(':')) i++;
      continue;
    }
    if (targets[i]) out.push(targets[i]!);
  }
  return out;
}
