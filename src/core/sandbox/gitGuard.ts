import { watch, type FSWatcher } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * What a confined command may not leave for git to run later, outside any sandbox: VS Code's git extension runs
 * `git status` on its own, and Spec Agent's checkpoints run git right after every command. The sandbox keeps
 * `.git/config` and `.git/hooks` read-only; what it cannot stand in for while absent is watched here: a
 * `.git/commondir` (git then reads the config of the folder it names), a `config.worktree`, the config and hooks
 * of submodules, a repository made where there was none (`git init` + `git config core.fsmonitor ...`), nested
 * ones included. Found while the command runs, the command is stopped; found after it, what it planted is moved
 * to the run's quarantine. Either way the run says what and why.
 */
export interface GitTrap {
  /** Workspace-relative path of what was planted. */
  path: string;
  why: string;
  /** Where it was moved, when it was. */
  movedTo?: string;
}

/** How deep below the workspace nested repositories are looked for (VS Code's git looks one level down by default). */
const NESTED_DEPTH = 3;
const SKIP_DIRS = new Set(['node_modules', '.git', '.kiro']);

/** Keys of git's config that make it run a program (per section; `*` is any subsection). */
const PROGRAM_KEYS: Record<string, RegExp> = {
  core: /^(fsmonitor|hookspath|sshcommand|pager|editor|askpass|gitproxy)$/,
  include: /^path$/,
  includeif: /^path$/,
  filter: /^(clean|smudge|process)$/,
  diff: /^(textconv|command|external)$/,
  merge: /^driver$/,
  mergetool: /^(cmd|path)$/,
  difftool: /^(cmd|path)$/,
  credential: /^helper$/,
  sequence: /^editor$/,
  gpg: /^program$/,
  pager: /./,
  remote: /^(uploadpack|receivepack)$/,
  uploadpack: /^packobjectshook$/,
  init: /^templatedir$/,
};

/** Boolean spellings: `core.fsmonitor = true` is git's own daemon, not a program of the repository's. */
const BOOLEAN = /^(true|false|yes|no|on|off|1|0)$/i;

/** The keys of a git config file that run programs, as `section.key = value` lines (empty when none). */
export function programKeys(config: string): string[] {
  const found: string[] = [];
  let section = '';
  for (const raw of config.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"[^"]*")?\s*\]\s*(.*)$/.exec(line);
    let rest = line;
    if (head) {
      section = head[1]!.toLowerCase().split('.')[0]!;
      rest = head[2]!;
      if (rest === '' || rest.startsWith('#') || rest.startsWith(';')) continue;
    }
    const kv = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(rest);
    if (!kv) continue;
    const key = kv[1]!.toLowerCase();
    const value = (kv[2] ?? 'true').trim().replace(/^"(.*)"$/, '$1');
    const runs =
      (section === 'alias' && value.startsWith('!')) ||
      (section === 'submodule' && key === 'update' && value.startsWith('!')) ||
      (PROGRAM_KEYS[section]?.test(key) === true && !(section === 'core' && key === 'fsmonitor' && BOOLEAN.test(value)));
    if (runs) found.push(`${section}.${key} = ${value}`);
  }
  return found;
}

type Signature = string;

export class GitGuard {
  private known = new Map<string, Signature>();
  /** The program keys each config file had when last checked: a submodule's own `filter.lfs` is not the agent's. */
  private knownKeys = new Map<string, Set<string>>();
  private watchers: FSWatcher[] = [];

  constructor(
    private readonly workspace: string,
    private readonly quarantine: string,
  ) {}

  /** What is there before the first command: the user's own setup is not the agent's doing. */
  async baseline(): Promise<void> {
    this.known = await this.scan();
    for (const path of this.known.keys()) this.knownKeys.set(path, new Set(await this.keysOf(path)));
  }

  private async keysOf(path: string): Promise<string[]> {
    const base = path.split('/').at(-1)!;
    if (base !== 'config' && base !== 'config.worktree') return [];
    return programKeys(await readFile(join(this.workspace, path), 'utf8').catch(() => ''));
  }

  /**
   * Calls `onTrap` as soon as something git would read appears or changes while a command runs, so the command
   * can be stopped before git (VS Code's, a terminal's) reads it. Returns the function that stops watching.
   */
  watch(onTrap: () => void): () => void {
    let looking = false;
    let again = false;
    // A name git reads appeared or changed: look whether it runs a program (a plain `git init` does not).
    const look = () => {
      if (looking) return void (again = true);
      looking = true;
      void this.planted()
        .then((found) => {
          if (found.length) onTrap();
        })
        .finally(() => {
          looking = false;
          if (again) {
            again = false;
            look();
          }
        });
    };
    const fire = (file: string | Buffer | null) => {
      const name = file === null ? '' : String(file);
      if (/^(commondir|config|config\.worktree|modules|worktrees|\.git)$/.test(name)) look();
    };
    const watching = new Set<string>();
    const follow = (dir: string) => {
      if (watching.has(dir)) return;
      try {
        const w = watch(dir, { persistent: false }, (_event, file) => {
          // A repository made during the command: its own files are watched from then on.
          if (dir === this.workspace && String(file) === '.git') follow(join(this.workspace, '.git'));
          fire(file);
        });
        w.on('error', () => undefined);
        this.watchers.push(w);
        watching.add(dir);
      } catch {
        // not there (no repository): the root's watcher sees one made
      }
    };
    follow(this.workspace);
    follow(join(this.workspace, '.git'));
    return () => {
      for (const w of this.watchers.splice(0)) w.close();
    };
  }

  /** What changed since the last check and would make git run a program (nothing is moved). */
  private async planted(now?: Map<string, Signature>): Promise<Array<{ path: string; why: string }>> {
    const found: Array<{ path: string; why: string }> = [];
    for (const [path, sig] of now ?? (await this.scan())) {
      if (this.known.get(path) === sig) continue;
      const why = await this.danger(path);
      if (why) found.push({ path, why });
    }
    return found;
  }

  /** After a command: what it planted that would run a program, moved to the quarantine. */
  async check(): Promise<GitTrap[]> {
    const now = await this.scan();
    const traps: GitTrap[] = [];
    for (const { path, why } of await this.planted(now)) {
      const movedTo = join(this.quarantine, path);
      try {
        await mkdir(dirname(movedTo), { recursive: true });
        await rename(join(this.workspace, path), movedTo);
        traps.push({ path, why, movedTo });
        now.delete(path);
      } catch {
        traps.push({ path, why });
      }
    }
    for (const path of now.keys()) if (this.known.get(path) !== now.get(path)) this.knownKeys.set(path, new Set(await this.keysOf(path)));
    this.known = now;
    return traps;
  }

  /** Why a planted file would make git run a program, or undefined when it would not. */
  private async danger(path: string): Promise<string | undefined> {
    const abs = join(this.workspace, path);
    const base = path.split('/').at(-1)!;
    if (base === 'commondir') return 'git would read its configuration from the folder it names';
    if (path.split('/').includes('hooks')) return 'git would run it as a hook';
    if (base === '.git') {
      // A .git file: `gitdir: PATH`. Outside the workspace it names a repository commands could have prepared.
      const text = await readFile(abs, 'utf8').catch(() => '');
      const target = /^gitdir:\s*(.+)$/m.exec(text)?.[1]?.trim();
      if (!target) return undefined;
      const dir = isAbsolute(target) ? target : resolve(dirname(abs), target);
      const rel = relative(this.workspace, dir);
      if (rel.startsWith('..') || isAbsolute(rel)) return `it points git at ${dir}, outside the workspace`;
      return undefined;
    }
    // Only what the command added: a config it merely touched keeps what the user had (a submodule's LFS filter).
    const had = this.knownKeys.get(path) ?? new Set<string>();
    const keys = (await this.keysOf(path)).filter((k) => !had.has(k));
    return keys.length ? `it makes git run a program (${keys.join('; ')})` : undefined;
  }

  /** The files git reads as configuration or runs, in the workspace's repository and in any nested one. */
  private async scan(): Promise<Map<string, Signature>> {
    const out = new Map<string, Signature>();
    const add = async (rel: string) => {
      const s = await lstat(join(this.workspace, rel)).catch(() => undefined);
      if (s && !s.isDirectory()) out.set(rel, `${s.size}:${s.mtimeMs}:${s.ino}`);
    };
    const gitDir = async (rel: string) => {
      const s = await lstat(join(this.workspace, rel)).catch(() => undefined);
      if (!s) return;
      if (!s.isDirectory()) return add(rel);
      for (const f of ['config', 'config.worktree', 'commondir']) await add(`${rel}/${f}`);
      for (const h of await readdir(join(this.workspace, rel, 'hooks')).catch(() => [])) if (!h.endsWith('.sample')) await add(`${rel}/hooks/${h}`);
      for (const group of ['modules', 'worktrees']) {
        for (const sub of await readdir(join(this.workspace, rel, group)).catch(() => [])) await gitDir(`${rel}/${group}/${sub}`);
      }
    };
    await gitDir('.git');
    const walk = async (dir: string, depth: number) => {
      if (depth > NESTED_DEPTH) return;
      const entries = await readdir(join(this.workspace, dir), { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        const rel = dir ? `${dir}/${e.name}` : e.name;
        if (e.name === '.git' && dir !== '') await gitDir(rel);
        else if (e.isDirectory() && !SKIP_DIRS.has(e.name)) await walk(rel, depth + 1);
      }
    };
    await walk('', 1);
    return new Map([...out].map(([k, v]) => [k.split(sep).join('/'), v]));
  }
}
