import { spawn, spawnSync } from 'node:child_process';

let cached: string | undefined;

/**
 * The rg binary: @vscode/ripgrep's platform package (installed from npm, no download), else `rg` on PATH.
 * The @vscode/ripgrep main module reads import.meta.url, which a CJS bundle lacks, so it is not imported.
 */
export function ripgrepPath(): string {
  if (cached) return cached;
  try {
    cached = require.resolve(`@vscode/ripgrep-${process.platform}-${process.arch}/bin/${process.platform === 'win32' ? 'rg.exe' : 'rg'}`);
  } catch {
    if (spawnSync('rg', ['--version']).status !== 0) throw new Error('ripgrep (rg) was not found: install @vscode/ripgrep or put rg on PATH');
    cached = 'rg';
  }
  return cached;
}

export function runRipgrep(args: string[], cwd: string, signal: AbortSignal): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(ripgrepPath(), args, { cwd, signal, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}
