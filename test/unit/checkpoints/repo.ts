import { execa } from 'execa';
import { lstat, mkdtemp, readdir, readFile, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A real git repository in a temp folder, with a committer identity and no global config. */
export async function makeRepo(): Promise<{ dir: string; git: (...args: string[]) => Promise<string> }> {
  const dir = await mkdtemp(join(tmpdir(), 'spec-agent-ckpt-'));
  const env = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_OPTIONAL_LOCKS: '0', GIT_AUTHOR_NAME: 'User', GIT_AUTHOR_EMAIL: 'user@example.com', GIT_COMMITTER_NAME: 'User', GIT_COMMITTER_EMAIL: 'user@example.com' };
  const git = async (...args: string[]) => (await execa('git', args, { cwd: dir, env, stripFinalNewline: false })).stdout;
  await git('init', '-q', '-b', 'main');
  return { dir, git };
}

export interface FileState {
  kind: 'file' | 'symlink';
  mode: number;
  content: string;
}

/** Every path of the work tree (outside .git) with its bytes (base64), kind and exec bit. */
export async function treeState(root: string, skip: (rel: string) => boolean = () => false): Promise<Record<string, FileState>> {
  const out: Record<string, FileState> = {};
  const walk = async (rel: string) => {
    for (const name of await readdir(join(root, rel))) {
      const path = rel ? `${rel}/${name}` : name;
      if (name === '.git' || skip(path)) continue;
      const abs = join(root, path);
      const info = await lstat(abs);
      if (info.isDirectory()) await walk(path);
      else if (info.isSymbolicLink()) out[path] = { kind: 'symlink', mode: 0, content: await readlink(abs) };
      else out[path] = { kind: 'file', mode: info.mode & 0o111 ? 0o755 : 0o644, content: (await readFile(abs)).toString('base64') };
    }
  };
  await walk('');
  return out;
}
