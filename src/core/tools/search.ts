import { z } from 'zod';
import { runRipgrep } from './ripgrep.js';
import { fail, type ToolDefinition } from './types.js';
import { workspacePath } from './workspacePath.js';

const MAX_FILES = 2000;
const MAX_MATCHES = 200;
/** .gitignore applies even outside a git repository; .git itself is never listed. */
const COMMON = ['--hidden', '--no-require-git', '--glob', '!.git', '--color', 'never'];

export const listFilesTool: ToolDefinition<{ path?: string; glob?: string }> = {
  name: 'list_files',
  description: 'List the files under a folder of the workspace (default: all), honouring .gitignore; optionally only those matching a glob such as "**/*.ts".',
  input: z.object({ path: z.string().optional().describe('a folder relative to the workspace; default "."'), glob: z.string().optional() }),
  changesFiles: false,
  async run({ path, glob }, ctx) {
    const p = workspacePath(ctx.workspaceRoot, path ?? '.');
    if ('error' in p) return fail(p.error);
    const r = await runRipgrep(['--files', ...COMMON, ...(glob ? ['--glob', glob] : []), '--', p.rel], ctx.workspaceRoot, ctx.signal);
    if (r.code !== 0 && r.code !== 1) return fail(`list_files failed: ${r.stderr.trim()}`);
    const files = r.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^\.\//, '')).sort();
    const shown = files.slice(0, MAX_FILES);
    const more = files.length > MAX_FILES ? `\n[... ${files.length - MAX_FILES} more files; narrow the path or glob]` : '';
    return { ok: true, output: shown.length ? shown.join('\n') + more : '(no files)', data: { files: files.length } };
  },
};

export const searchFilesTool: ToolDefinition<{ query: string; glob?: string }> = {
  name: 'search_files',
  description: 'Search the workspace for a regular expression (ripgrep syntax; a query that is not a valid regex is searched as plain text), honouring .gitignore. Returns file:line:text.',
  input: z.object({ query: z.string().min(1), glob: z.string().optional().describe('only files matching this glob, e.g. "src/**/*.ts"') }),
  changesFiles: false,
  async run({ query, glob }, ctx) {
    const args = ['--line-number', '--no-heading', '--max-columns', '300', ...COMMON, ...(glob ? ['--glob', glob] : [])];
    let r = await runRipgrep([...args, '-e', query, '--', '.'], ctx.workspaceRoot, ctx.signal);
    let fixed = false;
    if (r.code === 2 && /regex parse error|error parsing regex/i.test(r.stderr)) {
      fixed = true;
      r = await runRipgrep([...args, '--fixed-strings', '-e', query, '--', '.'], ctx.workspaceRoot, ctx.signal);
    }
    if (r.code === 1) return { ok: true, output: 'no matches', data: { matches: 0 } };
    if (r.code !== 0) return fail(`search_files failed: ${r.stderr.trim()}`);
    const matches = r.stdout.split('\n').filter(Boolean).map((l) => l.replace(/^\.\//, ''));
    const more = matches.length > MAX_MATCHES ? `\n[... ${matches.length - MAX_MATCHES} more matches; narrow the query or glob]` : '';
    return { ok: true, output: (fixed ? '(searched as plain text: the query is not a valid regex)\n' : '') + matches.slice(0, MAX_MATCHES).join('\n') + more, data: { matches: matches.length } };
  },
};
