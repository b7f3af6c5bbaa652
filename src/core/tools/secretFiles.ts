import { secretTest } from '../policy/secrets.js';
import { comparePaths, runRipgrep } from './ripgrep.js';

/** Names shown in a search result before "and N more": enough to recognise them, short enough to read. */
const NAMED = 10;

/**
 * The secret files (RULES.md R2) among those a search would go through, found with the same rg arguments so the
 * ignore rules agree. Case is folded where the disk folds it: `.ENV` on a Mac is the dotenv file.
 */
export async function secretFilesIn(
  listArgs: string[],
  cwd: string,
  protectedPaths: readonly string[],
  signal: AbortSignal,
  root: { given: string; real: string },
): Promise<string[]> {
  const isSecret = secretTest(protectedPaths, process.platform === 'darwin' || process.platform === 'win32');
  // A search rooted at a link (`cfg -> .env`, `stuff -> secrets/`) lists files by the link's name: judge them by
  // the real name too.
  const realName = (rel: string) => (rel === root.given ? root.real : rel.startsWith(`${root.given}/`) ? `${root.real}/${rel.slice(root.given.length + 1)}` : rel);
  const found: string[] = [];
  await runRipgrep(['--files', ...listArgs], cwd, signal, (line) => {
    const rel = line.startsWith('./') ? line.slice(2) : line;
    if (rel && (isSecret(rel) || isSecret(realName(rel).replace(/^\.\//, '')))) found.push(rel);
  });
  // rg lists in parallel, in no set order; the result names them in path order, the same every time.
  return found.sort(comparePaths);
}

/**
 * rg globs that leave these files out, anchored at the search's folder. Given after the user's glob, since the
 * later glob wins in rg: a glob of `.env` must not bring a secret back in.
 */
export function excludeGlobs(files: readonly string[]): string[] {
  // Brackets make every glob character literal, on every platform (rg takes no backslash escape on Windows).
  return files.flatMap((f) => ['--glob', `!/${f.replace(/[[\]*?{}\\]/g, (c) => `[${c}]`)}`]);
}

/** The result's line about the secrets left out: how many, and which. */
export function skippedNote(files: readonly string[]): string {
  const names = files.slice(0, NAMED).join(', ') + (files.length > NAMED ? `, and ${files.length - NAMED} more` : '');
  return `[${files.length === 1 ? '1 secret file was' : `${files.length} secret files were`} not searched: ${names}]`;
}
