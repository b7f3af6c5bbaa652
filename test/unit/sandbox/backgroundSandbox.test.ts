import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandSandbox } from '../../../src/core/sandbox/commandSandbox.js';
import { sandboxSettingsSchema } from '../../../src/core/settings/schema.js';
import { BackgroundProcesses } from '../../../src/core/tools/backgroundProcesses.js';
import { readOutputTool } from '../../../src/core/tools/readOutput.js';
import { runCommandTool } from '../../../src/core/tools/runCommand.js';
import type { ToolContext } from '../../../src/core/tools/types.js';
import { running } from '../tools/workspace.js';

/** RULES.md §4 holds for a background process as for a foreground one, with a real bubblewrap. */
describe('background processes run confined (bubblewrap)', () => {
  let root: string;
  let ws: string;
  let outside: string;
  let sandbox: CommandSandbox;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'spec-agent-bgsandbox-'));
    ws = join(root, 'project');
    outside = join(root, 'outside');
    for (const d of [ws, outside, join(root, 'home')]) mkdirSync(d, { recursive: true });
    execFileSync('git', ['init', '-q', ws]);
    const opened = await CommandSandbox.open({ workspace: ws, runId: 'bg-run', settings: sandboxSettingsSchema.parse({}), home: join(root, 'home') });
    expect(opened.status).toEqual({ confined: true, backend: 'bubblewrap' });
    sandbox = opened.sandbox!;
  });

  afterAll(async () => {
    await sandbox?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('cannot write outside, writes inside, and is ended with what it started; a foreground command meanwhile runs confined, in a network of its own', async () => {
    const ended: string[] = [];
    let wake: () => void = () => undefined;
    let out = '';
    const background = new BackgroundProcesses({ workspace: ws, runId: 'bg-run', events: { output: (p) => ((out += p.text), wake()), ended: (p) => (ended.push(p.endedBy), wake()) } });
    const ctx: ToolContext = { workspaceRoot: ws, signal: new AbortController().signal, commandTimeoutSeconds: 60, runId: 'bg-run', sandbox, background, callId: 'c1' };
    writeFileSync(join(ws, 'server.js'), `const fs = require('node:fs');
try { fs.writeFileSync(${JSON.stringify(join(outside, 'pwned.txt'))}, 'x'); console.log('outside OK'); } catch (e) { console.log('outside REFUSED', e.code); }
fs.writeFileSync('inside.txt', 'written');
require('node:child_process').spawn('sleep', ['301.25'], { stdio: 'ignore' });
const server = require('node:http').createServer((q, s) => s.end('hi')).listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`);
    const r = await runCommandTool.run({ command: 'node server.js', background: true }, ctx);
    expect(r).toMatchObject({ ok: true, data: { background: true, sandboxed: true } });
    while (!/listening \d+/.test(out) && ended.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    expect(out, out).toMatch(/listening \d+/);
    expect(out).toMatch(/outside REFUSED (EROFS|EACCES)/);
    expect(existsSync(join(outside, 'pwned.txt'))).toBe(false);
    expect(readFileSync(join(ws, 'inside.txt'), 'utf8')).toBe('written');
    // Another command meanwhile, in its own sandbox: still confined, and the background process goes on.
    const port = /listening (\d+)/.exec(out)![1];
    const fg = await runCommandTool.run({ command: `echo x > ${join(outside, 'fg.txt')}; node -e "fetch('http://127.0.0.1:${port}/').then(r => r.text()).then(t => console.log('reached', t), e => console.log('unreachable', e.cause?.code))"` }, { ...ctx, callId: 'c2' });
    expect(existsSync(join(outside, 'fg.txt'))).toBe(false);
    // Each command has a network of its own in the sandbox: the server's port is not reachable from another
    // command, and the model was told so when it started it.
    expect(fg.output).toContain('unreachable ECONNREFUSED');
    expect(r.output).toContain('other commands cannot reach its ports');
    expect((await readOutputTool.run({ id: 'bg-1' }, ctx)).data).toMatchObject({ running: true });
    // A duration of its own: other test files (run at the same time) leave `sleep 300` helpers of theirs running.
    const pids = execFileSync('pgrep', ['-f', 'sleep 301.25']).toString().trim().split('\n').map(Number);
    await background.endAll('stop');
    expect(ended).toEqual(['stop']);
    for (const pid of pids) expect(running(pid)).toBe(false);
  });
});
