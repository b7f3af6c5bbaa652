import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { describeFsError } from './fsErrors.js';
import { COMMON_ARGS, comparePaths, ignoreArgs, RG_MISSING, ripgrepPath, runRipgrep, stripDotSlash } from './ripgrep.js';
import { defineTool, fail } from './types.js';
import { linkEntries, visitedFolders } from './workspaceLinks.js';
import { realTarget, workspacePath } from './workspacePath.js';
import { nounFor } from '../text/plural.js';

/** Past this many files, the answer counts files per folder instead of naming them. */
export const MAX_LISTED_FILES = 1000;
/** The most lines a per-folder summary takes. */
const MAX_SUMMARY_LINES = 300;

export const listFilesTool = defineTool<{ path?: string; glob?: string }>({
  name: 'list_files',
  description: [
    'List the files under a folder of the workspace, recursively, skipping what .gitignore ignores (the folders left out are named); paths come back relative to the workspace root. A glob such as "**/*.ts" narrows the list.',
    `Past ${MAX_LISTED_FILES} files, the answer counts the files per folder instead; list a folder (path) or use a glob to see its files. To find files by content, use search_files.`,
  ].join(' '),
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
    if (r.code === 2) notes.push(`[some entries could not be read: ${firstLine(r.stderr)}]`);
    if (links.length > 0) notes.push(`[${links.length === 1 ? 'one entry is a symbolic link, shown' : `${links.length} entries are symbolic links, shown`} as link -> target; links are not followed]`);
    const left = glob ? [] : await leftOut(real.abs, p.rel, files);
    if (left.length > 0) notes.push(`[left out, ignored by .gitignore: ${left.join(', ')}]`);
    if (files.length > MAX_LISTED_FILES) {
      const summary = folderSummary(files, p.rel);
      return {
        ok: true,
        output: [`[${files.length.toLocaleString('en')} files in ${where}: too many to name, so they are counted per folder; list a folder (path) or narrow with a glob]`, ...summary, ...notes].join('\n'),
        data: { path: p.rel, files: files.length, listed: 0, folders: summary.length, ...(links.length ? { links: links.length } : {}) },
      };
    }
    return {
      ok: true,
      output: [...files.map((f) => lines.get(f) ?? f), ...notes].join('\n'),
      data: { path: p.rel, files: files.length, listed: files.length, ...(links.length ? { links: links.length } : {}) },
    };
  },
});

const firstLine = (s: string) => s.trim().split('\n')[0]?.replace(/^rg: /, '') ?? '';

/**
 * A big folder as counts: each folder below the one listed with its number of files, one level down as well
 * while there is room, and the files directly in it by name.
 */
function folderSummary(files: string[], base: string): string[] {
  const prefix = base === '.' ? '' : `${base}/`;
  const counts = new Map<string, number>();
  const top: string[] = [];
  for (const f of files) {
    const rest = f.slice(prefix.length).split(' -> ')[0]!;
    const parts = rest.split('/');
    if (parts.length === 1) top.push(f);
    else {
      counts.set(parts[0]!, (counts.get(parts[0]!) ?? 0) + 1);
      if (parts.length > 2) counts.set(`${parts[0]}/${parts[1]}`, (counts.get(`${parts[0]}/${parts[1]}`) ?? 0) + 1);
    }
  }
  const n = (k: number) => `${k.toLocaleString('en')} ${nounFor(k, 'file')}`;
  const firstLevel = [...counts.keys()].filter((k) => !k.includes('/'));
  const out: string[] = [];
  let room = MAX_SUMMARY_LINES - firstLevel.length - Math.min(top.length, 50);
  for (const folder of firstLevel) {
    out.push(`${prefix}${folder}/ (${n(counts.get(folder)!)})`);
    const subs = [...counts.keys()].filter((k) => k.startsWith(`${folder}/`));
    if (subs.length > 0 && subs.length <= room) {
      for (const sub of subs) out.push(`  ${prefix}${sub}/ (${n(counts.get(sub)!)})`);
      room -= subs.length;
    }
  }
  out.push(...top.slice(0, 50));
  if (top.length > 50) out.push(`[… and ${top.length - 50} more files directly in ${base === '.' ? 'the workspace' : base}]`);
  return out;
}

/** The folders directly in the one listed that hold something yet gave no file to the list: ignored ones. */
async function leftOut(abs: string, rel: string, files: string[]): Promise<string[]> {
  const prefix = rel === '.' ? '' : `${rel}/`;
  const listed = new Set(files.map((f) => f.slice(prefix.length).split('/')[0]));
  const entries = await readdir(abs, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    // .git is never listed, and every repository has one: naming it would only cost tokens.
    if (!e.isDirectory() || listed.has(e.name) || e.name === '.git') continue;
    const inside = await readdir(join(abs, e.name)).catch(() => []);
    if (inside.length > 0) out.push(`${prefix}${e.name}/`);
  }
  return out.sort(comparePaths);
}
