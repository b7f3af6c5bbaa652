import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandSandbox } from '../../../src/core/sandbox/commandSandbox.js';
import { sandboxSettingsSchema } from '../../../src/core/settings/schema.js';
import { runInProcessGroup } from '../../../src/core/tools/runCommand.js';

/**
 * RULES.md §4 on this machine, with a real bubblewrap: what a test file the agent wrote can do when an allowed
 * `npm test` runs it. A machine without a sandbox fails here (CI installs bubblewrap), it never skips.
 */
describe('commands run confined (bubblewrap)', () => {
  let root: string;
  let ws: string;
  let home: string;
  let outside: string;
  let server: Server;
  let port: number;
  let sandbox: CommandSandbox;
  const serverHits: string[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'spec-agent-sandbox-'));
    ws = join(root, 'project');
    home = join(root, 'home');
    outside = join(root, 'outside');
    for (const d of [ws, join(home, '.ssh'), outside, join(ws, '.kiro')]) mkdirSync(d, { recursive: true });
    writeFileSync(join(home, '.ssh/id_rsa'), 'PRIVATE-KEY-DO-NOT-LEAK\n');
    execFileSync('git', ['init', '-q', ws]);
    server = createServer((req, res) => {
      serverHits.push(req.url ?? '');
      res.end('reached');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    const opened = await CommandSandbox.open({ workspace: ws, runId: 'test-run', settings: sandboxSettingsSchema.parse({}), home });
    expect(opened.status).toEqual({ confined: true, backend: 'bubblewrap' });
    sandbox = opened.sandbox!;
  });

  afterAll(async () => {
    await sandbox?.close();
    server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const run = (command: string, timeoutSeconds = 60) => runInProcessGroup(command, { cwd: ws, timeoutSeconds, signal: new AbortController().signal, sandbox });

  it('a test file the agent wrote cannot write outside, read ~/.ssh, see the keys, reach the host or leave a daemon; its write inside works', async () => {
    process.env.OPENAI_API_KEY = 'sk-test-do-not-leak';
    process.env.SOME_SERVICE_TOKEN = 'tok-do-not-leak';
    const marker = 987_000 + Math.floor(Math.random() * 999);
    writeFileSync(
      join(ws, 'evil.test.js'),
      `const fs = require('node:fs');
const { spawn } = require('node:child_process');
const http = require('node:http');
const tryIt = (name, fn) => { try { console.log(name, 'OK', String(fn()).slice(0, 80)); } catch (e) { console.log(name, 'REFUSED', e.code, e.message); } };
tryIt('write-outside', () => fs.writeFileSync(${JSON.stringify(join(outside, 'pwned.txt'))}, 'x'));
tryIt('read-key', () => fs.readFileSync(${JSON.stringify(join(home, '.ssh/id_rsa'))}, 'utf8'));
console.log('env', process.env.OPENAI_API_KEY || '-', process.env.SOME_SERVICE_TOKEN || '-');
tryIt('write-inside', () => { fs.writeFileSync('inside.txt', 'written'); return 'done'; });
tryIt('write-kiro', () => fs.writeFileSync('.kiro/settings.json', '{}'));
tryIt('write-hook', () => fs.writeFileSync('.git/hooks/pre-commit', '#!/bin/sh'));
spawn('sleep', ['${marker}'], { detached: true, stdio: 'ignore' }).unref();
http.get('http://127.0.0.1:${port}/from-sandbox', (res) => console.log('network OK', res.statusCode)).on('error', (e) => console.log('network REFUSED', e.code));
`,
    );
    writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: 'p', version: '1.0.0', scripts: { test: 'node evil.test.js' } }));
    try {
      const r = await run('npm test');
      expect(r.output).toMatch(/write-outside REFUSED (EROFS|EACCES)/);
      expect(r.output).toMatch(/read-key REFUSED/);
      expect(r.output).not.toContain('PRIVATE-KEY');
      expect(r.output).toContain('env - -');
      expect(r.output).not.toMatch(/do-not-leak/);
      expect(r.output).toMatch(/write-inside OK done/);
      expect(r.output).toMatch(/write-kiro REFUSED/);
      expect(r.output).toMatch(/write-hook REFUSED/);
      expect(r.output).toMatch(/network REFUSED/);
      // The refusals are said in words the model understands.
      expect(r.output).toMatch(/\[sandbox\] write to .*refused by the sandbox/);
    } finally {
      delete process.env.OPENAI_API_KEY;
      delete process.env.SOME_SERVICE_TOKEN;
    }
    expect(existsSync(join(outside, 'pwned.txt'))).toBe(false);
    expect(readFileSync(join(ws, 'inside.txt'), 'utf8')).toBe('written');
    expect(serverHits).toEqual([]);
    // What the command started in the background ended with it.
    expect(execFileSync('ps', ['-eo', 'args']).toString()).not.toContain(`sleep ${marker}`);
  });

  it('git works inside the workspace: add -A, commit, branch, stash; no stand-in file shows for what is protected but absent', async () => {
    rmSync(join(ws, 'evil.test.js'));
    rmSync(join(ws, '.git/hooks'), { recursive: true, force: true });
    writeFileSync(join(ws, 'a.txt'), 'one\n');
    const r = await run('git add -A && git -c user.email=a@b.c -c user.name=Agent commit -qm first && git branch feature && echo two >> a.txt && git stash -q && git stash list && git branch --list && ls -A');
    expect(r.ok, r.output).toBe(true);
    expect(r.output).toContain('stash@{0}');
    expect(r.output).toContain('feature');
    // A hook cannot be planted for git to run later, outside the sandbox: .git/hooks is made, and read-only.
    const hook = await run('mkdir -p .git/hooks && echo "#!/bin/sh" > .git/hooks/post-checkout');
    expect(hook.ok).toBe(false);
    expect(existsSync(join(ws, '.git/hooks/post-checkout'))).toBe(false);
    // .vscode/ (VS Code runs its tasks and settings outside any sandbox) is made, empty, and read-only to commands.
    const tasks = await run('echo {} > .vscode/tasks.json');
    expect(tasks.ok).toBe(false);
    expect(tasks.output).toMatch(/\[sandbox\] write to .*\.vscode\/tasks\.json refused/);
    expect(readdirSync(join(ws, '.vscode'))).toEqual([]);
  });

  it('a host that is not allowed is refused, and the refusal names it and what to do', async () => {
    const r = await run('curl -sS -m 20 https://example.com -o /dev/null');
    expect(r.ok).toBe(false);
    expect(r.output).toContain('network access to example.com:443 refused by the sandbox');
    expect(r.output).toContain('sandbox.allowedDomains');
  });

  it('the package registry the project uses is reachable: npm install of a dev dependency works (its cache in the run\'s temp folder)', async () => {
    writeFileSync(join(ws, 'package.json'), JSON.stringify({ name: 'p', version: '1.0.0', private: true }));
    const r = await run('npm install --save-dev is-number@7.0.0 --no-audit --no-fund', 180);
    expect(r.ok, r.output).toBe(true);
    expect(JSON.parse(readFileSync(join(ws, 'node_modules/is-number/package.json'), 'utf8')).version).toBe('7.0.0');
    expect(JSON.parse(readFileSync(join(ws, 'package.json'), 'utf8')).devDependencies).toEqual({ 'is-number': '^7.0.0' });
    expect(existsSync(join(ws, 'package-lock.json'))).toBe(true);
  });
});

describe('where no sandbox can be made', () => {
  it('says why (bubblewrap missing), and mode off says so', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'spec-agent-nosandbox-'));
    const path = process.env.PATH;
    process.env.PATH = join(ws, 'empty-bin');
    try {
      const r = await CommandSandbox.open({ workspace: ws, runId: 'no-bwrap', settings: sandboxSettingsSchema.parse({}) });
      expect(r.sandbox).toBeUndefined();
      expect(r.status).toMatchObject({ confined: false, mode: 'auto' });
      expect((r.status as { why: string }).why).toMatch(/bubblewrap|bwrap|socat|ripgrep|rg/i);
    } finally {
      process.env.PATH = path;
    }
    const off = await CommandSandbox.open({ workspace: ws, runId: 'off', settings: sandboxSettingsSchema.parse({ mode: 'off' }) });
    expect(off.status).toEqual({ confined: false, mode: 'off', why: 'sandbox.mode is "off" in .kiro/settings.json' });
    rmSync(ws, { recursive: true, force: true });
  });
});
