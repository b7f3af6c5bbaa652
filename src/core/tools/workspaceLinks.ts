import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Minimatch } from 'minimatch';
import { realTarget } from './workspacePath.js';

/** Past this many folders a listing names no more links: the files are the answer, links are a courtesy. */
const MAX_FOLDERS = 5000;

/**
 * The symbolic links in the folders a listing visited, as `link -> where it leads`. rg lists regular files only
 * and never follows a link, so without this a link would be invisible, and the model would not know why
 * `notes.md` is missing or that reading it is refused. A link that leads out of the workspace says only that:
 * the listing is read by the model, and where a user's files live is none of its business.
 */
export async function linkEntries(root: string, folders: Iterable<string>, glob: string | undefined, signal: AbortSignal): Promise<Array<{ path: string; line: string }>> {
  const realRoot = await realpath(root);
  const match = globMatcher(glob);
  const out: Array<{ path: string; line: string }> = [];
  let seen = 0;
  for (const folder of folders) {
    if (signal.aborted || ++seen > MAX_FOLDERS) break;
    let entries: Dirent[];
    try {
      entries = await readdir(join(root, folder), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (!e.isSymbolicLink() || e.name === '.git') continue;
      const rel = folder === '.' ? e.name : `${folder}/${e.name}`;
      if (match(rel)) out.push({ path: rel, line: `${rel} -> ${await describeTarget(root, realRoot, rel)}` });
    }
  }
  return out;
}

async function describeTarget(root: string, realRoot: string, rel: string): Promise<string> {
  const real = await realTarget(root, join(root, rel)).catch(() => undefined);
  if (!real) return '(unreadable link)';
  if (real.error?.startsWith('leads outside')) return '(outside the workspace)';
  if (real.error) return '(inside .git/)';
  const target = relative(realRoot, real.abs).split(sep).join('/') || '.';
  const info = await stat(real.abs).catch(() => undefined);
  if (!info) return `${target} (missing: the link is broken)`;
  return info.isDirectory() ? `${target}/` : target;
}

/** The listing's glob applied to link paths as rg applies it to files: without '/', it matches the name anywhere. */
function globMatcher(glob: string | undefined): (rel: string) => boolean {
  if (!glob) return () => true;
  const negated = glob.startsWith('!');
  const mm = new Minimatch(negated ? glob.slice(1) : glob, { dot: true, matchBase: !glob.includes('/') });
  return (rel) => mm.match(rel) !== negated;
}

/** The folders a listing of `base` went through: `base` itself and every folder above a listed file, up to it. */
export function visitedFolders(base: string, files: readonly string[]): Set<string> {
  const folders = new Set<string>([base]);
  const prefix = base === '.' ? '' : `${base}/`;
  for (const f of files) {
    if (!f.startsWith(prefix)) continue;
    const parts = f.slice(prefix.length).split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) folders.add(prefix + parts.slice(0, i).join('/'));
    if (folders.size > MAX_FOLDERS) break;
  }
  return folders;
}
