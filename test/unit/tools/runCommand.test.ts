import { existsSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommandTool } from '../../../src/core/tools/runCommand.js';
import { running, workspace } from './workspace.js';

/** The result without the duration its first line states (which varies): "exit code 0 after 0.1 s" -> "exit code 0". */
const plain = (r: { output: string }) => ({ ...r, output: r.output.replace(/^(.*?) after \d+(?:\.\d)? s\n/, '$1\n') });

async function pidFrom(file: string): Promise<number> {
  const pid = Number((await readFile(file, 'utf8')).trim());
  expect(pid).toBeGreaterThan(1);
  return pid;
}

describe('run_command', () => {
  it('reports the exit code, in the workspace folder, with no terminal to wait on', async () => {
    const { root, ctx } = await workspace({ 'a.txt': 'hello\n' });
    const ok = await runCommandTool.run({ command: 'cat a.txt; pwd; cat; echo "pager=$PAGER git_pager=$GIT_PAGER prompt=$GIT_TERMINAL_PROMPT"' }, ctx);
    expect(ok.output).toMatch(/^exit code 0 after \d+\.\d s\n/);
    expect(plain(ok)).toMatchObject({ ok: true, output: `exit code 0\nhello\n${root}\npager=cat git_pager=cat prompt=0\n`, data: { exitCode: 0, signal: null, timedOut: false, stopped: false, truncatedBytes: 0 } });
    expect(ok.data?.durationMs).toEqual(expect.any(Number));
    expect(plain(await runCommandTool.run({ command: 'exit 3' }, ctx))).toMatchObject({ ok: false, output: 'exit code 3\n(no output)', data: { exitCode: 3, outputBytes: 0 } });
    expect(plain(await runCommandTool.run({ command: 'kill -SEGV $$' }, ctx))).toMatchObject({ ok: false, output: 'killed by SIGSEGV\n(no output)', data: { exitCode: null, signal: 'SIGSEGV' } });
  });

  it('streams stdout and stderr through onOutput as they arrive, in order', async () => {
    const { ctx } = await workspace();
    const chunks: string[] = [];
    const r = await runCommandTool.run({ command: 'echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three; exit 1' }, { ...ctx, onOutput: (c) => chunks.push(`${c.stream}:${c.text}`) });
    expect(chunks).toEqual(['stdout:one\n', 'stderr:two\n', 'stdout:three\n']);
    expect(plain(r)).toMatchObject({ ok: false, output: 'exit code 1\none\ntwo\nthree\n', data: { exitCode: 1, outputBytes: 14 } });
  });

  it('keeps the first and last 16 KB of long output and says how much was left out', async () => {
    const { ctx } = await workspace();
    let streamed = 0;
    const r = await runCommandTool.run({ command: 'head -c 20000 /dev/zero | tr "\\0" a; head -c 60000 /dev/zero | tr "\\0" b; head -c 20000 /dev/zero | tr "\\0" c' }, { ...ctx, onOutput: (c) => (streamed += c.text.length) });
    expect(streamed).toBe(100_000);
    expect(r.data).toMatchObject({ exitCode: 0, outputBytes: 100_000, truncatedBytes: 67_232 });
    expect(plain(r).output).toBe(`exit code 0\n${'a'.repeat(16_384)}\n[... 67232 bytes omitted ...]\n${'c'.repeat(16_384)}`);
  });

  it('cuts long output only between characters', async () => {
    const { ctx } = await workspace();
    // 3-byte characters, so a cut at 16 KB falls inside one.
    const r = await runCommandTool.run({ command: 'for i in $(seq 20000); do printf "€"; done' }, ctx);
    expect(r.output).not.toContain('\uFFFD');
    const [, head, tail] = /^exit code 0\n(€+)\n\[\.\.\. (?:\d+) bytes omitted \.\.\.\]\n(€+)$/.exec(plain(r).output)!;
    expect(head!.length).toBe(5461);
    expect(tail!.length).toBe(5461);
    expect(r.data).toMatchObject({ outputBytes: 60_000, truncatedBytes: 60_000 - 2 * 5461 * 3 });
  });

  it('on timeout kills the whole process group, grandchildren included', async () => {
    const { root, ctx } = await workspace();
    const started = Date.now();
    const r = await runCommandTool.run({ command: 'sleep 30 & echo $! > grandchild.pid; bash -c "sleep 30" & echo $! > child.pid; echo started; wait', timeoutSeconds: 1 }, ctx);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r).toMatchObject({ ok: false, data: { timedOut: true, stopped: false, exitCode: null, signal: 'SIGTERM' } });
    expect(r.output).toMatch(/^timed out after 1 s \(the command and everything it started were killed; give a larger timeoutSeconds if it needs longer\)\nstarted\n$/);
    for (const file of ['grandchild.pid', 'child.pid']) expect(running(await pidFrom(join(root, file)))).toBe(false);
  });

  it('takes the timeout from the context when the model gives none', async () => {
    const { ctx } = await workspace();
    const r = await runCommandTool.run({ command: 'sleep 30' }, { ...ctx, commandTimeoutSeconds: 0.5 });
    expect(r).toMatchObject({ ok: false, data: { timedOut: true } });
    expect(r.output).toMatch(/^timed out after 0.5 s \(the command and everything it started were killed; 0.5 s is the most a command may run \(commandTimeoutSeconds in .kiro\/settings.json\); a server or a watcher runs with background: true\)/);
  });

  it('on stop kills the whole group within 3 s', async () => {
    const { root, ctx } = await workspace();
    const stop = new AbortController();
    const chunks: string[] = [];
    const started = Date.now();
    const r = await runCommandTool.run({ command: 'sleep 30 & echo $! > grandchild.pid; echo ready; sleep 30' }, { ...ctx, signal: stop.signal, onOutput: (c) => (chunks.push(c.text), stop.abort()) });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(chunks).toEqual(['ready\n']);
    expect(plain(r)).toMatchObject({ ok: false, output: 'stopped\nready\n', data: { stopped: true, timedOut: false } });
    expect(running(await pidFrom(join(root, 'grandchild.pid')))).toBe(false);
  });

  it('SIGKILLs a group that ignores SIGTERM, about 2 s after it', async () => {
    const { root, ctx } = await workspace();
    const stop = new AbortController();
    const r = runCommandTool.run({ command: 'trap "" TERM; bash -c \'trap "" TERM; sleep 30\' & echo $! > stubborn.pid; echo ready; sleep 30; sleep 30' }, { ...ctx, signal: stop.signal, onOutput: () => stop.abort() });
    const stoppedAt = await new Promise<number>((resolve) => stop.signal.addEventListener('abort', () => resolve(Date.now())));
    const result = await r;
    const waited = Date.now() - stoppedAt;
    expect(waited).toBeGreaterThanOrEqual(1900);
    expect(waited).toBeLessThan(3000);
    expect(result).toMatchObject({ ok: false, data: { stopped: true, signal: 'SIGKILL' } });
    expect(running(await pidFrom(join(root, 'stubborn.pid')))).toBe(false);
  });

  it('does not wait on a background process that holds the output open after the command ends', async () => {
    const { root, ctx } = await workspace();
    const started = Date.now();
    const r = await runCommandTool.run({ command: 'sleep 30 & echo $! > bg.pid; echo done' }, ctx);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(r).toMatchObject({ ok: true, data: { exitCode: 0, timedOut: false, stopped: false, backgroundKilled: true } });
    expect(plain(r).output).toBe('exit code 0\ndone\n\n[it left processes running in the background that held its output open; they were stopped. A server or a watcher runs with run_command background: true]');
    expect(running(await pidFrom(join(root, 'bg.pid')))).toBe(false);
  });

  it('leaves alone a background process whose output goes elsewhere', async () => {
    const { root, ctx } = await workspace();
    const r = await runCommandTool.run({ command: 'sleep 30 > /dev/null 2>&1 & echo $! > bg.pid; echo done' }, ctx);
    expect(plain(r)).toMatchObject({ ok: true, output: 'exit code 0\ndone\n' });
    const pid = await pidFrom(join(root, 'bg.pid'));
    expect(running(pid)).toBe(true);
    process.kill(pid, 'SIGKILL');
  });

  it('does not start when already stopped, and says when it cannot start', async () => {
    const { root, ctx } = await workspace();
    const stop = new AbortController();
    stop.abort();
    expect(await runCommandTool.run({ command: 'touch ran' }, { ...ctx, signal: stop.signal })).toMatchObject({ ok: false, output: 'stopped before it started', data: { stopped: true } });
    expect(existsSync(join(root, 'ran'))).toBe(false);
    expect(await runCommandTool.run({ command: 'true' }, { ...ctx, workspaceRoot: join(root, 'missing') })).toMatchObject({ ok: false, output: expect.stringMatching(/^could not start the command: /) });
  });

  it('gives nothing to answer a prompt: stdin is empty, CI=1, npm_config_yes=false, git neither asks for a password nor pages', async () => {
    const { root, ctx } = await workspace();
    // A git server that wants a password: with a terminal, or an askpass, git would wait for one.
    const server = createServer((_req, res) => {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="private"' });
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const env = await runCommandTool.run({ command: 'read line; echo "read=$? [$line] ci=$CI yes=$npm_config_yes"' }, ctx);
      expect(plain(env).output).toBe('exit code 0\nread=1 [] ci=1 yes=false\n');
      const started = Date.now();
      const clone = await runCommandTool.run({ command: `git clone http://127.0.0.1:${port}/private.git` }, ctx);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(clone).toMatchObject({ ok: false, data: { exitCode: 128, timedOut: false } });
      expect(clone.output).toMatch(/terminal prompts disabled|could not read Username/);
    } finally {
      server.close();
    }
    // A pager the user set for git is not used: the log comes back as it is.
    await writeFile(join(root, 'f.txt'), 'x\n');
    const repo = 'git init -q && git -c user.email=a@b -c user.name=a add f.txt && git -c user.email=a@b -c user.name=a commit -qm first';
    expect((await runCommandTool.run({ command: repo }, ctx)).ok).toBe(true);
    const log = await runCommandTool.run({ command: 'git -c core.pager="sh -c \'echo PAGED; cat\'" log -p --format=%s' }, ctx);
    expect(plain(log).output).toMatch(/^exit code 0\nfirst\n/);
    expect(log.output).not.toContain('PAGED');
  });

  it('caps the model\'s timeout at commandTimeoutSeconds and says so', async () => {
    const { ctx } = await workspace();
    const r = await runCommandTool.run({ command: 'sleep 30', timeoutSeconds: 7200 }, { ...ctx, commandTimeoutSeconds: 1 });
    expect(r).toMatchObject({ ok: false, data: { timedOut: true } });
    expect(r.output.split('\n').slice(0, 2)).toEqual([
      'timed out after 1 s (the command and everything it started were killed; 1 s is the most a command may run (commandTimeoutSeconds in .kiro/settings.json); a server or a watcher runs with background: true)',
      '[timeoutSeconds 7200 was cut to 1: commandTimeoutSeconds in .kiro/settings.json is the most a command may run]',
    ]);
    // A shorter one of its own is kept.
    expect((await runCommandTool.run({ command: 'sleep 30', timeoutSeconds: 0.5 }, { ...ctx, commandTimeoutSeconds: 60 })).output).toMatch(/^timed out after 0.5 s \(.*give a larger timeoutSeconds/);
  });

  it('saves the whole output of a run\'s command to the run\'s outputs folder when the result cuts it, and tells the model where', async () => {
    const { root, ctx } = await workspace();
    const run = { ...ctx, runId: 'run-out' };
    const long = await runCommandTool.run({ command: 'seq 1 30000' }, run);
    expect(long.data).toMatchObject({ outputBytes: 168_894, outputFile: '.kiro/runs/run-out/outputs/1.log' });
    expect(long.output).toMatch(/\n\[the whole output \(168894 bytes\) is in \.kiro\/runs\/run-out\/outputs\/1\.log: read it in parts with read_file, or search it with search_files\]$/);
    const saved = await readFile(join(root, '.kiro/runs/run-out/outputs/1.log'), 'utf8');
    expect(saved.split('\n')).toHaveLength(30_001);
    expect(saved).toContain('\n15000\n');
    // Short output is all in the result: nothing is kept, nothing is left half-written.
    const short = await runCommandTool.run({ command: 'echo short' }, run);
    expect(short.data).not.toHaveProperty('outputFile');
    expect(readdirSync(join(root, '.kiro/runs/run-out/outputs'))).toEqual(['1.log']);
  });
});
