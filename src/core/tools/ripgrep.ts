import { spawn, spawnSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { trustedPath } from '../fs/trustedPrograms.js';

let override: string | undefined;
let cached: string | null | undefined;

/** A host that ships its own rg (VS Code does, under its app root) can point at it. */
export function setRipgrepPath(path: string | undefined): void {
  override = path;
  cached = undefined;
}

/**
 * The rg binary: the one a host set, @vscode/ripgrep's platform package (installed from npm, no download at
 * run time), else `rg` on PATH; undefined when there is none. The @vscode/ripgrep main module reads
 * import.meta.url, which a CJS bundle lacks, so it is not imported.
 */
export function ripgrepPath(): string | undefined {
  if (override) return override;
  if (cached !== undefined) return cached ?? undefined;
  try {
    cached = require.resolve(`@vscode/ripgrep-${process.platform}-${process.arch}/bin/${process.platform === 'win32' ? 'rg.exe' : 'rg'}`);
  } catch {
    cached = spawnSync('rg', ['--version'], { stdio: 'ignore', env: { ...process.env, PATH: trustedPath([process.cwd()]) } }).status === 0 ? 'rg' : null;
  }
  return cached ?? undefined;
}

export const RG_MISSING = 'ripgrep (rg) was not found: the @vscode/ripgrep package is not installed and there is no rg on PATH';

/**
 * How ignore files apply, as git would apply them. In a git repository rg's own rules are git's. Outside one,
 * rg would ignore .gitignore files altogether unless told not to require git; and then it would also take
 * those of every folder above the workspace (a `*` in a home folder's .gitignore would hide everything), so
 * only the workspace's own apply.
 */
export async function ignoreArgs(workspaceRoot: string): Promise<string[]> {
  for (let dir = resolve(workspaceRoot); ; dir = dirname(dir)) {
    // A file named .git is a worktree's or a submodule's link to its repository.
    if (await stat(join(dir, '.git')).then(() => true, () => false)) return [];
    if (dir === dirname(dir)) return ['--no-require-git', '--no-ignore-parent'];
  }
}

/** Shared by every rg call: dot files are listed (.github/, .env.example) but .git itself never; no user rg config. */
export const COMMON_ARGS = ['--no-config', '--hidden', '--glob', '!.git', '--color', 'never'];

export interface RipgrepRun {
  code: number | null;
  stderr: string;
  stopped: boolean;
}

/** Runs rg, handing each line of its output to onLine as it comes (searches can print millions of lines). */
export function runRipgrep(args: string[], cwd: string, signal: AbortSignal, onLine: (line: string) => void): Promise<RipgrepRun> {
  const rg = ripgrepPath();
  if (!rg) return Promise.reject(new Error(RG_MISSING));
  if (signal.aborted) return Promise.resolve({ code: null, stderr: '', stopped: true });
  return new Promise((resolvePromise, reject) => {
    // `rg` from PATH is looked up where commands cannot write (trustedPrograms.ts): it runs outside the sandbox.
    const child = spawn(rg, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: trustedPath([cwd]) } });
    const decoder = new StringDecoder('utf8');
    let partial = '';
    let stderr = '';
    let stopped = false;
    const onAbort = () => {
      stopped = true;
      child.kill('SIGKILL');
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const take = (text: string) => {
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      for (const line of lines) onLine(line);
    };
    child.stdout.on('data', (d: Buffer) => take(decoder.write(d)));
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += d.toString('utf8');
    });
    child.on('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (code) => {
      signal.removeEventListener('abort', onAbort);
      take(decoder.end());
      if (partial) onLine(partial);
      resolvePromise({ code, stderr, stopped });
    });
  });
}

/** rg prints `./a.ts` for a search of `.`; the model's paths are workspace-relative without it. */
export const stripDotSlash = (line: string) => (line.startsWith('./') ? line.slice(2) : line);

/** Path order by folder then name (`a/b` before `a-b/c`), the order of a file tree. */
export function comparePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  }
  return pa.length - pb.length;
}
