import { execa } from 'execa';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, inject, it } from 'vitest';
import { renderer } from '../../../src/cli/runCommand.js';
import type { RunEvent } from '../../../src/core/runs/events.js';
import { budget } from '../../support/budget.js';

// The model's words, live, in a terminal (issue 13): on a TTY the answer is written as it streams in; piped, each
// turn's text is printed once, as before; --json prints what the journal keeps.
const ROOT = resolve(__dirname, '../../..');
const TASKS = '.kiro/specs/todo-priorities/tasks.md';
process.env.SPEC_AGENT_CHECKPOINTS_DIR = join(tmpdir(), 'spec-agent-run-test-stores');
process.env.SPEC_AGENT_ACCEPTANCE_FILE = join(mkdtempSync(join(tmpdir(), 'spec-agent-accept-')), 'accepted.json');

const ANSWER = 'Reading the plan first.\nThen the code, and its tests.';

/** The example app at full with no checks, and a replay script whose one answer streams in pieces of 4 characters. */
function workspace(): { ws: string; script: string } {
  const ws = mkdtempSync(join(tmpdir(), 'spec-agent-live-'));
  cpSync(join(ROOT, 'examples/todo-app'), ws, { recursive: true });
  const settings = join(ws, '.kiro/settings.json');
  writeFileSync(settings, readFileSync(settings, 'utf8').replace('"verifyCommands": ["npm test"]', '"verifyCommands": []').replace('"autonomyLevel": "balanced"', '"autonomyLevel": "full"'));
  const script = join(ws, 'replay.json');
  writeFileSync(script, JSON.stringify({ stream: { chunkChars: 4, delayMs: 2 }, turns: [{ text: ANSWER, toolCalls: [{ tool: 'list_files', input: { path: '.' } }] }, { toolCalls: [{ tool: 'complete_task', input: { summary: 'done' } }] }] }));
  return { ws, script };
}

const plain = (s: string) => s.replace(/\r\n/g, '\n').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

describe('spec-agent run: the answer as it streams', () => {
  it('on a pseudo-terminal (script -qfc) the whole answer is written as it arrives; piped, its first line once; --json has no pieces', { timeout: budget({ cli: 3, run: 3 }) }, async () => {
    // A workspace each: a run ticks the task.
    const [a, b, c] = [workspace(), workspace(), workspace()];
    const args = (w: { script: string }) => ['run', TASKS, '--task', '2.1', '--accept-policy', '--model', `replay:${w.script}`];
    const command = ['node', inject('cliPath'), ...args(a)].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    // util-linux script: a real pty for the CLI's stdin and stdout; -e: its exit code.
    const tty = await execa('script', ['-qfec', command, '/dev/null'], { cwd: a.ws, reject: false, env: { ...process.env, TERM: 'xterm' } });
    const out = plain(tty.stdout);
    expect(tty.exitCode, out).toBe(0);
    expect(out).toContain('  Reading the plan first.\n  Then the code, and its tests.\n  → list_files .');
    // The second line is there: the terminal got the streamed answer, not the one-line summary a pipe gets.
    const piped = await execa('node', [inject('cliPath'), ...args(b)], { cwd: b.ws, reject: false });
    expect(piped.exitCode, piped.stderr).toBe(0);
    expect(piped.stdout).toContain('  Reading the plan first.\n  → list_files .');
    expect(piped.stdout).not.toContain('Then the code');
    const json = await execa('node', [inject('cliPath'), ...args(c), '--json'], { cwd: c.ws, reject: false });
    const types = json.stdout.trim().split('\n').map((l) => (JSON.parse(l) as RunEvent).type);
    expect(types).toContain('model.text');
    expect(types).not.toContain('model.delta');
  });

  it('the TTY renderer: pieces written as they come, reasoning one line that becomes its count, other lines never inside the answer', () => {
    const out = new PassThrough();
    let written = '';
    out.on('data', (d: Buffer) => (written += d.toString()));
    const render = renderer(out, true);
    let seq = 0;
    const ev = (e: Record<string, unknown>) => render({ runId: 'r', seq: seq++, time: new Date().toISOString(), ...e } as RunEvent);
    const piece = (channel: 'text' | 'thinking', text: string) => render({ runId: 'r', seq, time: new Date().toISOString(), type: 'model.delta', channel, text });
    piece('thinking', 'Which ');
    piece('thinking', 'file?');
    expect(plain(written)).toBe('  (thinking…)');
    piece('text', '\nAdding ');
    piece('text', 'it.\nThen');
    expect(plain(written)).toBe('  (thinking…)\r  (thought for 11 characters)\n  Adding it.\n  Then');
    ev({ type: 'model.thinking', text: 'Which file?' });
    ev({ type: 'model.usage', inputTokens: 1, outputTokens: 2 });
    ev({ type: 'model.text', text: 'Adding it.\nThen' });
    ev({ type: 'tool.requested', callId: 'c1', tool: 'list_files', input: { path: '.' } });
    expect(plain(written)).toBe('  (thinking…)\r  (thought for 11 characters)\n  Adding it.\n  Then\n  → list_files .\n');
    // A turn that did not stream (a provider without streaming) prints as before.
    written = '';
    ev({ type: 'model.text', text: 'One line.\nAnother.' });
    expect(plain(written)).toBe('  One line.\n');
  });

  it('the TTY renderer: a rate-limit countdown, then the retried answer streaming: the answer starts on a line of its own', () => {
    const out = new PassThrough();
    let written = '';
    out.on('data', (d: Buffer) => (written += d.toString()));
    const render = renderer(out, true);
    const ev = (e: Record<string, unknown>) => render({ runId: 'r', seq: 3, time: new Date().toISOString(), ...e } as RunEvent);
    ev({ type: 'model.waiting', host: 'api.example.com', status: 429, until: new Date(Date.now() + 60_000).toISOString(), attempt: 1, retryAfter: true });
    expect(plain(written)).toMatch(/^ {2}⏳ rate-limited by api\.example\.com \(429\): retrying in (60|59) s$/);
    ev({ type: 'model.delta', channel: 'text', text: 'Retried.' });
    ev({ type: 'model.text', text: 'Retried.' });
    ev({ type: 'tool.requested', callId: 'c1', tool: 'list_files', input: { path: '.' } });
    expect(plain(written)).toMatch(/retrying in (60|59) s\n {2}Retried\.\n {2}→ list_files \.\n$/);
  });

  it('a budget raised for the run says its value with its unit, as the panel does', () => {
    const out = new PassThrough();
    let written = '';
    out.on('data', (d: Buffer) => (written += d.toString()));
    const render = renderer(out, false);
    const ev = (e: Record<string, unknown>) => render({ runId: 'r', seq: 1, time: new Date().toISOString(), ...e } as RunEvent);
    ev({ type: 'budget.raised', setting: 'maxMinutesPerTask', value: 2.5, previous: 2 });
    ev({ type: 'budget.raised', setting: 'maxTokensPerTask', value: 400_000 });
    ev({ type: 'budget.raised', setting: 'maxCostPerRun', value: 1, previous: 0.01 });
    expect(written).toBe('  maxMinutesPerTask raised for this run: 2.5 min (the settings say 2 min)\n  maxTokensPerTask raised for this run: 400,000 tokens\n  maxCostPerRun raised for this run: $1.00 (the settings say $0.010)\n');
  });
});
