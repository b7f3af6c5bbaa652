import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitBytes } from '../../../src/core/checkpoints/gitBatch.js';
import { openGitStore } from '../../../src/core/checkpoints/gitStore.js';
import { programKeys } from '../../../src/core/sandbox/gitGuard.js';
import { CommandSandbox } from '../../../src/core/sandbox/commandSandbox.js';
import { sandboxSettingsSchema } from '../../../src/core/settings/schema.js';
import { runInProcessGroup } from '../../../src/core/tools/runCommand.js';

/**
 * Ways out of the sandbox found by a review, each tried for real: a command leaves something that a program run
 * outside the sandbox (bubblewrap itself, git for the checkpoints, VS Code's git) picks up afterwards.
 */
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setUp(opts: { git?: boolean; path?: (ws: string) => string } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'spec-agent-escape-'));
  const ws = join(root, 'ws');
  const outside = join(root, 'outside');
  mkdirSync(join(ws, '.kiro'), { recursive: true });
  mkdirSync(outside);
  if (opts.git !== false) {
    execFileSync('git', ['init', '-q', ws]);
    writeFileSync(join(ws, 'a.txt'), 'a\n');
    execFileSync('git', ['-C', ws, 'add', 'a.txt']);
    execFileSync('git', ['-C', ws, '-c', 'user.email=a@b.c', '-c', 'user.name=u', 'commit', '-qm', 'a']);
  }
  const path = process.env.PATH;
  if (opts.path) process.env.PATH = opts.path(ws);
  const { sandbox, status } = await CommandSandbox.open({ workspace: ws, runId: 'escape', settings: sandboxSettingsSchema.parse({}) });
  expect(status.confined, JSON.stringify(status)).toBe(true);
  cleanups.push(async () => {
    process.env.PATH = path;
    await sandbox!.close();
    rmSync(root, { recursive: true, force: true });
  });
  const run = (command: string) => runInProcessGroup(command, { cwd: ws, timeoutSeconds: 60, signal: new AbortController().signal, sandbox: sandbox! });
  /** git as VS Code's git extension or the user would run it, outside the sandbox. */
  const gitOutside = (cwd = ws) => {
    try {
      execFileSync('git', ['status', '--short'], { cwd, stdio: 'ignore' });
    } catch {
      // a broken repository is fine: what matters is what git ran
    }
  };
  return { ws, outside, run, gitOutside };
}

describe('the sandbox against what a command leaves for programs outside it', () => {
  it('a bubblewrap, git or bash planted on PATH (the project\'s node_modules/.bin) is never run', async () => {
    const { ws, outside, run } = await setUp({ path: (w) => `${join(w, 'node_modules/.bin')}:${process.env.PATH}` });
    const plant = (name: string) => `printf '#!/bin/sh\\ntouch ${outside}/PWNED_${name}\\nexec /usr/bin/${name} "$@"\\n' > node_modules/.bin/${name} && chmod +x node_modules/.bin/${name}`;
    expect((await run(`mkdir -p node_modules/.bin && ${plant('bwrap')} && ${plant('git')} && ${plant('bash')} && ${plant('socat')}`)).ok).toBe(true);
    const second = await run('echo second');
    expect(second.output).toContain('second');
    // The checkpoints' git too.
    const store = await openGitStore(ws);
    expect(store.userRepo).toBe(true);
    await gitBytes(store, ['status', '--short']);
    // The next run: its availability probe and its sandbox host start from the same PATH.
    const next = await CommandSandbox.open({ workspace: ws, runId: 'escape-next', settings: sandboxSettingsSchema.parse({}) });
    expect(next.status.confined).toBe(true);
    await next.sandbox!.close();
    expect(readdirSync(outside)).toEqual([]);
  });

  it('a .git/commondir naming a folder with its own config: the command is stopped at once and it is moved away', async () => {
    const { ws, outside, run, gitOutside } = await setUp();
    const started = Date.now();
    const r = await run(`mkdir -p .git/evil && cp -r .git/objects .git/refs .git/HEAD .git/evil/ && printf '[core]\\n\\tfsmonitor = "touch ${outside}/PWNED_COMMONDIR"\\n' > .git/evil/config && echo evil > .git/commondir && sleep 30`);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/\[sandbox\] \.git\/commondir refused by the sandbox: git would read its configuration from the folder it names/);
    expect(existsSync(join(ws, '.git/commondir'))).toBe(false);
    expect(existsSync(join(ws, '.kiro/runs/escape/quarantine/.git/commondir'))).toBe(true);
    gitOutside();
    expect(readdirSync(outside)).toEqual([]);
  });

  it('a repository made where there was none, with a config that runs a program: stopped, its config moved away', async () => {
    const { ws, outside, run, gitOutside } = await setUp({ git: false });
    const r = await run(`git init -q . && git config core.fsmonitor 'touch ${outside}/PWNED_NONGIT' && sleep 30`);
    expect(r.ok).toBe(false);
    expect(existsSync(join(ws, '.kiro/runs/escape/quarantine/.git/config'))).toBe(true);
    expect(r.output).toMatch(/\.git\/config refused by the sandbox: it makes git run a program \(core\.fsmonitor = touch /);
    gitOutside();
    expect(readdirSync(outside)).toEqual([]);
    // A plain `git init` is fine.
    const plain = await run('git init -q fresh && git -C fresh config user.name Someone && echo made');
    expect(plain.ok, plain.output).toBe(true);
    expect(plain.output).not.toContain('[sandbox]');
  });

  it('a nested repository with a config or a hook that runs a program: moved away after the command', async () => {
    const { ws, outside, run, gitOutside } = await setUp();
    const r = await run(`git init -q sub && git -C sub config core.fsmonitor 'touch ${outside}/PWNED_NESTED' && printf '#!/bin/sh\\ntouch ${outside}/PWNED_HOOK\\n' > sub/.git/hooks/post-checkout && chmod +x sub/.git/hooks/post-checkout`);
    expect(r.output).toMatch(/sub\/\.git\/config refused by the sandbox/);
    expect(r.output).toMatch(/sub\/\.git\/hooks\/post-checkout refused by the sandbox: git would run it as a hook/);
    gitOutside(join(ws, 'sub'));
    execFileSync('git', ['-C', join(ws, 'sub'), 'checkout', '-q', '-b', 'x'], { stdio: 'ignore' });
    expect(readdirSync(outside)).toEqual([]);
  });
});

describe('what the user had is not a trap', () => {
  it("a nested repository's own filter (LFS) stays when a command touches its config; a key the command adds is moved away", async () => {
    const root = mkdtempSync(join(tmpdir(), 'spec-agent-escape-own-'));
    const ws = join(root, 'ws');
    mkdirSync(join(ws, '.kiro'), { recursive: true });
    execFileSync('git', ['init', '-q', ws]);
    execFileSync('git', ['init', '-q', join(ws, 'sub')]);
    execFileSync('git', ['-C', join(ws, 'sub'), 'config', 'filter.lfs.clean', 'git-lfs clean -- %f']);
    const { sandbox } = await CommandSandbox.open({ workspace: ws, runId: 'own', settings: sandboxSettingsSchema.parse({}) });
    cleanups.push(async () => {
      await sandbox!.close();
      rmSync(root, { recursive: true, force: true });
    });
    const run = (command: string) => runInProcessGroup(command, { cwd: ws, timeoutSeconds: 60, signal: new AbortController().signal, sandbox: sandbox! });
    const touched = await run('git -C sub config user.name Someone && git -C sub config --get filter.lfs.clean');
    expect(touched.ok, touched.output).toBe(true);
    expect(touched.output).not.toContain('[sandbox]');
    expect(execFileSync('git', ['-C', join(ws, 'sub'), 'config', '--get', 'filter.lfs.clean']).toString().trim()).toBe('git-lfs clean -- %f');
    const added = await run("git -C sub config core.pager 'less -R'");
    expect(added.output).toMatch(/sub\/\.git\/config refused by the sandbox: it makes git run a program \(core\.pager = less -R\)/);
  });
});

describe('programKeys', () => {
  it('finds the keys of a git config that run programs, not the others', () => {
    const config = [
      '[core]',
      '\trepositoryformatversion = 0',
      '\tfsmonitor = true',
      '\tsshCommand = ssh -i key',
      '[alias]',
      '\tst = status',
      '\tx = !sh -c evil',
      '[filter "lfs"]',
      '\tclean = git-lfs clean -- %f',
      '[includeIf "gitdir:~/w/"]',
      '\tpath = ~/evil.inc',
      '[user]',
      '\tname = U',
      '[pager] log = less',
    ].join('\n');
    expect(programKeys(config)).toEqual(['core.sshcommand = ssh -i key', 'alias.x = !sh -c evil', 'filter.clean = git-lfs clean -- %f', 'includeif.path = ~/evil.inc', 'pager.log = less']);
    expect(programKeys('[core]\n\tbare = false\n\tfsmonitor = false\n')).toEqual([]);
  });
});

