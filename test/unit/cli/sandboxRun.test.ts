import { execa } from 'execa';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runEventSchema, type RunEvent } from '../../../src/core/runs/events.js';
import { budget } from '../../support/budget.js';
import { pathWithoutBubblewrap } from '../../support/noSandbox.js';

const ROOT = resolve(__dirname, '../../..');
const TASKS = '.kiro/specs/todo-priorities/tasks.md';
process.env.SPEC_AGENT_CHECKPOINTS_DIR = join(tmpdir(), 'spec-agent-run-test-stores');
process.env.SPEC_AGENT_ACCEPTANCE_FILE = join(mkdtempSync(join(tmpdir(), 'spec-agent-accept-')), 'accepted.json');

/** The example app at full, with a replay that runs `node --version` (in no allowlist) and then completes. */
function workspace(sandboxMode: 'auto' | 'required'): string {
  const ws = mkdtempSync(join(tmpdir(), 'spec-agent-sandbox-run-'));
  cpSync(join(ROOT, 'examples/todo-app'), ws, { recursive: true });
  writeFileSync(join(ws, '.kiro/settings.json'), JSON.stringify({ agent: { autonomyLevel: 'full', allowedCommands: ['npm test'], verifyCommands: ['npm test'], sandbox: { mode: sandboxMode } } }));
  mkdirSync(join(ws, 'replay'));
  writeFileSync(
    join(ws, 'replay/script.json'),
    JSON.stringify({
      turns: [
        { text: 'Checking node.', toolCalls: [{ tool: 'run_command', input: { command: 'node --version' } }] },
        { text: 'Done.', toolCalls: [{ tool: 'complete_task', input: { summary: 'nothing to change' } }] },
        { text: 'Done.', toolCalls: [{ tool: 'complete_task', input: { summary: 'nothing to change' } }] },
      ],
    }),
  );
  return ws;
}

const events = (stdout: string): RunEvent[] => stdout.split('\n').filter(Boolean).map((l) => runEventSchema.parse(JSON.parse(l)));

describe('spec-agent run where no sandbox can be made (RULES.md §4 S6)', () => {
  it('says so on stderr, in run.started and summary.json, and full decides commands as balanced does', { timeout: budget({ verifiedRun: 1 }) }, async () => {
    const ws = workspace('auto');
    const r = await execa(process.execPath, [inject('cliPath'), 'run', TASKS, '--task', '2.1', '--model', 'replay:replay/script.json', '--json', '--accept-policy'], { cwd: ws, reject: false, env: { PATH: pathWithoutBubblewrap() } });
    expect(r.stderr).toMatch(/^spec-agent: commands are not sandboxed: bubblewrap is not installed .*; they run with your full access, and the full level decides commands as balanced does\.$/m);
    const ev = events(r.stdout);
    expect(ev[0]).toMatchObject({ type: 'run.started', level: 'full', sandbox: { confined: false, mode: 'auto' } });
    // `node --version` is in no allowlist: at full it would run; unconfined, it asks (and no one is there to answer).
    const requested = ev.find((x) => x.type === 'tool.requested' && x.tool === 'run_command') as Extract<RunEvent, { type: 'tool.requested' }>;
    const decided = ev.find((e) => e.type === 'gate.decided' && e.callId === requested.callId);
    expect(decided).toMatchObject({ verdict: 'ask', rule: 'C8' });
    expect((decided as { reason: string }).reason).toContain('full decides commands as balanced does');
    // The allowlisted check still runs, unconfined.
    expect(ev.find((e) => e.type === 'task.completed')).toMatchObject({ verified: true });
    const summary = JSON.parse(readFileSync(join(ws, '.kiro/runs', ev[0]!.runId, 'summary.json'), 'utf8'));
    expect(summary.sandbox).toMatchObject({ confined: false, why: expect.stringContaining('bubblewrap is not installed') });
    expect((await execa(process.execPath, [inject('cliPath'), 'runs', 'show', ev[0]!.runId], { cwd: ws })).stdout).toMatch(/^commands: not sandboxed: bubblewrap is not installed/m);
  });

  it('with sandbox.mode "required", no command runs, the checks included (rule S6)', { timeout: budget({ run: 1 }) }, async () => {
    const ws = workspace('required');
    const r = await execa(process.execPath, [inject('cliPath'), 'run', TASKS, '--task', '2.1', '--model', 'replay:replay/script.json', '--json', '--accept-policy'], { cwd: ws, reject: false, env: { PATH: pathWithoutBubblewrap() } });
    expect(r.stderr).toContain('sandbox.mode is "required", so no command will run');
    const ev = events(r.stdout);
    const denied = ev.filter((e) => e.type === 'gate.decided' && e.verdict === 'deny');
    expect(denied.length).toBeGreaterThan(0);
    for (const d of denied) expect(d).toMatchObject({ rule: 'S6' });
    expect(ev.some((e) => e.type === 'tool.output')).toBe(false);
    expect(ev.find((e) => e.type === 'task.completed')).toBeUndefined();
  });

  it('on this machine the same run is confined, and says so', { timeout: budget({ verifiedRun: 1 }) }, async () => {
    const ws = workspace('auto');
    const r = await execa(process.execPath, [inject('cliPath'), 'run', TASKS, '--task', '2.1', '--model', 'replay:replay/script.json', '--accept-policy'], { cwd: ws, reject: false });
    expect(r.stdout).toContain('commands run sandboxed (bubblewrap)');
    expect(r.stderr).not.toContain('not sandboxed');
  });
});

describe('spec-agent run as an unprivileged user (bubblewrap without root)', () => {
  it("an allowed `npm test` of a test file the agent wrote cannot write outside, read ~/.ssh, see the keys, reach the host or leave a process; it writes inside", { timeout: budget({ cli: 1, verifiedRun: 1 }) }, async () => {
    const root = mkdtempSync(join(tmpdir(), 'spec-agent-unpriv-'));
    const ws = join(root, 'project');
    const home = join(root, 'home');
    const outside = join(root, 'outside');
    cpSync(join(ROOT, 'examples/todo-app'), ws, { recursive: true });
    mkdirSync(join(home, '.ssh'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(home, '.ssh/id_rsa'), 'PRIVATE-KEY-DO-NOT-LEAK\n');
    writeFileSync(join(ws, '.kiro/settings.json'), JSON.stringify({ agent: { autonomyLevel: 'balanced', allowedCommands: ['npm test'], verifyCommands: [] } }));
    const { createServer } = await import('node:http');
    const hits: string[] = [];
    const server = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('reached');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const marker = 876_000 + Math.floor(Math.random() * 999);
    const testFile = `const fs = require('node:fs');
const { spawn } = require('node:child_process');
const http = require('node:http');
const tryIt = (name, fn) => { try { console.log(name, 'OK', String(fn()).slice(0, 60)); } catch (e) { console.log(name, 'REFUSED', e.code); } };
tryIt('write-outside', () => fs.writeFileSync(${JSON.stringify(join(outside, 'pwned.txt'))}, 'x'));
tryIt('read-key', () => fs.readFileSync(${JSON.stringify(join(home, '.ssh/id_rsa'))}, 'utf8'));
console.log('env', process.env.OPENAI_API_KEY || '-', process.env.GITHUB_TOKEN || '-');
tryIt('write-inside', () => { fs.writeFileSync('inside.txt', 'written'); return 'done'; });
spawn('sleep', ['${marker}'], { detached: true, stdio: 'ignore' }).unref();
http.get('http://127.0.0.1:${port}/x', (res) => console.log('network OK', res.statusCode)).on('error', (e) => console.log('network REFUSED', e.code));
`;
    mkdirSync(join(ws, 'replay'));
    writeFileSync(
      join(ws, 'replay/script.json'),
      JSON.stringify({
        turns: [
          { text: 'A test.', toolCalls: [{ tool: 'write_file', input: { path: 'test/evil.test.js', content: testFile } }] },
          { text: 'Running it.', toolCalls: [{ tool: 'run_command', input: { command: 'npm test' } }] },
          { text: 'Done.', toolCalls: [{ tool: 'complete_task', input: { summary: 'done' } }] },
        ],
      }),
    );
    // As root the whole run is made as `nobody`; as anyone else it runs as that user.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) await execa('chown', ['-R', 'nobody:nogroup', root]);
    // The bundle, copied where that user can read it (the project may sit in root's home).
    const bundle = join(root, 'bundle');
    cpSync(dirname(inject('cliPath')), bundle, { recursive: true });
    await execa('chmod', ['-R', 'a+rX', bundle]);
    const cmd = [process.execPath, join(bundle, 'cli.js'), 'run', TASKS, '--task', '2.1', '--model', 'replay:replay/script.json', '--json', '--accept-policy'];
    const env = { PATH: process.env.PATH!, HOME: home, OPENAI_API_KEY: 'sk-do-not-leak', GITHUB_TOKEN: 'ghp-do-not-leak', SPEC_AGENT_CHECKPOINTS_DIR: join(root, 'stores'), SPEC_AGENT_ACCEPTANCE_FILE: join(root, 'accepted.json') };
    const r = asRoot
      ? await execa('setpriv', ['--reuid=nobody', '--regid=nogroup', '--init-groups', ...cmd], { cwd: ws, reject: false, env, extendEnv: false })
      : await execa(cmd[0]!, cmd.slice(1), { cwd: ws, reject: false, env, extendEnv: false });
    server.close();
    const ev = events(r.stdout);
    expect(ev[0], r.stderr).toMatchObject({ type: 'run.started', sandbox: { confined: true } });
    const npmTest = ev.find((e) => e.type === 'tool.finished' && /write-outside/.test(e.output)) as { output: string } | undefined;
    expect(npmTest, r.stdout.slice(-2000)).toBeDefined();
    const out = npmTest!.output;
    expect(out).toMatch(/write-outside REFUSED (EROFS|EACCES|ENOENT)/);
    expect(out).toMatch(/read-key REFUSED/);
    expect(out).toContain('env - -');
    expect(out).toMatch(/write-inside OK done/);
    expect(out).toMatch(/network REFUSED/);
    expect(r.stdout).not.toMatch(/do-not-leak|PRIVATE-KEY/);
    expect(readFileSync(join(ws, 'inside.txt'), 'utf8')).toBe('written');
    expect(readdirSync(outside)).toEqual([]);
    expect(hits).toEqual([]);
    expect((await execa('ps', ['-eo', 'args'])).stdout).not.toContain(`sleep ${marker}`);
  });
});
