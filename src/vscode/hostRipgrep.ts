import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { setRipgrepPath } from '../core/tools/ripgrep.js';

/**
 * The packaged extension carries no node_modules, so search and listing use the rg that VS Code itself ships
 * (desktop: @vscode/ripgrep, possibly asar-unpacked; code-server: @vscode/ripgrep-universal per platform).
 * Returns the path used, or undefined to leave the tools' own lookup (npm package, then PATH).
 */
export function useHostRipgrep(appRoot = vscode.env.appRoot): string | undefined {
  const rg = process.platform === 'win32' ? 'rg.exe' : 'rg';
  const candidates = [
    join(appRoot, 'node_modules', '@vscode', 'ripgrep', 'bin', rg),
    join(appRoot, 'node_modules.asar.unpacked', '@vscode', 'ripgrep', 'bin', rg),
    join(appRoot, 'node_modules', '@vscode', 'ripgrep-universal', 'bin', `${process.platform}-${process.arch}`, rg),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (found) setRipgrepPath(found);
  return found;
}
