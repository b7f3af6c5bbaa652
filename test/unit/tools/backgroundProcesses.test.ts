import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackgroundProcesses, type BackgroundEvents } from '../../../src/core/tools/backgroundProcesses.js';
import { readOutputTool } from '../../../src/core/tools/readOutput.js';
import { runCommandTool } from '../../../src/core/tools/runCommand.js';
import { RUN_MARKER } from '../../../src/core/tools/runProcesses.js';
import type { ToolContext } from '../../../src/core/tools/types.js';
import { running, workspace } from './workspace.js';

/** A "dev server": listens on a free port of 127.0.0.1, says which, answers every request, never ends on its own. */
const SERVER = `const http = require('node:http');
const server = http.createServer((req, res) => { console.log('GET ' + req.url); res.end('hello from the dev server'); });
server.listen(0, '127.0.0.1', () => console.log('listening on ' + server.address().port));
`;

/** A run's background processes in a fresh workspace, with the events they send, and a way to wait for one. */
async function setup(files: Record<string, string> = {}) {
  const { root, ctx } = await workspace(files);
  const events: Array<{ type: keyof BackgroundEvents; p: Record<string, unknown> }> = [];
  const waiters: Array<() => void> = [];
  const record = (type: keyof BackgroundEvents) => (p: object) => {
    events.push({ type, p: p as Record<string, unknown> });
    for (const w of waiters.splice(0)) w();
  };
  const background = new BackgroundProcesses({ workspace: root, runId: 'run-bg', events: { started: record('started'), output: record('output'), ended: record('ended') } });
  const startedPids: number[] = [];
  const run: ToolContext = { ...ctx, runId: 'run-bg', callId: 'call-1', background, onCommandStarted: (pid) => startedPids.push(pid) };
  /** Resolves once `test` holds of the events seen so far: the tests wait for what happens, not for a time. */
  const until = async (test: () => boolean): Promise<void> => {
    while (!test()) await new Promise<void>((r) => waiters.push(r));
  };
  const printed = () => events.filter((e) => e.type === 'output').map((e) => e.p.text).join('');
  return { root, ctx: run, background, events, until, printed, startedPids };
}

describe('run_command background: true', () => {
  it('returns at once with an id; the next command reaches the server; read_output gives its new output; the task end ends it', async () => {
    const s = await setup({ 'server.js': SERVER });
    const r = await runCommandTool.run({ command: 'node server.js', background: true }, s.ctx);
    expect(r).toMatchObject({ ok: true, data: { background: true, id: 'bg-1', outputFile: '.kiro/runs/run-bg/outputs/1.log' } });
    expect(r.output).toMatch(/^started in the background as bg-1 \(pid \d+\); its output goes to \.kiro\/runs\/run-bg\/outputs\/1\.log\. read_output \{"id": "bg-1"\}/);
    const pid = r.data!.pid as number;
    // Recorded as the run's process group before anything else, like a foreground command's.
    expect(s.startedPids).toEqual([pid]);
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain(`${RUN_MARKER}=run-bg`);

    await s.until(() => /listening on \d+/.test(s.printed()));
    const port = /listening on (\d+)/.exec(s.printed())![1];
    const first = await readOutputTool.run({ id: 'bg-1' }, s.ctx);
    expect(first).toMatchObject({ ok: true, data: { id: 'bg-1', running: true, exitCode: null, offset: 0 } });
    expect(first.output).toMatch(new RegExp(`^bg-1: still running \\(pid ${pid}, for \\d+(\\.\\d)? s\\); output bytes 0-\\d+ of \\d+\\nlistening on ${port}\\n$`));

    // The model's next command, a foreground one, reaches the server (unconfined here: the same network).
    const curl = await runCommandTool.run({ command: `curl -s http://127.0.0.1:${port}/health` }, { ...s.ctx, callId: 'call-2' });
    expect(curl.output).toMatch(/^exit code 0 after .*\nhello from the dev server$/);
    await s.until(() => s.printed().includes('GET /health'));
    // Only what is new since the last read.
    const second = await readOutputTool.run({ id: 'bg-1' }, s.ctx);
    expect(second.output).toMatch(/^bg-1: still running .*; output bytes \d+-\d+ of \d+\nGET \/health\n$/);
    // From an offset, again.
    expect((await readOutputTool.run({ id: 'bg-1', offset: 0 }, s.ctx)).output).toContain(`listening on ${port}\nGET /health\n`);

    expect(s.background.running()).toEqual([{ id: 'bg-1', command: 'node server.js', pid }]);
    const ended = await s.background.endAll('task');
    expect(ended).toEqual([{ id: 'bg-1', command: 'node server.js', pid }]);
    expect(running(pid)).toBe(false);
    expect(s.events.find((e) => e.type === 'ended')?.p).toMatchObject({ callId: 'call-1', id: 'bg-1', command: 'node server.js', pid, endedBy: 'task', signal: 'SIGTERM' });
    const after = await readOutputTool.run({ id: 'bg-1' }, s.ctx);
    expect(after).toMatchObject({ data: { running: false } });
    expect(after.output).toMatch(/^bg-1: ended by the run \(task\) after .*\n\(no new output\)$/);
    // The log stays, whole, for read_file.
    expect(readFileSync(join(s.root, '.kiro/runs/run-bg/outputs/1.log'), 'utf8')).toBe(`listening on ${port}\nGET /health\n`);
  });

  it('says when a process ended on its own, with its exit code, and its last output', async () => {
    const s = await setup();
    await runCommandTool.run({ command: 'echo starting; echo oops >&2; exit 3', background: true }, s.ctx);
    await s.until(() => s.events.some((e) => e.type === 'ended'));
    expect(s.events.find((e) => e.type === 'ended')?.p).toMatchObject({ id: 'bg-1', exitCode: 3, endedBy: 'exit' });
    const r = await readOutputTool.run({ id: 'bg-1' }, s.ctx);
    expect(r).toMatchObject({ ok: true, data: { running: false, exitCode: 3 } });
    expect(r.output).toMatch(/^bg-1: exited with code 3 after \d+\.\d s; output bytes 0-14 of 14\n(starting\noops\n|oops\nstarting\n)$/);
    expect(await s.background.endAll('run')).toEqual([]);
  });

  it('ends the whole group at Stop, a child that ignores SIGTERM included (SIGKILL after the grace)', async () => {
    const s = await setup();
    await runCommandTool.run({ command: 'trap "" TERM; bash -c \'trap "" TERM; echo child $$; sleep 300\' & sleep 300', background: true }, s.ctx);
    await s.until(() => /child \d+/.test(s.printed()));
    const child = Number(/child (\d+)/.exec(s.printed())![1]);
    expect(running(child)).toBe(true);
    await s.background.endAll('stop');
    expect(running(child)).toBe(false);
    expect(s.events.find((e) => e.type === 'ended')?.p).toMatchObject({ endedBy: 'stop', signal: 'SIGKILL' });
  });

  it('reads only whole characters, and pages long output', async () => {
    const s = await setup();
    // 3-byte characters: 16 KB falls inside one.
    await runCommandTool.run({ command: 'for i in $(seq 8000); do printf "€"; done', background: true }, s.ctx);
    await s.until(() => s.events.some((e) => e.type === 'ended'));
    const first = await readOutputTool.run({ id: 'bg-1' }, s.ctx);
    expect(first.data).toMatchObject({ offset: 0, nextOffset: 16_383, size: 24_000 });
    expect(first.output).not.toContain('\uFFFD');
    expect(first.output).toMatch(/\n\[7617 more bytes: read_output again, or read \.kiro\/runs\/run-bg\/outputs\/1\.log with read_file\]$/);
    const second = await readOutputTool.run({ id: 'bg-1' }, s.ctx);
    expect(second.data).toMatchObject({ offset: 16_383, nextOffset: 24_000 });
    expect(second.output.split('\n')[1]).toBe('€'.repeat(7617 / 3));
  });

  it('names the ids there are when asked for another; without a run there is no background', async () => {
    const s = await setup();
    expect((await readOutputTool.run({ id: 'bg-9' }, s.ctx)).output).toBe('there is no background process bg-9: none was started in this run (run_command with background: true starts one)');
    await runCommandTool.run({ command: 'true', background: true }, s.ctx);
    expect(await readOutputTool.run({ id: 'bg-9' }, s.ctx)).toMatchObject({ ok: false, output: 'there is no background process bg-9; there are bg-1' });
    const { ctx } = await workspace();
    expect(await runCommandTool.run({ command: 'sleep 30', background: true }, ctx)).toMatchObject({ ok: false, output: expect.stringMatching(/^background processes are not available here/) });
    await s.background.endAll('run');
  });

  it('does not start when the run is already stopping, nor where it cannot', async () => {
    const s = await setup();
    const stop = new AbortController();
    stop.abort();
    expect(await runCommandTool.run({ command: 'touch ran', background: true }, { ...s.ctx, signal: stop.signal })).toMatchObject({ ok: false, output: 'not started: the run is stopping' });
    expect(existsSync(join(s.root, 'ran'))).toBe(false);
    expect(existsSync(join(s.root, '.kiro/runs/run-bg/outputs')) ? readdirSync(join(s.root, '.kiro/runs/run-bg/outputs')) : []).toEqual([]);
    // A process that cannot start says why and leaves no log behind.
    expect(await runCommandTool.run({ command: 'true', background: true }, { ...s.ctx, workspaceRoot: join(s.root, 'missing') })).toMatchObject({ ok: false, output: expect.stringMatching(/^could not start the command: /) });
    expect(readdirSync(join(s.root, '.kiro/runs/run-bg/outputs'))).toEqual([]);
    expect(s.background.running()).toEqual([]);
  });
});
