import { execa } from 'execa';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { budget } from '../../support/budget.js';

const ROOT = resolve(__dirname, '../../..');
const TASKS = '.kiro/specs/todo-priorities/tasks.md';

/**
 * What a user does on a machine of their own: pack the CLI (scripts/packCli.mjs, as `npm run pack:cli` does,
 * from the bundle globalSetup built with the layout of dist/), install the tarball globally into a prefix of
 * its own, and run `spec-agent` from that prefix's bin in a repository that is not this clone. The install
 * fetches @vscode/ripgrep and its platform package from the registry, or from npm's cache when it has them
 * (--prefer-offline): about 6 s on the project's 2-core machine under load.
 */
describe('npm pack of the clone (what an install from git packs after `prepare`)', () => {
  // npm starts about as slowly as the CLI, and lists a few hundred files.
  it('keeps the bundles and what they load beside themselves, not the sources, the tests or the test bundles', { timeout: budget({ cli: 3 }) }, async () => {
    const r = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, env: { ...process.env, npm_config_update_notifier: 'false' } });
    const files: string[] = JSON.parse(r.stdout)[0].files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE']));
    const outside = files.filter((f) => !['package.json', 'README.md', 'LICENSE'].includes(f) && !/^dist\/(cli\.js|extension\.js|sandboxHost\.mjs|kiro-settings\.schema\.json|[\w-]+\.wasm|vendor\/.+|webview\/.+)$/.test(f));
    expect(outside).toEqual([]);
  });
});

describe('the CLI package, installed as a user installs it', () => {
  // npm twice (pack, then install: a few seconds when its cache has @vscode/ripgrep), five starts of the CLI, a run.
  it('packs dist/ only, installs with `npm install -g`, and runs --help (and `runs --help` for its subcommands), parse, policy check and a run that searches with its own ripgrep', { timeout: budget({ cli: 13, run: 1 }) }, async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'spec-agent-install-'));
    // No update check against the registry; the user's global prefix and npm settings stay untouched.
    const npmEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
    const packed = await execa('node', [join(ROOT, 'scripts/packCli.mjs'), '--dist', dirname(inject('cliPath')), '--out', tmp], { env: npmEnv });
    const tarball = packed.stdout.trim();
    expect(tarball).toBe(join(tmp, 'spec-agent-cli-0.1.0.tgz'));

    // The tarball holds the bundle and what it loads beside itself, never the sources or the tests.
    const files = (await execa('tar', ['tzf', tarball])).stdout.split('\n').sort();
    expect(files.filter((f) => !f.startsWith('package/dist/vendor/'))).toEqual([
      'package/LICENSE',
      'package/README.md',
      'package/dist/cli.js',
      'package/dist/sandboxHost.mjs',
      'package/dist/tree-sitter-bash.wasm',
      'package/dist/tree-sitter.wasm',
      'package/package.json',
    ]);
    expect(files).toContain('package/dist/vendor/seccomp/x64/apply-seccomp');
    const manifest = JSON.parse((await execa('tar', ['xzOf', tarball, 'package/package.json'])).stdout);
    expect(manifest).toMatchObject({ name: 'spec-agent-cli', bin: { 'spec-agent': 'dist/cli.js' }, engines: { node: '>=20.19' } });
    expect(Object.keys(manifest.dependencies)).toEqual(['@vscode/ripgrep']);
    expect(manifest.scripts).toBeUndefined();

    const prefix = join(tmp, 'prefix');
    const installed = await execa('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', tarball], { env: npmEnv, reject: false });
    expect(installed.exitCode, installed.stderr).toBe(0);
    expect(installed.stderr).not.toContain('EBADENGINE');

    // A repository of the user's own, outside the clone, with a spec; the CLI finds nothing of the clone: not its
    // node_modules, not the test bundle's sandbox host, not an rg on PATH (only git, for checkpoints, and node).
    const repo = join(tmp, 'repo');
    cpSync(join(ROOT, 'examples/todo-app'), repo, { recursive: true });
    const settings = join(repo, '.kiro/settings.json');
    writeFileSync(settings, readFileSync(settings, 'utf8').replace('"verifyCommands": ["npm test"]', '"verifyCommands": []'));
    const path = join(tmp, 'path');
    mkdirSync(path);
    for (const program of ['git', 'node']) symlinkSync((await execa('sh', ['-c', `command -v ${program}`])).stdout.trim(), join(path, program));
    const env = {
      HOME: tmp,
      PATH: path,
      SPEC_AGENT_ACCEPTANCE_FILE: join(tmp, 'accepted.json'),
      SPEC_AGENT_CHECKPOINTS_DIR: join(tmp, 'stores'),
    };
    const specAgent = (...args: string[]) => execa(join(prefix, 'bin/spec-agent'), args, { cwd: repo, env, extendEnv: false, reject: false });

    const help = await specAgent('--help');
    expect(help.exitCode, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: spec-agent /);
    for (const command of ['parse', 'run', 'eval', 'runs', 'policy', 'checkpoint']) expect(help.stdout).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'));
    // The subcommands of `runs`, as its own --help lists them (the installed bundle has each one).
    const runsHelp = await specAgent('runs', '--help');
    expect(runsHelp.exitCode, runsHelp.stderr).toBe(0);
    for (const command of ['list', 'show', 'summary', 'resume', 'discard', 'undo-discard', 'keep', 'stats', 'prune']) expect(runsHelp.stdout).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'));

    const parse = await specAgent('parse', TASKS);
    expect(parse.exitCode, parse.stderr).toBe(0);
    expect(parse.stdout.split('\n')[0]).toBe(`${TASKS}: 6 tasks (1 done, 0 in progress, 0 queued, 5 to do)`);

    // The shell grammar (wasm beside the bundle) is found in the installed package.
    const check = await specAgent('policy', 'check', '--command', 'npm test; rm -fr ~');
    expect(check.stdout, check.stderr).toMatch(/^DENY \(rule C5/);

    // A run whose model searches: search_files runs the rg of the package's own @vscode/ripgrep dependency.
    const script = join(tmp, 'search.json');
    writeFileSync(script, JSON.stringify({ turns: [
      { toolCalls: [{ tool: 'search_files', input: { query: 'class TodoList' } }] },
      { toolCalls: [{ tool: 'complete_task', input: { summary: 'searched' } }] },
    ] }));
    const run = await specAgent('run', TASKS, '--task', '2.2', '--model', `replay:${script}`, '--accept-policy', '--json');
    expect(run.exitCode, run.stderr).toBe(0);
    const searched = run.stdout.split('\n').map((l) => JSON.parse(l)).find((e) => e.type === 'tool.finished');
    // Matches grouped per file: the path, then line:text.
    expect(searched).toMatchObject({ ok: true, output: expect.stringMatching(/^src\/todo\.js\n\s*4:class TodoList/m) });
    expect(existsSync(join(prefix, 'lib/node_modules/spec-agent-cli/node_modules/@vscode', `ripgrep-${process.platform}-${process.arch}`))).toBe(true);
  });
});
