import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { describeFsError } from './fsErrors.js';
import { COMMON_ARGS, comparePaths, ignoreArgs, RG_MISSING, ripgrepPath, runRipgrep, stripDotSlash } from './ripgrep.js';
import { defineTool, fail } from './types.js';
import { linkEntries, visitedFolders } from './workspaceLinks.js';
import { realTarget, workspacePath } from './workspacePath.js';

export const MAX_LISTED_FILES = 2000;

export const listFilesTool = defineTool<{ path?: string; glob?: string }>({
  name: 'list_files',
  description: 'List the files under a folder of the workspace, recursively, skipping what .gitignore ignores; paths come back relative to the workspace root. A glob such as "**/*.ts" narrows the list.',
  input: z.object({
    path: z.string().optional().describe('folder relative to the workspace root; default "." (the whole workspace)'),
    glob: z.string().optional().describe('only files matching this glob, e.g. "*.md" or "src/**/*.test.ts"; "!" in front excludes'),
  }),
  changesFiles: false,
  async run({ path, glob }, ctx) {
    const p = workspacePath(ctx.workspaceRoot, path ?? '.');
    if ('error' in p) return fail(p.error);
    if (!ripgrepPath()) return fail(RG_MISSING);
    // rg follows a link given as the folder to list; inside the workspace that is fine, out of it never (R1).
    const real = await realTarget(ctx.workspaceRoot, p.abs);
    if (real.error) return fail(`${p.rel} ${real.error}; list_files lists only folders inside the workspace`, { path: p.rel, refused: true });
    try {
      if (!(await stat(real.abs)).isDirectory()) return fail(`${p.rel} is a file, not a folder; read it with read_file`);
    } catch (err) {
      return fail((describeFsError(p.rel, err) ?? `${p.rel}: ${(err as Error).message}`).replace(/no such file$/, 'no such folder'));
    }
    const files: string[] = [];
    const args = ['--files', ...COMMON_ARGS, ...(await ignoreArgs(ctx.workspaceRoot)), ...(glob ? ['--glob', glob] : []), '--', p.rel];
    const r = await runRipgrep(args, ctx.workspaceRoot, ctx.signal, (line) => {
      if (line) files.push(stripDotSlash(line));
    });
    if (r.stopped) return fail('stopped', { stopped: true });
    // Exit 2 with files listed: some folder could not be read; the rest is still worth having.
    if (r.code !== 0 && !(r.code === 1 && r.stderr.trim() === '') && files.length === 0) return fail(`list_files failed: ${firstLine(r.stderr)}`);
    const links = await linkEntries(ctx.workspaceRoot, visitedFolders(p.rel, files), glob, ctx.signal);
    if (ctx.signal.aborted) return fail('stopped', { stopped: true });
    // Sorted by the link's own path, so `notes.md -> …` sits where notes.md would.
    const lines = new Map<string, string>(links.map((l) => [l.path, l.line]));
    files.push(...lines.keys());
    files.sort(comparePaths);
    const where = `${p.rel === '.' ? 'the workspace' : p.rel}${glob ? ` matching ${glob}` : ''}`;
    if (files.length === 0) return { ok: true, output: `[no files in ${where}]`, data: { path: p.rel, files: 0 } };
    const notes: string[] = [];
    if (files.length > MAX_LISTED_FILES) notes.push(`[${files.length} files in ${where}: the first ${MAX_LISTED_FILES} are listed; narrow the path or the glob]`);
    if (r.code === 2) notes.push(`[some entries could not be read: ${firstLine(r.stderr)}]`);
    if (links.length > 0) notes.push(`[${links.length === 1 ? 'one entry is a symbolic link, shown' : `${links.length} entries are symbolic links, shown`} as link -> target; links are not followed]`);
    return {
      ok: true,
      output: [...files.slice(0, MAX_LISTED_FILES).map((f) => lines.get(f) ?? f), ...notes].join('\n'),
      data: { path: p.rel, files: files.length, listed: Math.min(files.length, MAX_LISTED_FILES), ...(links.length ? { links: links.length } : {}) },
    };
  },
});

const firstLine = (s: string) => s.trim().split('\n')[0]?.replace(/^rg: /, '') ?? '';
