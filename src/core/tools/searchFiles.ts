import { realpath, stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { z } from 'zod';
import { COMMON_ARGS, ignoreArgs, RG_MISSING, ripgrepPath, runRipgrep, stripDotSlash, type RipgrepRun } from './ripgrep.js';
import { describeFsError } from './fsErrors.js';
import { excludeGlobs, secretFilesIn, skippedNote } from './secretFiles.js';
import { defineTool, fail } from './types.js';
import { realTarget, workspacePath } from './workspacePath.js';
import { plural } from '../text/plural.js';

export const MAX_MATCHES = 200;

export const searchFilesTool = defineTool<{ query: string; glob?: string; path?: string }>({
  name: 'search_files',
  description: [
    'Search the contents of the workspace\'s files for a regular expression (ripgrep syntax; a query that is not a valid regex is searched as plain text), skipping what .gitignore ignores and secret files (.env*, keys).',
    `Matches come back grouped per file: the path, then each matching line as line:text. At most ${MAX_MATCHES} matches are shown, and the answer says how many there are and in which files; narrow with path or glob.`,
    'Use it to find where something is defined or used before reading files, and to find the lines to read in a large file (read_file with offset).',
  ].join(' '),
  input: z.object({
    query: z.string().min(1).describe('regular expression, e.g. "function \\\\w+Tool" or a plain word'),
    glob: z.string().optional().describe('only files matching this glob, e.g. "src/**/*.ts"; "!" in front excludes'),
    path: z.string().optional().describe('folder or file to search, relative to the workspace root; default "." (the whole workspace)'),
  }),
  changesFiles: false,
  async run({ query, glob, path }, ctx) {
    const p = workspacePath(ctx.workspaceRoot, path ?? '.');
    if ('error' in p) return fail(p.error);
    if (!ripgrepPath()) return fail(RG_MISSING);
    // rg follows a link given as the place to search, though never one met on the way (no --follow): the place
    // itself must stay inside (R1).
    const real = await realTarget(ctx.workspaceRoot, p.abs);
    if (real.error) return fail(`${p.rel} ${real.error}; search_files searches only inside the workspace`, { path: p.rel, refused: true });
    try {
      await stat(real.abs);
    } catch (err) {
      return fail((describeFsError(p.rel, err) ?? `${p.rel}: ${(err as Error).message}`).replace(/no such file$/, 'no such file or folder'));
    }
    const filters = [...COMMON_ARGS, ...(await ignoreArgs(ctx.workspaceRoot)), ...(glob ? ['--glob', glob] : [])];
    // R2: secret files are never searched, not even for whether they match (that alone would leak them bit by bit).
    const realRel = relative(await realpath(ctx.workspaceRoot), real.abs).split(sep).join('/') || '.';
    const secrets = await secretFilesIn([...filters, '--', p.rel], ctx.workspaceRoot, ctx.protectedPaths ?? [], ctx.signal, { given: p.rel, real: realRel });
    const skipped = secrets.length ? `\n${skippedNote(secrets)}` : '';
    const secretData = secrets.length ? { secretsSkipped: secrets.length } : {};
    // A secret named as the place to search is a file rg would read whatever the globs say.
    if (secrets.includes(p.rel)) return { ok: true, output: `no matches${skipped}`, data: { matches: 0, ...secretData } };
    const base = [
      '--line-number', '--with-filename', '--no-heading', '--max-columns', '300', '--max-columns-preview',
      // One thread, in path order: the same search gives the same first matches, which replays rely on.
      '--sort', 'path',
      ...filters, ...excludeGlobs(secrets),
    ];
    const search = async (mode: string[]) => {
      // --null: the path ends at a NUL, so a path with a colon in it is still read right.
      const files = new Map<string, { shown: string[]; total: number }>();
      let shown = 0;
      let total = 0;
      const r = await runRipgrep([...base, '--null', ...mode, '-e', query, '--', p.rel], ctx.workspaceRoot, ctx.signal, (line) => {
        if (!line) return;
        const nul = line.indexOf('\0');
        const path = stripDotSlash(nul === -1 ? '' : line.slice(0, nul));
        const f = files.get(path) ?? { shown: [], total: 0 };
        files.set(path, f);
        total++;
        f.total++;
        if (shown < MAX_MATCHES) {
          f.shown.push(`  ${line.slice(nul + 1)}`);
          shown++;
        }
      });
      return { ...r, files, shown, total };
    };

    let note = '';
    let r = await search([]);
    if (regexError(r) && /look-?around|backreference/i.test(r.stderr)) {
      // Look-around and backreferences are valid regex, only not in rg's default engine.
      const pcre = await search(['--pcre2']);
      if (!regexError(pcre)) {
        r = pcre;
        note = '(searched with PCRE2 for the look-around or backreference)\n';
      }
    }
    if (regexError(r)) {
      const problem = regexProblem(r.stderr);
      r = await search(['--fixed-strings']);
      note = `(searched as plain text: the query is not a valid regex${problem ? ` (${problem})` : ''})\n`;
    }
    if (r.stopped) return fail('stopped', { stopped: true });
    const where = glob ? ` in files matching ${glob}` : '';
    if (r.code === 1 || (r.total === 0 && r.code === 0)) return { ok: true, output: `${note}no matches${where}${skipped}`, data: { matches: 0, ...secretData } };
    // Exit 2 with matches: some file could not be read; the matches are still worth having.
    if (r.code !== 0 && r.total === 0) return fail(`search_files failed: ${firstLine(r.stderr)}`);
    // Grouped per file: the path once, then its matches as line:text.
    const out: string[] = [];
    const unshown: string[] = [];
    for (const [path, f] of r.files) {
      if (f.shown.length === 0) unshown.push(`${path} (${f.total})`);
      else out.push(`${path}${f.total > f.shown.length ? ` (${f.shown.length} of ${f.total} matches shown)` : ''}`, ...f.shown);
    }
    const notes: string[] = [];
    const fileCount = plural(r.files.size, 'file');
    if (r.total > MAX_MATCHES) {
      const more = unshown.length ? `; more matches in ${unshown.slice(0, 20).join(', ')}${unshown.length > 20 ? `, and ${unshown.length - 20} more files` : ''}` : '';
      notes.push(`[${r.total} matches in ${fileCount}${where}: the first ${MAX_MATCHES} are shown${more}; narrow the query, the path or the glob]`);
    }
    if (r.code === 2) notes.push(`[some files could not be searched: ${firstLine(r.stderr)}]`);
    if (secrets.length) notes.push(skippedNote(secrets));
    return { ok: true, output: note + [...out, ...notes].join('\n'), data: { matches: r.total, shown: r.shown, files: r.files.size, ...secretData } };
  },
});

const regexError = (r: RipgrepRun) => r.code === 2 && /regex parse error|error parsing regex|regex could not be compiled/i.test(r.stderr);
/** rg's own words for what is wrong with the regex, e.g. `unclosed group`. */
const regexProblem = (stderr: string) => /^\s*error: (.+)$/m.exec(stderr)?.[1]?.trim() ?? '';
const firstLine = (s: string) => s.trim().split('\n')[0]?.replace(/^rg: /, '') ?? '';
