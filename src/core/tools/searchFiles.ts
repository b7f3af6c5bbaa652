import { realpath, stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { z } from 'zod';
import { COMMON_ARGS, ignoreArgs, RG_MISSING, ripgrepPath, runRipgrep, stripDotSlash, type RipgrepRun } from './ripgrep.js';
import { describeFsError } from './fsErrors.js';
import { excludeGlobs, secretFilesIn, skippedNote } from './secretFiles.js';
import { defineTool, fail } from './types.js';
import { realTarget, workspacePath } from './workspacePath.js';

export const MAX_MATCHES = 200;

export const searchFilesTool = defineTool<{ query: string; glob?: string; path?: string }>({
  name: 'search_files',
  description: 'Search the files of the workspace for a regular expression (ripgrep syntax; a query that is not a valid regex is searched as plain text), skipping what .gitignore ignores and secret files (.env*, keys). Each match comes back as path:line:text.',
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
      const shown: string[] = [];
      let total = 0;
      const r = await runRipgrep([...base, ...mode, '-e', query, '--', p.rel], ctx.workspaceRoot, ctx.signal, (line) => {
        if (!line) return;
        total++;
        if (shown.length < MAX_MATCHES) shown.push(stripDotSlash(line));
      });
      return { ...r, shown, total };
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
    const notes: string[] = [];
    if (r.total > MAX_MATCHES) notes.push(`[${r.total} matches${where}: the first ${MAX_MATCHES} are shown; narrow the query or the glob]`);
    if (r.code === 2) notes.push(`[some files could not be searched: ${firstLine(r.stderr)}]`);
    if (secrets.length) notes.push(skippedNote(secrets));
    return { ok: true, output: note + [...r.shown, ...notes].join('\n'), data: { matches: r.total, shown: r.shown.length, ...secretData } };
  },
});

const regexError = (r: RipgrepRun) => r.code === 2 && /regex parse error|error parsing regex|regex could not be compiled/i.test(r.stderr);
/** rg's own words for what is wrong with the regex, e.g. `unclosed group`. */
const regexProblem = (stderr: string) => /^\s*error: (.+)$/m.exec(stderr)?.[1]?.trim() ?? '';
const firstLine = (s: string) => s.trim().split('\n')[0]?.replace(/^rg: /, '') ?? '';
