// Checkpoint figures on a generated repository of 20,000 files (~200 MB), side by side with the shadow
// repository of peers (a separate git dir with core.worktree = the workspace, `git add -A && git commit` per
// checkpoint) and with a bare `git status` (the floor: one stat pass). Targets (issue 4): incremental snapshot
// <= 300 ms and within 3x of git status; first snapshot >= 2x faster than the shadow repo's first commit;
// extra disk no more than the changed blobs; discard of 50 changed files <= 500 ms.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openGitStore } from '../src/core/checkpoints/gitStore.js';
import { RunCheckpoints } from '../src/core/checkpoints/runCheckpoints.js';
import { snapshot } from '../src/core/checkpoints/snapshot.js';

const FILES = Number(process.env.SPEC_AGENT_BENCH_FILES ?? 20_000);
const FILE_BYTES = 10 * 1024;
const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_AUTHOR_NAME: 'u', GIT_AUTHOR_EMAIL: 'u@x', GIT_COMMITTER_NAME: 'u', GIT_COMMITTER_EMAIL: 'u@x' };
const git = (cwd: string, args: string[], extraEnv: Record<string, string> = {}) => execFileSync('git', args, { cwd, env: { ...env, ...extraEnv }, maxBuffer: 1 << 30 });
const du = (path: string) => Number(execFileSync('du', ['-sb', path]).toString().split('\t')[0]);
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;

async function timed<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const t = performance.now();
  const v = await fn();
  return [performance.now() - t, v];
}

function row(label: string, ms: number, extra = ''): void {
  console.log(`${label.padEnd(58)} ${ms.toFixed(0).padStart(9)} ms${extra ? `  ${extra}` : ''}`);
}

/** Incompressible content, as source trees with assets and lockfiles are closer to than to repeated text. */
function fill(_seed: number): Buffer {
  return randomBytes(FILE_BYTES);
}

const fileAt = (i: number) => `d${String(i % 200).padStart(3, '0')}/f${i}.bin`;

function changeFiles(root: string, from: number, count: number, tag: number): void {
  for (let i = from; i < from + count; i++) writeFileSync(join(root, fileAt(i * 37 % FILES)), fill(i + tag * 1_000_003));
}

export async function benchCheckpoints(): Promise<void> {
  console.log(`\ncheckpoints (a repository of ${FILES.toLocaleString('en')} files, ${mb(FILES * FILE_BYTES)})`);
  const root = mkdtempSync(join(tmpdir(), 'spec-agent-bench-repo-'));
  const shadow = mkdtempSync(join(tmpdir(), 'spec-agent-bench-shadow-'));
  try {
    for (let d = 0; d < 200; d++) mkdirSync(join(root, `d${String(d).padStart(3, '0')}`));
    for (let i = 0; i < FILES; i++) writeFileSync(join(root, fileAt(i)), fill(i));
    git(root, ['init', '-q', '-b', 'main']);
    git(root, ['add', '-A']);
    git(root, ['commit', '-q', '-m', 'initial']);
    git(root, ['status', '--porcelain']);
    const repoBytes = du(join(root, '.git'));

    const [statusMs] = await timed(() => git(root, ['status', '--porcelain'], { GIT_OPTIONAL_LOCKS: '0' }));
    row('  git status (the floor: one stat pass)', statusMs);

    // Ours: the first snapshot starts from the user's index, so tracked unchanged files are not hashed again.
    const store = await openGitStore(root);
    const [firstMs] = await timed(() => snapshot(store, { ref: 'bench/first' }));
    changeFiles(root, 0, 10, 1);
    const [incMs] = await timed(() => snapshot(store, { ref: 'bench/incremental' }));

    // Peer: a shadow repository with the workspace as its work tree.
    const shadowEnv = { GIT_DIR: shadow, GIT_WORK_TREE: root };
    git(root, ['init', '-q', '--bare', shadow]);
    const [shadowFirstMs] = await timed(() => {
      git(root, ['add', '-A'], shadowEnv);
      git(root, ['commit', '-q', '-m', 'checkpoint'], shadowEnv);
    });
    changeFiles(root, 10, 10, 2);
    const [shadowIncMs] = await timed(() => {
      git(root, ['add', '-A'], shadowEnv);
      git(root, ['commit', '-q', '-m', 'checkpoint'], shadowEnv);
    });
    const [incMs2] = await timed(() => snapshot(store, { ref: 'bench/incremental2' }));

    row('  first snapshot (ours)', firstMs, `shadow repo first commit ${shadowFirstMs.toFixed(0)} ms: ours is ${(shadowFirstMs / firstMs).toFixed(1)}x faster (target >= 2x)`);
    row('  incremental snapshot after 10 changed files (ours)', Math.min(incMs, incMs2), `= ${(Math.min(incMs, incMs2) / statusMs).toFixed(1)}x git status (target <= 300 ms, <= 3x)`);
    row('  incremental commit after 10 changed files (shadow repo)', shadowIncMs, `ours / shadow = ${(Math.min(incMs, incMs2) / shadowIncMs).toFixed(2)}`);

    // Discard of a run that changed 50 files.
    const run = await RunCheckpoints.start(store, 'bench');
    await run.beforeStep('change 50 files');
    changeFiles(root, 100, 50, 3);
    await run.afterStep('change 50 files');
    const [discardMs, discard] = await timed(() => run.discard());
    row('  discard of a run that changed 50 files', discardMs, `${discard.written.length} files restored (target <= 500 ms)`);

    const ourExtra = du(join(root, '.git')) - repoBytes;
    const changedBlobs = (10 + 10 + 50 * 2) * FILE_BYTES;
    console.log(`${'  extra disk: ours (new objects and the private index)'.padEnd(58)} ${mb(ourExtra).padStart(12)}  changed blobs ${mb(changedBlobs)} + private index ${mb(du(store.indexFile))}`);
    console.log(`${'  extra disk: shadow repository (a second object store)'.padEnd(58)} ${mb(du(shadow)).padStart(12)}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(shadow, { recursive: true, force: true });
  }
  for (const attributes of ['* text=auto', '* text eol=crlf']) await benchConverted(attributes);
}

/**
 * Snapshots stay byte-exact where git converts line endings (issue 11): a repository of CRLF text files with
 * the given attributes. The files git would convert are hashed as their bytes are, which costs more where their
 * stat data cannot be kept (`text` with CRLF files: git's own comparison converts).
 */
async function benchConverted(attributes: string): Promise<void> {
  const count = Math.min(FILES, 5000);
  const root = mkdtempSync(join(tmpdir(), 'spec-agent-bench-eol-'));
  try {
    const text = (i: number) => Buffer.from(`line ${i}\r\n`.repeat(200));
    for (let d = 0; d < 50; d++) mkdirSync(join(root, `d${d}`));
    const path = (i: number) => join(root, `d${i % 50}`, `t${i}.txt`);
    for (let i = 0; i < count; i++) writeFileSync(path(i), text(i));
    writeFileSync(join(root, '.gitattributes'), `${attributes}\n`);
    git(root, ['init', '-q', '-b', 'main']);
    git(root, ['-c', 'core.safecrlf=false', 'add', '-A']);
    git(root, ['commit', '-q', '-m', 'initial']);
    const [openMs, store] = await timed(() => openGitStore(root));
    const [firstMs] = await timed(() => snapshot(store));
    for (let i = 0; i < 10; i++) writeFileSync(path(i * 7), text(i + count));
    const [incMs] = await timed(() => snapshot(store));
    row(`  ${attributes}, ${count} CRLF files: open + 1st snapshot`, openMs + firstMs, `incremental after 10 changed files ${incMs.toFixed(0)} ms`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
