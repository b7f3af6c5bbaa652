import { execa, type ResultPromise } from 'execa';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { runEventSchema } from '../../../src/core/runs/events.js';
import { budget } from '../../support/budget.js';
import { bodies, closeServer, serve } from '../../support/wireServer.js';

const ROOT = resolve(__dirname, '../../..');
const SCRIPT = join(ROOT, 'examples/demo/replay-priorities.json');
const TASKS = '.kiro/specs/todo-priorities/tasks.md';

/** Checkpoint stores of these plain (non-git) folders go to a temp dir, not the user's cache. */
process.env.SPEC_AGENT_CHECKPOINTS_DIR = join(tmpdir(), 'spec-agent-run-test-stores');
/** Policy acceptances of these tests go to a temp file, not the user's config. */
process.env.SPEC_AGENT_ACCEPTANCE_FILE = join(mkdtempSync(join(tmpdir(), 'spec-agent-accept-')), 'accepted.json');

/** A copy of the example app whose .kiro/settings.json (balanced, `npm test` allowed) is accepted unless told not to. */
async function workspace(opts: { accepted?: boolean } = {}): Promise<string> {
  const ws = await mkdtemp(join(tmpdir(), 'spec-agent-run-'));
  cpSync(join(ROOT, 'examples/todo-app'), ws, { recursive: true });
  if (opts.accepted !== false) await execa('node', [inject('cliPath'), 'policy', 'accept'], { cwd: ws });
  return ws;
}

/**
 * The workspace at full with no verifyCommands, and `slow.sh`, a command that runs until it is stopped (not for a
 * while: a loaded machine can take longer than any while over the steps the test takes meanwhile).
 */
function slowRunAtFull(ws: string): void {
  const settings = join(ws, '.kiro/settings.json');
  writeFileSync(settings, readFileSync(settings, 'utf8').replace('"verifyCommands": ["npm test"]', '"verifyCommands": []').replace('"autonomyLevel": "balanced"', '"autonomyLevel": "full"'));
  writeFileSync(join(ws, 'slow.sh'), 'sleep 1000\n');
}

/**
 * The first line of a background CLI's stdout that `matches`, as soon as it is printed; fails with what the
 * child printed if it ends first, rather than leaving the test to its timeout.
 */
function lineOf(child: ResultPromise, matches: (line: string) => boolean): Promise<string> {
  return new Promise((done, fail) => {
    let seen = '';
    let errors = '';
    child.stderr?.on('data', (d: Buffer) => (errors += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      seen += d.toString();
      const line = seen.split('\n').find(matches);
      if (line) done(line);
    });
    void child.then((r) => fail(new Error(`spec-agent exited (${r.exitCode ?? r.signal}) before printing the line awaited:\n${seen}${errors}`)));
  });
}

describe('spec-agent run', () => {
  it("does not let the repository grant itself autonomy: an unaccepted policy runs cautious, until `policy accept` (or --accept-policy); a changed file asks again", { timeout: budget({ cli: 4, run: 1, verifiedRun: 1 }) }, async () => {
    const ws = await workspace({ accepted: false });
    const cli = (...args: string[]) => execa('node', [inject('cliPath'), ...args], { cwd: ws, reject: false });
    expect((await cli('policy', 'show')).stdout).toContain('NOT ACCEPTED');
    const before = await cli('run', TASKS, '--task', '2.1', '--model', `replay:${SCRIPT}`, '--json');
    expect(before.stderr).toContain('is not accepted on this machine: running as cautious with no allowed commands');
    expect(JSON.parse(before.stdout.split('\n')[0]!)).toMatchObject({ type: 'run.started', level: 'cautious', levelSource: 'default (.kiro/settings.json not accepted)' });

    const accepted = await cli('policy', 'accept', '--json');
    expect(accepted.exitCode, accepted.stderr).toBe(0);
    expect(JSON.parse(accepted.stdout).grants).toEqual(['autonomy level balanced (instead of cautious)', 'run without asking: npm test', 'run without asking: node --test']);
    expect((await cli('policy', 'show')).stdout).not.toContain('NOT ACCEPTED');

    const settings = join(ws, '.kiro/settings.json');
    writeFileSync(settings, readFileSync(settings, 'utf8').replace('"node --test"', '"node --test", "curl"'));
    expect((await cli('policy', 'show')).stdout).toContain('NOT ACCEPTED');
    const flagged = await cli('run', TASKS, '--task', '2.1', '--model', `replay:${SCRIPT}`, '--json', '--accept-policy');
    expect(flagged.stderr).not.toContain('not accepted');
    expect(JSON.parse(flagged.stdout.split('\n')[0]!)).toMatchObject({ type: 'run.started', level: 'balanced', levelSource: '.kiro/settings.json' });
  });

  it('runs the demo task with the replay model: NDJSON events, exit 0, the box ticked, a summary written', { timeout: budget({ cli: 1, verifiedRun: 1 }) }, async () => {
    const ws = await workspace();
    const r = await execa('node', [inject('cliPath'), 'run', TASKS, '--task', '2.1', '--model', `replay:${SCRIPT}`, '--json'], { cwd: ws, reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const events = r.stdout.split('\n').map((l) => runEventSchema.parse(JSON.parse(l)));
    expect(events[0]!.type).toBe('run.started');
    expect(events.at(-1)!.type).toBe('run.completed');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(events.find((e) => e.type === 'gate.decided' && e.verdict === 'deny')).toMatchObject({ rule: 'C5' });
    expect(events.filter((e) => e.type === 'selfcorrection')).toHaveLength(1);
    expect(events.find((e) => e.type === 'task.completed')).toMatchObject({ taskId: '2.1', verified: true, verification: [{ command: 'npm test', exitCode: 0, ok: true }] });
    // Every command's process group is journaled as it starts, the checks complete_task runs included.
    const checks = events.flatMap((e) => (e.type === 'tool.requested' && e.tool === 'complete_task' ? [e.callId] : []));
    const groups = events.flatMap((e) => (e.type === 'process.started' ? [e] : []));
    expect(checks.length).toBeGreaterThan(0);
    for (const callId of checks) expect(groups.find((g) => g.callId === callId)).toMatchObject({ pgid: expect.any(Number), marker: `SPEC_AGENT_RUN=${events[0]!.runId}` });
    expect(readFileSync(join(ws, TASKS), 'utf8')).toContain('- [x] 2.1 Store a priority on each item');
    const runId = events[0]!.runId;
    const summary = JSON.parse(readFileSync(join(ws, '.kiro/runs', runId, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ status: 'completed', selfCorrections: 1, gate: { deny: 1 } });
    expect(summary.files).toEqual([
      { path: 'src/todo.js', tool: 'write_file', added: 6, removed: 3, allowedBy: 'rule W4: write src/todo.js is an ordinary file in the workspace' },
      { path: 'test/priority.test.js', tool: 'write_file', added: 16, removed: 0, allowedBy: 'rule W4: create test/priority.test.js is an ordinary file in the workspace' },
      { path: TASKS, tool: 'other', added: 1, removed: 1 },
    ]);
    expect(r.stderr).toMatch(/no one to ask here/);
  });

  it('the history lists every refused action with its rule and who said no, under the task ticked without it (runs show, summary.json)', { timeout: budget({ cli: 4, verifiedRun: 1 }) }, async () => {
    const ws = await workspace();
    const script = JSON.parse(readFileSync(SCRIPT, 'utf8')) as { turns: Array<{ text?: string; toolCalls?: unknown[] }> };
    // Before completing: a CI workflow the task did not ask for (W3 asks first; no one is there to approve it).
    script.turns.splice(-1, 0, { text: 'Adding CI.', toolCalls: [{ tool: 'write_file', input: { path: '.github/workflows/ci.yml', content: 'on: push\n' } }] });
    writeFileSync(join(ws, 'ci.json'), JSON.stringify(script));
    const cli = (...args: string[]) => execa('node', [inject('cliPath'), ...args], { cwd: ws, reject: false });
    const r = await cli('run', TASKS, '--task', '2.1', '--model', `replay:${join(ws, 'ci.json')}`);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(existsSync(join(ws, '.github/workflows/ci.yml'))).toBe(false);
    const [run] = JSON.parse((await cli('runs', 'list', '--json')).stdout);
    const summary = JSON.parse(readFileSync(join(ws, '.kiro/runs', run.id, 'summary.json'), 'utf8'));
    expect(summary.refused).toEqual([
      { tool: 'run_command', what: 'rm -rf node_modules', rule: 'C5', reason: expect.stringMatching(/^deny: /), by: 'gate', taskId: '2.1' },
      { tool: 'write_file', what: '.github/workflows/ci.yml', rule: 'W3', reason: expect.stringContaining('asks first'), by: 'no-one-to-ask', taskId: '2.1' },
    ]);
    expect(JSON.parse((await cli('runs', 'show', run.id, '--json')).stdout).refused).toEqual(summary.refused);
    const shown = (await cli('runs', 'show', run.id)).stdout;
    expect(shown).toMatch(/\[x\] 2\.1 Store a priority on each item \(verified\)\n {6}refused: run rm -rf node_modules \(rule C5, denied: .+\)\n {6}refused: write \.github\/workflows\/ci\.yml \(rule W3, no one was there to approve it\)\n/);
  });

  // Four CLI runs, two of them with the sandbox, and the runs list and show.
  it('a parent ticked after its sub-tasks says verified only when each was, never "verified ()"', { timeout: budget({ cli: 6, run: 2, verifiedRun: 2 }) }, async () => {
    const ws = await workspace();
    const complete = { tool: 'complete_task', input: { summary: 'done' } };
    writeFileSync(join(ws, 'done.json'), JSON.stringify({ turns: [{ toolCalls: [complete] }, { toolCalls: [complete] }] }));
    const run = () => execa('node', [inject('cliPath'), 'run', TASKS, '--task', '2', '--model', `replay:${join(ws, 'done.json')}`], { cwd: ws, reject: false });
    const checked = await run();
    expect(checked.exitCode, checked.stderr).toBe(0);
    expect(checked.stdout).toContain('✓ task 2.2 done, verified (npm test)');
    expect(checked.stdout).toContain('✓ task 2 done, verified (each of its 2 sub-tasks was)');

    // Without verifyCommands nothing was checked: neither the sub-tasks nor the parent is verified.
    const ws2 = await workspace();
    writeFileSync(join(ws2, 'done.json'), readFileSync(join(ws, 'done.json')));
    const settings = join(ws2, '.kiro/settings.json');
    writeFileSync(settings, readFileSync(settings, 'utf8').replace('"verifyCommands": ["npm test"]', '"verifyCommands": []'));
    await execa('node', [inject('cliPath'), 'policy', 'accept'], { cwd: ws2 });
    const unchecked = await execa('node', [inject('cliPath'), 'run', TASKS, '--task', '2', '--model', `replay:${join(ws2, 'done.json')}`], { cwd: ws2, reject: false });
    expect(unchecked.exitCode, unchecked.stderr).toBe(0);
    // No checks set is not a failed check: said as such, with the command to add (package.json has a test script).
    expect(unchecked.stdout).toContain('✓ task 2.2 done (no verifyCommands set)');
    expect(unchecked.stdout).toContain('note: no verifyCommands set, so completed tasks are not verified: add "npm test" to agent.verifyCommands in .kiro/settings.json');
    expect(checked.stdout).not.toContain('no verifyCommands set');
    const [last] = JSON.parse((await execa('node', [inject('cliPath'), 'runs', 'list', '--json'], { cwd: ws2 })).stdout);
    expect((await execa('node', [inject('cliPath'), 'runs', 'show', last.id], { cwd: ws2 })).stdout).toContain('[x] 2.2 List open items by priority (no verifyCommands set)');
    expect(unchecked.stdout).toContain('✓ task 2 done (unverified: 0 of its 2 sub-tasks verified)');
    expect(unchecked.stdout + checked.stdout).not.toContain('verified ()');
  });

  it.each([
    [['--task', '9.9', '--model', `replay:${SCRIPT}`], /no task "9\.9" in tasks\.md/],
    [['--task', '2.1', '--model', 'openai:gpt-x'], /openai: set OPENAI_API_KEY/],
    [['--task', '2.1', '--model', 'replay:/nonexistent.json'], /replay script \/nonexistent\.json: no such file/],
    [['--task', '2.1'], /give --model/],
  ])('exits 2 on usage errors (%j)', { timeout: budget({ cli: 2 }) }, async (args, message) => {
    const ws = await workspace();
    const r = await execa('node', [inject('cliPath'), 'run', TASKS, ...args], { cwd: ws, reject: false, env: { OPENAI_API_KEY: '' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('exits 1 when the run fails (the replay script runs out before the task is done)', { timeout: budget({ cli: 1, run: 1 }) }, async () => {
    const ws = await workspace();
    writeFileSync(join(ws, 'short.json'), JSON.stringify({ turns: [{ text: 'Looking around.', toolCalls: [{ tool: 'list_files', input: {} }] }] }));
    const r = await execa('node', [inject('cliPath'), 'run', TASKS, '--task', '2.2', '--model', `replay:${join(ws, 'short.json')}`], { cwd: ws, reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/✗ failed: replay script exhausted/);
    // The task's marker went back to what it was.
    expect(readFileSync(join(ws, TASKS), 'utf8')).toContain('- [ ] 2.2 List open items by priority');
  });
  it('exits 1 when the run fails before its first step, and says why (no git on PATH); the journal ends', { timeout: budget({ cli: 2, run: 1 }) }, async () => {
    const ws = await workspace();
    const r = await execa(process.execPath, [inject('cliPath'), 'run', TASKS, '--task', '2.1', '--model', `replay:${SCRIPT}`], { cwd: ws, reject: false, env: { PATH: join(ws, 'no-git-here') } });
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/spec-agent: run \S+ failed before its first step: git is needed for checkpoints and was not found on PATH: install git, or add it to PATH$/m);
    expect(r.stderr).not.toContain('unexpected error');
    const [run] = JSON.parse((await execa('node', [inject('cliPath'), 'runs', 'list', '--json'], { cwd: ws })).stdout);
    expect(run).toMatchObject({ status: 'failed', reason: 'git is needed for checkpoints and was not found on PATH: install git, or add it to PATH' });
  });
});

describe('spec-agent runs', () => {
  it('lists and shows a run, discards its changes (the tick included) and undoes the discard', { timeout: budget({ cli: 18, git: 8, verifiedRun: 1 }) }, async () => {
    const ws = await workspace();
    const env = { GIT_AUTHOR_NAME: 'u', GIT_AUTHOR_EMAIL: 'u@x', GIT_COMMITTER_NAME: 'u', GIT_COMMITTER_EMAIL: 'u@x' };
    await execa('git', ['init', '-q'], { cwd: ws });
    await execa('git', ['add', '-A'], { cwd: ws });
    await execa('git', ['commit', '-q', '-m', 'init'], { cwd: ws, env });
    const cli = (...args: string[]) => execa('node', [inject('cliPath'), ...args], { cwd: ws, reject: false });
    expect((await cli('run', TASKS, '--task', '2.1', '--model', `replay:${SCRIPT}`)).exitCode).toBe(0);
    const [run] = JSON.parse((await cli('runs', 'list', '--json')).stdout);
    expect(run).toMatchObject({ status: 'completed', disposition: null, tasks: ['2.1 ✓'] });
    const shown = (await cli('runs', 'show', run.id)).stdout;
    expect(shown).toMatch(/\$ npm test {2}-> exit 1 {2}\(allowed by rule C8: every command matches allowedCommands \("npm test"\)\)\n {2}\$ npm test {2}-> exit 0 /);
    // The audit covers writes too: what let each one happen.
    expect(shown).toMatch(/wrote src\/todo\.js {2}\(allowed by rule W\d+: /);
    const changed = (await execa('git', ['status', '--short'], { cwd: ws })).stdout;
    expect(changed).toContain('src/todo.js');

    const discard = await cli('runs', 'discard', run.id);
    expect(discard.exitCode).toBe(0);
    expect((await execa('git', ['status', '--short'], { cwd: ws })).stdout).toBe('');
    expect(readFileSync(join(ws, TASKS), 'utf8')).toContain('- [ ] 2.1 Store a priority on each item');

    // The history says what became of the run's changes, not only how the run ended.
    const disposition = async () => [JSON.parse((await cli('runs', 'list', '--json')).stdout)[0].disposition, JSON.parse((await cli('runs', 'show', run.id, '--json')).stdout).disposition];
    expect(await disposition()).toEqual(['discarded', 'discarded']);
    expect((await cli('runs', 'list')).stdout).toMatch(new RegExp(`^${run.id} {2}completed · discarded {2}2\\.1 ✓`));
    expect((await cli('runs', 'show', run.id)).stdout).toMatch(new RegExp(`^run ${run.id}: completed · discarded\n`));

    const twice = await cli('runs', 'discard', run.id);
    expect(twice.exitCode).toBe(2);
    expect(twice.stderr).toBe(`spec-agent: run ${run.id}'s changes are already discarded; \`spec-agent runs undo-discard ${run.id}\` puts them back.`);

    expect((await cli('runs', 'undo-discard', run.id)).exitCode).toBe(0);
    expect((await execa('git', ['status', '--short'], { cwd: ws })).stdout).toBe(changed);
    const undoTwice = await cli('runs', 'undo-discard', run.id);
    expect(undoTwice.exitCode).toBe(2);
    expect(undoTwice.stderr).toBe(`spec-agent: run ${run.id}'s changes are not discarded, so there is no discard to undo; \`spec-agent runs discard ${run.id}\` puts back what the run changed.`);
    expect((await execa('git', ['status', '--short'], { cwd: ws })).stdout).toBe(changed);
    expect(await disposition()).toEqual(['undone', 'undone']);
    expect((await cli('runs', 'show', run.id)).stdout).toMatch(/: completed · discard undone\n/);
    expect((await cli('runs', 'keep', run.id)).exitCode).toBe(0);
    expect(await disposition()).toEqual(['kept', 'kept']);
    expect((await cli('runs', 'list')).stdout).toContain('completed · kept');
    expect((await cli('runs', 'show', 'nope')).exitCode).toBe(2);
  });

  it('refuses a second run, and discard, undo-discard or keep, while a run is under way in the workspace; they work once it is gone', { timeout: budget({ cli: 7, run: 1 }) }, async () => {
    const ws = await workspace();
    slowRunAtFull(ws);
    const script = join(ws, 'slow.json');
    writeFileSync(script, JSON.stringify({ turns: [
      { toolCalls: [{ tool: 'write_file', input: { path: 'a.txt', content: 'first\n' } }] },
      { toolCalls: [{ tool: 'run_command', input: { command: 'sh slow.sh' } }] },
    ] }));
    const cli = (...args: string[]) => execa('node', [inject('cliPath'), ...args], { cwd: ws, reject: false });
    const child = execa('node', [inject('cliPath'), 'run', TASKS, '--task', '2.2', '--model', `replay:${script}`, '--json', '--accept-policy'], { cwd: ws, reject: false, buffer: false });
    let runId = '';
    try {
      runId = JSON.parse(await lineOf(child, (l) => l.includes('"tool.requested"') && l.includes('slow.sh'))).runId;
      const message = `spec-agent: run ${runId} is under way in this workspace (pid ${child.pid}, started from another window or a terminal); stop it there, or wait for it to end; if it is not running any more, delete ${join(ws, '.kiro/runs/.lock')}`;
      const second = await cli('run', TASKS, '--task', '2.1', '--model', `replay:${SCRIPT}`);
      expect(second.exitCode).toBe(2);
      expect(second.stderr).toBe(message);
      for (const command of ['discard', 'undo-discard', 'keep']) {
        const r = await cli('runs', command, runId);
        expect(r.exitCode, command).toBe(2);
        expect(r.stderr, command).toBe(message);
      }
      // Nothing of the refused run was left behind.
      expect(JSON.parse((await cli('runs', 'list', '--json')).stdout).map((r: { id: string; status: string }) => [r.id, r.status])).toEqual([[runId, 'running']]);
    } finally {
      child.kill('SIGKILL');
      await child;
    }
    expect(readFileSync(join(ws, 'a.txt'), 'utf8')).toBe('first\n');
    const discard = await cli('runs', 'discard', runId);
    expect(discard.exitCode, discard.stderr).toBe(0);
    expect(existsSync(join(ws, 'a.txt'))).toBe(false);
  });
});

describe('spec-agent run with an OpenAI-compatible server', () => {
  it('drives the task through the wire protocol (--model vllm:m --base-url)', { timeout: budget({ cli: 1, run: 1 }) }, async () => {
    const ws = await workspace();
    const bodies: Array<{ messages: Array<{ role: string; content: string | null }> }> = [];
    const call = (id: string, name: string, args: unknown) => [
      { choices: [{ index: 0, delta: { role: 'assistant', tool_calls: [{ index: 0, id, type: 'function', function: { name, arguments: JSON.stringify(args) } }] }, finish_reason: null }] },
      { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
    ];
    const turns = [call('c1', 'write_file', { path: 'NOTES.md', content: 'priorities\n' }), call('c2', 'complete_task', { summary: 'wrote notes' })];
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (d) => (raw += d));
      req.on('end', () => {
        bodies.push(JSON.parse(raw));
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const c of turns.shift() ?? []) res.write(`data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', ...c })}\n\n`);
        res.end('data: [DONE]\n\n');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
      const settings = join(ws, '.kiro/settings.json');
      writeFileSync(settings, readFileSync(settings, 'utf8').replace('"verifyCommands": ["npm test"]', '"verifyCommands": []'));
      const r = await execa('node', [inject('cliPath'), 'run', TASKS, '--task', '2.2', '--model', 'vllm:m', '--base-url', url, '--accept-policy'], { cwd: ws, reject: false });
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(readFileSync(join(ws, 'NOTES.md'), 'utf8')).toBe('priorities\n');
      expect(readFileSync(join(ws, TASKS), 'utf8')).toContain('- [x] 2.2 List open items by priority');
      expect(bodies).toHaveLength(2);
      expect(bodies[1]!.messages.at(-1)).toMatchObject({ role: 'tool', content: expect.stringMatching(/^created NOTES\.md/) });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('spec-agent run on a terminal', () => {
  it('counts a rate-limit wait down on one line (retry-after: 2), and the progress line shows tokens in / cached / out and cost', { timeout: budget({ cli: 2, run: 1 }) }, async () => {
    const ws = await workspace();
    const settings = join(ws, '.kiro/settings.json');
    writeFileSync(settings, readFileSync(settings, 'utf8').replace('"verifyCommands": ["npm test"]', '"verifyCommands": []'));
    const url = await serve((_, n) => (n === 1 ? { status: 429, error: { message: 'Rate limit reached for requests' }, headers: { 'retry-after': '2' } } : n === 2 ? { call: { name: 'list_files', args: {} } } : { call: { name: 'complete_task', args: { summary: 'done' } } }));
    try {
      // `script` gives the CLI a real terminal (a pty), as a user's shell would.
      const cmd = ['node', inject('cliPath'), 'run', TASKS, '--task', '2.2', '--model', 'openai:gpt-4o', '--base-url', url, '--accept-policy'].map((a) => `'${a}'`).join(' ');
      const r = await execa('script', ['-qfec', cmd, '/dev/null'], { cwd: ws, reject: false });
      expect(r.exitCode, r.stdout).toBe(0);
      const host = new URL(url).host;
      expect(r.stdout).toContain(`⏳ rate-limited by ${host} (429): retrying in 2 s`);
      // The same line rewritten in place as the wait goes, not a line per second.
      expect(r.stdout).toMatch(new RegExp(`\\r\\x1b\\[K\\x1b\\[33m  ⏳ rate-limited by ${host.replace(/\./g, '\\.')} \\(429\\): retrying in [01] s`));
      expect(r.stdout.match(/⏳/g)!.length).toBeLessThanOrEqual(4);
      expect(r.stdout).toMatch(/\[task 2\.2 · step 2 · \d+ s · [\d,]+ in \/ 0 cached \/ 20 out tokens · \$0\.0\d+\]/);
    } finally {
      await closeServer();
    }
  });
});

describe('budgets', () => {
  it('maxTurnsPerTask pauses the run (exit 3, what was spent); Resume after raising it goes on from there', { timeout: budget({ cli: 3, run: 2 }) }, async () => {
    const ws = await workspace();
    const settings = join(ws, '.kiro/settings.json');
    writeFileSync(settings, readFileSync(settings, 'utf8').replace('"verifyCommands": ["npm test"]', '"verifyCommands": [], "maxTurnsPerTask": 1'));
    const script = join(ws, 'turns.json');
    writeFileSync(script, JSON.stringify({ turns: [{ toolCalls: [{ tool: 'list_files', input: {} }] }, { toolCalls: [{ tool: 'complete_task', input: { summary: 'done' } }] }] }));
    const paused = await execa('node', [inject('cliPath'), 'run', TASKS, '--task', '2.2', '--model', `replay:${script}`, '--accept-policy'], { cwd: ws, reject: false });
    expect(paused.exitCode, paused.stderr).toBe(3);
    expect(paused.stdout).toMatch(/⏸ paused: task 2\.2 reached maxTurnsPerTask \(1\): 0 tokens \(0 in, 0 out\) in 1 model turn, \d+ s\. Raise agent\.maxTurnsPerTask/);
    writeFileSync(settings, readFileSync(settings, 'utf8').replace('"maxTurnsPerTask": 1', '"maxTurnsPerTask": 5'));
    await execa('node', [inject('cliPath'), 'policy', 'accept'], { cwd: ws });
    const [last] = JSON.parse((await execa('node', [inject('cliPath'), 'runs', 'list', '--json'], { cwd: ws })).stdout);
    const resumed = await execa('node', [inject('cliPath'), 'runs', 'resume', last.id], { cwd: ws, reject: false });
    expect(resumed.exitCode, resumed.stdout + resumed.stderr).toBe(0);
    expect(readFileSync(join(ws, TASKS), 'utf8')).toContain('- [x] 2.2 List open items by priority');
  });

  it("maxCostPerRun on the price table's cost pauses (exit 3, saying the way on); runs resume counts the chain's cost, and --max-cost-per-run raises it for that run only (exit 0); per task tokens and cost in summary.json and runs show", { timeout: budget({ cli: 6, run: 3 }) }, async () => {
    const ws = await workspace();
    const settings = join(ws, '.kiro/settings.json');
    writeFileSync(settings, readFileSync(settings, 'utf8').replace('"verifyCommands": ["npm test"]', '"verifyCommands": [], "maxCostPerRun": 0.01'));
    let finish = false;
    const url = await serve(() => (finish ? { call: { name: 'complete_task', args: { summary: 'listed' } } } : { call: { name: 'list_files', args: {} } }));
    try {
      const cli = (...args: string[]) => execa('node', [inject('cliPath'), ...args], { cwd: ws, reject: false });
      // gpt-4o is in the table ($2.50 / $10 per million): a few thousand tokens a turn reach a cent in a few turns.
      const paused = await cli('run', TASKS, '--task', '2.2', '--model', 'openai:gpt-4o', '--base-url', url, '--accept-policy');
      expect(paused.exitCode, paused.stdout + paused.stderr).toBe(3);
      const [first] = JSON.parse((await cli('runs', 'list', '--json')).stdout);
      expect(paused.stdout).toMatch(new RegExp(`⏸ paused: the run reached maxCostPerRun \\(\\$0\\.010\\): \\$0\\.0\\d+ \\(the provider's reported cost, else the price table's rates for gpt-4o as of 2026-12-07\\); task 2\\.2 so far: .*\`spec-agent runs resume ${first.id} --max-cost-per-run N\``));
      expect(paused.stdout).toMatch(/run \S+: paused .*; [\d,]+ in \/ 0 cached \/ [\d,]+ out tokens · \$0\.0\d+; gate/);
      // The chain has spent past the limit: resuming without a raise pauses again before any model turn.
      const before = bodies.length;
      const again = await cli('runs', 'resume', first.id, '--base-url', url);
      expect(again.exitCode, again.stdout + again.stderr).toBe(3);
      expect(bodies.length).toBe(before);
      const [second] = JSON.parse((await cli('runs', 'list', '--json')).stdout);
      expect(await cli('runs', 'resume', second.id, '--base-url', url, '--max-cost-per-run', 'lots')).toMatchObject({ exitCode: 2, stderr: expect.stringMatching(/--max-cost-per-run must be a number above 0 \(got "lots"\)/) });
      finish = true;
      const resumed = await cli('runs', 'resume', second.id, '--base-url', url, '--max-cost-per-run', '1');
      expect(resumed.exitCode, resumed.stdout + resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain('maxCostPerRun raised for this run: $1.00 (the settings say $0.010)');
      expect(readFileSync(join(ws, TASKS), 'utf8')).toContain('- [x] 2.2 List open items by priority');
      // The raise is journaled, and only this run has it: settings.json still says 0.01.
      const [third] = JSON.parse((await cli('runs', 'list', '--json')).stdout);
      const events = readFileSync(join(ws, '.kiro/runs', third.id, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(events.find((e) => e.type === 'budget.raised')).toMatchObject({ setting: 'maxCostPerRun', value: 1, previous: 0.01 });
      expect(readFileSync(settings, 'utf8')).toContain('"maxCostPerRun": 0.01');
      const summary = JSON.parse(readFileSync(join(ws, '.kiro/runs', first.id, 'summary.json'), 'utf8'));
      expect(summary.pricing).toMatchObject({ model: 'openai:gpt-4o', rates: { input: 2.5, cachedInput: 1.25, output: 10 }, asOf: '2026-12-07' });
      expect(summary.tasks).toEqual([expect.objectContaining({ id: '2.2', tokens: { input: summary.tokens.input, output: summary.tokens.output, cached: 0, costUsd: summary.tokens.costUsd } })]);
      expect(summary.tokens.costUsd).toBeGreaterThanOrEqual(0.01);
      const show = await cli('runs', 'show', first.id);
      expect(show.stdout).toMatch(/\[ \] 2\.2 List open items by priority\n {6}[\d,]+ in \/ 0 cached \/ [\d,]+ out tokens · \$0\.0\d+\n/);
      expect(show.stdout).toMatch(/tokens: [\d,]+ in \/ 0 cached \/ [\d,]+ out tokens · \$0\.0\d+ \(price table as of 2026-12-07\)/);
    } finally {
      await closeServer();
    }
  });

  it('a model with no price known says once, when the run starts, that maxCostPerRun cannot be enforced; the run shows tokens only', { timeout: budget({ cli: 1, run: 1 }) }, async () => {
    const ws = await workspace();
    const settings = join(ws, '.kiro/settings.json');
    writeFileSync(settings, readFileSync(settings, 'utf8').replace('"verifyCommands": ["npm test"]', '"verifyCommands": [], "maxCostPerRun": 0.01'));
    const url = await serve(() => ({ call: { name: 'complete_task', args: { summary: 'done' } } }));
    try {
      const r = await execa('node', [inject('cliPath'), 'run', TASKS, '--task', '2.2', '--model', 'vllm:m', '--base-url', url, '--accept-policy'], { cwd: ws, reject: false });
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      expect(r.stderr.match(/cannot be enforced/g)).toHaveLength(1);
      expect(r.stderr).toContain('spec-agent: maxCostPerRun ($0.010) cannot be enforced: no price known for vllm:m (not in the price table, src/core/models/prices.ts, and the provider reports no cost); the run shows tokens only.');
      expect(r.stdout).toMatch(/; [\d,]+ in \/ 0 cached \/ 20 out tokens · no price known; gate/);
    } finally {
      await closeServer();
    }
  });
});

describe('spec-agent runs resume', () => {
  it('refuses a raised budget the run would not feel (no such limit set, or one as high already), before it resumes anything', { timeout: budget({ cli: 3 }) }, async () => {
    const ws = mkdtempSync(join(tmpdir(), 'spec-agent-raise-'));
    cpSync(join(ROOT, 'examples/todo-app/.kiro'), join(ws, '.kiro'), { recursive: true });
    const settings = join(ws, '.kiro/settings.json');
    writeFileSync(settings, readFileSync(settings, 'utf8').replace('"autonomyLevel"', '"maxTurnsPerTask": 50,\n    "maxCostPerRun": 0.5,\n    "autonomyLevel"'));
    const resume = (...flags: string[]) => execa('node', [inject('cliPath'), 'runs', 'resume', 'r-none', ...flags], { cwd: ws, reject: false });
    expect(await resume('--max-turns-per-task', '40')).toMatchObject({ exitCode: 2, stderr: 'spec-agent: --max-turns-per-task 40 is not above agent.maxTurnsPerTask (50 model turns), which the run keeps anyway: give a higher limit.' });
    expect(await resume('--max-cost-per-run', '0.5')).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('--max-cost-per-run 0.5 is not above agent.maxCostPerRun ($0.500)') });
    expect(await resume('--max-tokens-per-task', '400000')).toMatchObject({ exitCode: 2, stderr: 'spec-agent: --max-tokens-per-task: the settings set no agent.maxTokensPerTask, so the run has no such limit to raise (.kiro/settings.json).' });
    // A raise above the limit goes on to the run it names (here: none by that id).
    expect((await resume('--max-turns-per-task', '80')).stderr).not.toMatch(/not above|no such limit/);
  });

  it('after the CLI is killed with SIGKILL mid-run: finished steps are not run again, the interrupted one is reported', { timeout: budget({ cli: 2, run: 2 }) }, async () => {
    const ws = await workspace();
    slowRunAtFull(ws);
    const script = join(ws, 'resume.json');
    writeFileSync(script, JSON.stringify({ turns: [
      { toolCalls: [{ tool: 'write_file', input: { path: 'a.txt', content: 'first\n' } }] },
      { toolCalls: [{ tool: 'run_command', input: { command: 'sh slow.sh' } }] },
      { toolCalls: [{ tool: 'write_file', input: { path: 'b.txt', content: 'second\n' } }] },
      { toolCalls: [{ tool: 'complete_task', input: { summary: 'done after a resume' } }] },
    ] }));
    const child = execa('node', [inject('cliPath'), 'run', TASKS, '--task', '2.2', '--model', `replay:${script}`, '--json', '--accept-policy'], { cwd: ws, reject: false, buffer: false });
    // Killed once the command is journaled as requested: the write of a.txt before it is a finished step.
    const runId: string = JSON.parse(await lineOf(child, (l) => l.includes('"tool.requested"') && l.includes('slow.sh'))).runId;
    child.kill('SIGKILL');
    await child;
    // Killed: no terminal event; the box was left in progress.
    expect(JSON.parse((await execa('node', [inject('cliPath'), 'runs', 'list', '--json'], { cwd: ws })).stdout)[0]).toMatchObject({ id: runId, status: 'interrupted' });
    writeFileSync(join(ws, 'a.txt'), 'the user changed it after the crash\n');

    const resumed = await execa('node', [inject('cliPath'), 'runs', 'resume', runId, '--json'], { cwd: ws, reject: false });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const events = resumed.stdout.split('\n').map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ type: 'run.started', resumedFrom: runId });
    const requested = events.filter((e) => e.type === 'tool.requested').map((e) => e.tool);
    // Neither the write of a.txt nor the interrupted command runs again: the replay goes on from turn 3.
    expect(requested).toEqual(['write_file', 'complete_task']);
    expect(readFileSync(join(ws, 'a.txt'), 'utf8')).toBe('the user changed it after the crash\n');
    expect(readFileSync(join(ws, 'b.txt'), 'utf8')).toBe('second\n');
    expect(readFileSync(join(ws, TASKS), 'utf8')).toContain('- [x] 2.2 List open items by priority');
    expect(events.at(-1).type).toBe('run.completed');
  });
  it('resumes a run that was itself a resume from where the last one stopped, running nothing finished again; a task gone from tasks.md is named', { timeout: budget({ cli: 2, run: 3 }) }, async () => {
    const ws = await workspace();
    const settings = join(ws, '.kiro/settings.json');
    writeFileSync(settings, readFileSync(settings, 'utf8').replace('"verifyCommands": ["npm test"]', '"verifyCommands": []'));
    const write = (path: string) => ({ toolCalls: [{ tool: 'write_file', input: { path, content: `${path}\n` } }] });
    const readMissing = (path: string) => ({ toolCalls: [{ tool: 'read_file', input: { path } }] });
    const complete = { toolCalls: [{ tool: 'complete_task', input: { summary: 'done' } }] };
    const script = join(ws, 'chain.json');
    // Each run stops (paused) on a repeated failing read: A after 2.1 and three turns of 2.2, B after three more.
    writeFileSync(script, JSON.stringify({ turns: [write('a.txt'), complete, write('b.txt'), readMissing('x'), readMissing('x'), write('c.txt'), readMissing('y'), readMissing('y'), complete] }));
    const cli = async (...args: string[]) => {
      const r = await execa('node', [inject('cliPath'), ...args, '--json'], { cwd: ws, reject: false });
      return { ...r, events: r.stdout ? r.stdout.split('\n').map((l) => JSON.parse(l)) : [] };
    };
    const requested = (events: Array<{ type: string; tool?: string }>) => events.filter((e) => e.type === 'tool.requested').map((e) => e.tool);
    const a = await cli('run', TASKS, '--task', '2.1,2.2', '--model', `replay:${script}`);
    expect(a.exitCode, a.stderr).toBe(3);
    expect(requested(a.events)).toEqual(['write_file', 'complete_task', 'write_file', 'read_file', 'read_file']);
    const b = await cli('runs', 'resume', a.events[0].runId);
    expect(b.exitCode, b.stderr).toBe(3);
    expect(b.events[0]).toMatchObject({ type: 'run.started', resumedFrom: a.events[0].runId, tasks: [{ id: '2.2' }] });
    expect(requested(b.events)).toEqual(['write_file', 'read_file', 'read_file']);
    writeFileSync(join(ws, 'b.txt'), 'the user changed it\n');

    // Renumbered and retitled at once: the run's task is no longer there, and Resume says so rather than "all done".
    const tasks = join(ws, TASKS);
    const original = readFileSync(tasks, 'utf8');
    writeFileSync(tasks, original.replace('2.2 List open items by priority', '2.4 Sort the open items'));
    const gone = await cli('runs', 'resume', b.events[0].runId);
    expect(gone.exitCode).toBe(2);
    expect(gone.stderr).toContain(`run ${b.events[0].runId}: task 2.2 "List open items by priority" is no longer in ${TASKS}`);
    // Its title fixed instead: found by its id.
    writeFileSync(tasks, original.replace('2.2 List open items', '2.2 List the open items'));

    const c = await cli('runs', 'resume', b.events[0].runId);
    expect(c.exitCode, c.stderr).toBe(0);
    // The replay goes on after A's five turns and B's three, and only 2.2 is run; its parent 2 is ticked after it
    // (2.2 was its last open sub-task: 2.3 is optional), with no model turn of its own.
    expect(c.events.filter((e) => e.type === 'task.started').map((e) => e.task.id)).toEqual(['2.2', '2']);
    expect(requested(c.events)).toEqual(['complete_task']);
    expect(readFileSync(join(ws, 'b.txt'), 'utf8')).toBe('the user changed it\n');
    expect(readFileSync(tasks, 'utf8')).toMatch(/- \[x\] 2\.1 Store a priority on each item[\s\S]*- \[x\] 2\.2 List the open items by priority/);
  });
});
