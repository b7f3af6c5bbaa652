import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { copyFile, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { convertedPaths, gitBytes } from './gitBatch.js';
import { recordRawBlobs } from './rawBlobs.js';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { trustedPath } from '../fs/trustedPrograms.js';

/**
 * Where snapshots live. In a git repository: objects in the user's own object store (no second copy of the
 * repository), a private index inside `.git/spec-agent/`, refs under `refs/spec-agent/`. The user's index,
 * HEAD, branches, stash and config are never written. In a folder that is not a repository: a private git
 * directory outside the work tree, under the user's cache folder.
 */
export interface GitStore {
  workTree: string;
  /** The git directory holding objects and refs. */
  gitDir: string;
  /** True when the workspace is the user's own repository; false for the private store of a plain folder. */
  userRepo: boolean;
  /** The private index file. */
  indexFile: string;
  /** Runs git with the private index and settings that keep snapshots byte-exact and the repo untouched. */
  git: SimpleGit;
  /** The same environment, for git processes started directly (streams). */
  env: NodeJS.ProcessEnv;
  /** Config passed on every git command line. */
  config: string[];
  /** Facts computed once per store. */
  cache: { gitlinks?: string[] };
}

/** Settings for every git call: raw bytes (no CRLF conversion), no auto gc, no hooks or editors, no fsmonitor. */
const SAFE_CONFIG = [
  'core.autocrlf=false',
  'core.eol=lf',
  'core.safecrlf=false',
  'core.fsmonitor=false',
  'core.splitIndex=false',
  'gc.auto=0',
  'maintenance.auto=false',
  'advice.addEmbeddedRepo=false',
  'core.quotePath=false',
];

const execFileAsync = promisify(execFile);

/** Written once the private index is seeded from the user's with every blob as the file's bytes. */
const SEEDED_MARKER = 'seeded-raw';

/** simple-git refuses GIT_* variables unless named; these are ours. */
const ALLOWED_ENV = ['GIT_INDEX_FILE', 'GIT_DIR', 'GIT_WORK_TREE', 'GIT_OPTIONAL_LOCKS', 'GIT_TERMINAL_PROMPT', 'GIT_AUTHOR_NAME', 'GIT_AUTHOR_EMAIL', 'GIT_COMMITTER_NAME', 'GIT_COMMITTER_EMAIL'];

export function privateStoreDir(workTree: string): string {
  const base = process.env.SPEC_AGENT_CHECKPOINTS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'spec-agent', 'checkpoints');
  const id = createHash('sha256').update(resolve(workTree)).digest('hex').slice(0, 16);
  return join(base, `${id}.git`);
}

export async function openGitStore(workspace: string): Promise<GitStore> {
  const workTree = resolve(workspace);
  // git runs outside the sandbox: from where commands cannot plant one (trustedPrograms.ts), never the project's node_modules/.bin.
  const path = trustedPath([workTree]);
  // Direct, not through simple-git: it refuses an environment that holds EDITOR or PAGER, as most users' do.
  const git = (args: string[], cwd?: string) => execFileAsync('git', args, { cwd, env: { ...process.env, PATH: path } }).then((r) => r.stdout);
  let gitDir: string | undefined;
  let top: string | undefined;
  try {
    const out = (await git(['rev-parse', '--absolute-git-dir', '--show-toplevel'], workTree)).trim().split('\n');
    gitDir = out[0];
    top = out[1];
  } catch {
    gitDir = undefined;
  }
  const userRepo = gitDir !== undefined && top !== undefined && resolve(top) === workTree;
  if (!userRepo) {
    // Not a repository (or a folder inside one): a private store outside the work tree.
    gitDir = privateStoreDir(workTree);
    await mkdir(gitDir, { recursive: true });
    if (!(await exists(join(gitDir, 'HEAD')))) await git(['init', '--bare', '--quiet', gitDir]);
  }
  const privateDir = join(gitDir!, 'spec-agent');
  await mkdir(privateDir, { recursive: true });
  const indexFile = join(privateDir, 'index');
  // The user's config names the clean/smudge filters (LFS, or any `filter.<name>.*`) and says whether their
  // index holds eol-converted blobs (core.autocrlf).
  const userConfig = await git(['config', '-z', '--get-regexp', '^(filter\\..*|core\\.autocrlf)$'], workTree).catch(() => '');
  const { filters, autocrlf } = parseUserConfig(userConfig);
  // Start from the user's index: the blobs of tracked, unchanged files are already hashed and stored, so the
  // first snapshot only hashes what differs. The user's index is read, never written. An index made by a version
  // that trusted the user's (converted) blobs, or git's conversions, is not reused: a repository's is seeded
  // again, a private store's converted files are hashed again.
  const fresh = !(await exists(join(privateDir, SEEDED_MARKER)));
  if (fresh && userRepo) {
    await rm(indexFile, { force: true });
    await rm(join(privateDir, 'raw-blobs'), { force: true });
    if (await exists(join(gitDir!, 'index'))) await copyFile(join(gitDir!, 'index'), indexFile);
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: path,
    GIT_INDEX_FILE: indexFile,
    GIT_DIR: gitDir,
    GIT_WORK_TREE: workTree,
    GIT_OPTIONAL_LOCKS: '0',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Spec Agent',
    GIT_AUTHOR_EMAIL: 'spec-agent@localhost',
    GIT_COMMITTER_NAME: 'Spec Agent',
    GIT_COMMITTER_EMAIL: 'spec-agent@localhost',
  };
  // Filters never run: their commands are emptied and made optional for our calls only (hashing is raw anyway;
  // this keeps `ls-files -m`, which compares content of racily clean files, from starting them).
  const config = [...SAFE_CONFIG, ...filters.flatMap((f) => [`filter.${f}.clean=`, `filter.${f}.smudge=`, `filter.${f}.process=`, `filter.${f}.required=false`])];
  const store: GitStore = { workTree, gitDir: gitDir!, userRepo, indexFile, git: simpleGit({ baseDir: workTree, config, unsafe: { allowUnsafeFsMonitor: true }, allowEnvironment: ALLOWED_ENV }).env(env), env, config, cache: {} };
  if (fresh) {
    // With core.autocrlf true or input, any text file's blob in the user's index may differ from its bytes.
    if (await exists(indexFile)) await sanitizeSeededIndex(store, userRepo && (autocrlf === 'true' || autocrlf === 'input'));
    await writeFile(join(privateDir, SEEDED_MARKER), '');
  }
  return store;
}

/**
 * The user's index can say "do not look at this file" (assume-unchanged, skip-worktree) or hold a merge in
 * progress; a snapshot must see every file as it is, and write a tree. Only the private copy is changed.
 */
async function sanitizeSeededIndex(store: GitStore, allConverted: boolean): Promise<void> {
  const entries = (await gitBytes(store, ['ls-files', '-z', '-v'])).toString('utf8').split('\0').filter(Boolean);
  const flagged = entries.filter((e) => /^[a-zS] /.test(e)).map((e) => e.slice(2));
  if (flagged.length > 0) await gitBytes(store, ['update-index', '--no-assume-unchanged', '--no-skip-worktree', '-z', '--stdin'], flagged.join('\0') + '\0');
  const unmerged = [...new Set((await gitBytes(store, ['ls-files', '-z', '-u'])).toString('utf8').split('\0').filter(Boolean).map((e) => e.slice(e.indexOf('\t') + 1)))];
  if (unmerged.length > 0) await gitBytes(store, ['update-index', '--add', '--remove', '--replace', '-z', '--stdin'], unmerged.join('\0') + '\0');
  // Paths git converts (eol, filters, ident, encoding; every file under core.autocrlf true/input) have the converted
  // blob in the user's index, with stat data that says "unchanged": their bytes are hashed too, once (rawBlobs.ts).
  const all = (await gitBytes(store, ['ls-files', '-z'])).toString('utf8').split('\0').filter(Boolean);
  await recordRawBlobs(store, allConverted ? all : await convertedPaths(store, all));
}

function parseUserConfig(out: string): { filters: string[]; autocrlf: string | undefined } {
  const filters = new Set<string>();
  let autocrlf: string | undefined;
  for (const item of out.split('\0').filter(Boolean)) {
    const nl = item.indexOf('\n');
    const key = nl < 0 ? item : item.slice(0, nl);
    const value = nl < 0 ? 'true' : item.slice(nl + 1);
    if (key === 'core.autocrlf') autocrlf = value.toLowerCase();
    // filter.<name>.<var>, where the name may hold dots; names that could not go back on a command line are left out.
    else if (key.startsWith('filter.') && key.lastIndexOf('.') > 7) {
      const name = key.slice(7, key.lastIndexOf('.'));
      if (!name.includes('=')) filters.add(name);
    }
  }
  return { filters: [...filters], autocrlf };
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}
