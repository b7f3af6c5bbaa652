import { execa } from 'execa';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { evalResultsSchema } from '../../../src/core/eval/results.js';
import { runEventSchema } from '../../../src/core/runs/events.js';
import { budget } from '../../support/budget.js';
import { pathWithoutBubblewrap } from '../../support/noSandbox.js';
import { closeServer, serve } from '../../support/wireServer.js';

const ROOT = resolve(__dirname, '../../..');
const BUG_FIX = join(ROOT, 'examples/eval/bug-fix');

type Turn = { text?: string; toolCalls?: Array<{ tool: string; input: Record<string, unknown> }> };

/** A case of a temp suite: a copy of the example bug fix, its case.json and replay script changed as given. */
function addCase(suite: string, name: string, change: { caseJson?: (c: Record<string, unknown>) => void; turns?: (t: Turn[]) => Turn[] } = {}): void {
  const dir = join(suite, name);
  cpSync(BUG_FIX, dir, { recursive: true });
  const caseFile = join(dir, 'case.json');
  const spec = JSON.parse(readFileSync(caseFile, 'utf8')) as Record<string, unknown>;
  change.caseJson?.(spec);
  writeFileSync(caseFile, JSON.stringify(spec));
  const script = join(dir, 'replay/scripted.json');
  const turns = (JSON.parse(readFileSync(script, 'utf8')) as { turns: Turn[] }).turns;
  writeFileSync(script, JSON.stringify({ turns: change.turns ? change.turns(turns) : turns }));
}

const cli = (args: string[], cwd: string) => execa('node', [inject('cliPath'), ...args], { cwd, reject: false });

describe('spec-agent eval', () => {
  afterEach(closeServer);

  it('runs each case in a fresh copy with the replay model: one passes, one fails its hidden check, one runs out of budget; --json, results.json, report.md and the journals', { timeout: budget({ cli: 1, git: 12, verifiedRun: 2, run: 4 }) }, async () => {
    const suite = mkdtempSync(join(tmpdir(), 'spec-agent-eval-suite-'));
    addCase(suite, 'passes');
    // A fix that trims the ends but leaves runs of dashes: its own test passes (self-verified), the hidden one fails.
    addCase(suite, 'fails-hidden', {
      turns: (turns) =>
        turns.map((t) => ({
          ...t,
          toolCalls: t.toolCalls?.map((c) => (c.tool === 'write_file' ? { ...c, input: { ...c.input, content: "'use strict';\nfunction slugify(text) {\n  return text.toLowerCase().replace(/[^a-z0-9]/g, '-').replace(/^-+|-+$/g, '');\n}\nmodule.exports = { slugify };\n" } } : c)).filter((c) => c.tool !== 'edit_file'),
        })),
    });
    // One model turn allowed: the agent reads the file, then the run pauses before it writes the fix.
    addCase(suite, 'over-budget', { caseJson: (c) => (c.budgets = { maxTurnsPerTask: 1 }) });
    const out = join(suite, '..', `${suite.split('/').pop()}-out`);

    const r = await cli(['eval', suite, '--model', 'replay:scripted', '--json', '--out', out], suite);
    expect(r.exitCode, r.stderr).toBe(0);
    const results = evalResultsSchema.parse(JSON.parse(r.stdout));
    // Piped: no progress bars, no escape sequences.
    expect(r.stderr).not.toMatch(/\x1b\[|░|█/);
    expect(results).toMatchObject({ models: ['replay:scripted'], levels: ['balanced'], repeat: 1, answers: 'deny' });
    const byCase = Object.fromEntries(results.runs.map((run) => [run.case, run]));
    expect(byCase.passes).toMatchObject({ status: 'completed', success: true, selfVerified: true, checks: [{ command: 'node --test check/', exitCode: 0, ok: true }] });
    expect(byCase['fails-hidden']).toMatchObject({ status: 'completed', success: false, selfVerified: true, checks: [{ command: 'node --test check/', ok: false }] });
    expect(byCase['fails-hidden']!.checks[0]!.tail).toMatch(/hello-world|fail/);
    expect(byCase['over-budget']).toMatchObject({ status: 'paused', success: false, selfVerified: false });
    expect(byCase['over-budget']!.reason).toMatch(/maxTurnsPerTask \(1\)/);
    expect(results.totals).toEqual([expect.objectContaining({ model: 'replay:scripted', level: 'balanced', runs: 3, successRate: { mean: 1 / 3, sd: 0, min: 1 / 3, max: 1 / 3 } })]);

    // The same results on disk, the report with a row per case and the totals, and each run's journal under its id.
    expect(evalResultsSchema.parse(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))).runs.map((x) => x.runId)).toEqual(results.runs.map((x) => x.runId));
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toContain('| replay:scripted | balanced | 3 | 33% | 67% |');
    expect(report).toMatch(/\| over-budget \| replay:scripted \| balanced \| 0\/1 \| 0\/1 \| paused \|/);
    for (const run of results.runs) {
      const events = readFileSync(join(out, 'runs', run.runId!, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => runEventSchema.parse(JSON.parse(l)));
      expect(events[0]).toMatchObject({ type: 'run.started', client: 'cli', level: 'balanced' });
    }
    // The hidden test was never in the agent's copy: no tool call of any run names it.
    const allEvents = results.runs.map((run) => readFileSync(join(out, 'runs', run.runId!, 'events.jsonl'), 'utf8')).join('\n');
    expect(allEvents).not.toContain('slug.check.test.js');
  });

  it('with a model over the wire (an OpenAI-compatible server on loopback), each level × repeat is a run of its own, with the tokens the server reported; totals per level', { timeout: budget({ cli: 1, git: 12, verifiedRun: 4 }) }, async () => {
    const fix = readFileSync(join(BUG_FIX, 'replay/scripted.json'), 'utf8');
    const content = (JSON.parse(fix) as { turns: Turn[] }).turns.flatMap((t) => t.toolCalls ?? []).find((c) => c.tool === 'write_file')!.input.content;
    // Each run: the fix, then complete_task once the write's result is back.
    const baseUrl = await serve((body) => (body.messages.at(-1)?.role === 'tool' ? { call: { name: 'complete_task', args: { summary: 'slugify fixed' } } } : { text: 'Fixing slugify.', call: { name: 'write_file', args: { path: 'src/slug.js', content } } }));
    const suite = mkdtempSync(join(tmpdir(), 'spec-agent-eval-wire-'));
    addCase(suite, 'slug');
    const r = await cli(['eval', suite, '--model', 'vllm:m', '--base-url', baseUrl, '--level', 'balanced', '--level', 'full', '--repeat', '2', '--json', '--out', join(suite, 'out')], suite);
    expect(r.exitCode, r.stderr).toBe(0);
    const results = evalResultsSchema.parse(JSON.parse(r.stdout));
    expect(results.runs.map((x) => [x.level, x.repeat, x.success, x.selfVerified])).toEqual([
      ['balanced', 1, true, true],
      ['balanced', 2, true, true],
      ['full', 1, true, true],
      ['full', 2, true, true],
    ]);
    expect(new Set(results.runs.map((x) => x.runId)).size).toBe(4);
    for (const run of results.runs) expect(run.tokens.total).toBeGreaterThan(40);
    expect(results.totals.map((t) => [t.model, t.level, t.runs, t.successRate])).toEqual([
      ['vllm:m', 'balanced', 2, { mean: 1, sd: 0, min: 1, max: 1 }],
      ['vllm:m', 'full', 2, { mean: 1, sd: 0, min: 1, max: 1 }],
    ]);
    expect(readFileSync(join(suite, 'out/report.md'), 'utf8')).toContain('1 case × 1 model × 2 levels × 2 repeats = 4 runs');
  });

  it('on a machine with no sandbox, a case with sandbox.mode "required" runs no command, its hidden checks included, and says so', { timeout: budget({ cli: 1, git: 4, run: 1 }) }, async () => {
    const suite = mkdtempSync(join(tmpdir(), 'spec-agent-eval-nosandbox-'));
    addCase(suite, 'required');
    const settings = join(suite, 'required/workspace/.kiro/settings.json');
    writeFileSync(settings, readFileSync(settings, 'utf8').replace('"verifyCommands": ["npm test"]', '"verifyCommands": ["npm test"],\n    "sandbox": { "mode": "required" }'));
    const r = await execa(process.execPath, [inject('cliPath'), 'eval', suite, '--model', 'replay:scripted', '--json', '--out', join(suite, 'out')], { cwd: suite, reject: false, env: { PATH: pathWithoutBubblewrap() } });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^spec-agent: commands are not sandboxed: bubblewrap is not installed.*sandbox\.mode is "required", so no command will run\.$/m);
    const [run] = evalResultsSchema.parse(JSON.parse(r.stdout)).runs;
    expect(run).toMatchObject({ success: false, selfVerified: false, checks: [{ command: 'node --test check/', exitCode: null, ok: false, tail: expect.stringMatching(/^not run: sandbox\.mode is "required"/) }] });
  });

  it("a case's maxCostPerRun that no price can hold (a replay model has none) is said on stderr once, as spec-agent run says it; --json stays JSON", { timeout: budget({ cli: 1, git: 8, verifiedRun: 2 }) }, async () => {
    const suite = mkdtempSync(join(tmpdir(), 'spec-agent-eval-noprice-'));
    addCase(suite, 'capped', { caseJson: (c) => void (c.budgets = { maxCostPerRun: 1 }) });
    const r = await cli(['eval', suite, '--model', 'replay:scripted', '--repeat', '2', '--json', '--out', join(suite, 'out')], suite);
    expect(r.exitCode, r.stderr).toBe(0);
    const said = r.stderr.split('\n').filter((l) => l.includes('cannot be enforced'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/^spec-agent: maxCostPerRun \(\$1\.00\) cannot be enforced: no price known for replay:.*scripted\.json/);
    expect(evalResultsSchema.parse(JSON.parse(r.stdout)).runs).toHaveLength(2);
  });

  it('a bad suite exits 2 before running anything, naming the file, the JSON path and what to do', { timeout: budget({ cli: 4 }) }, async () => {
    const suite = mkdtempSync(join(tmpdir(), 'spec-agent-eval-bad-'));
    const none = await cli(['eval', join(suite, 'nope'), '--model', 'replay:scripted'], suite);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('no such folder; give the folder that holds the cases');

    addCase(suite, 'broken', { caseJson: (c) => Object.assign(c, { tasksFile: 5, checks: [], extra: true }) });
    const bad = await cli(['eval', suite, '--model', 'replay:scripted', '--json'], suite);
    expect(bad.exitCode).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/broken\/case\.json: tasksFile: .*expected string/);
    expect(bad.stderr).toMatch(/broken\/case\.json: checks: must list at least one command/);
    expect(bad.stderr).toMatch(/broken\/case\.json: \(root\): .*extra/);
    expect(bad.stderr).toContain('fix case.json; its keys:');

    const good = mkdtempSync(join(tmpdir(), 'spec-agent-eval-bad-'));
    addCase(good, 'fine', { caseJson: (c) => (c.tasks = '7') });
    const task = await cli(['eval', good, '--model', 'replay:scripted'], good);
    expect(task.exitCode).toBe(2);
    expect(task.stderr).toMatch(/fine\/case\.json: tasks: no task "7" in tasks\.md/);

    const noScript = await cli(['eval', join(ROOT, 'examples/eval'), '--model', 'replay:other', '--out', join(good, 'out')], good);
    expect(noScript.exitCode).toBe(2);
    expect(noScript.stderr).toMatch(/--model replay:other: no replay script for 5 cases .*add replay\/other\.json to each case/);
    expect(existsSync(join(good, 'out'))).toBe(false);
  });

  it('`npm run eval:demo` runs the five example cases offline and prints the report', { timeout: budget({ cli: 1, git: 15, verifiedRun: 6 }) }, async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'spec-agent-eval-demo-test-'));
    mkdirSync(scratch, { recursive: true });
    const r = await execa('node', [join(ROOT, 'scripts/evalDemo.mjs')], { cwd: scratch, reject: false, env: { SPEC_AGENT_CLI: inject('cliPath') } });
    expect(r.exitCode, r.stderr).toBe(0);
    for (const name of ['bug-fix', 'feature-with-tests', 'refactor-across-files', 'second-fix', 'forbidden-command']) expect(r.stdout).toMatch(new RegExp(`\\| ${name} \\| replay:scripted \\| balanced \\| 1/1 \\| 1/1 \\| completed \\|`));
    expect(r.stdout).toContain('| replay:scripted | balanced | 5 | 100% | 100% |');
    // The second fix is a self-correction; the forbidden command a deny.
    expect(r.stdout).toMatch(/\| second-fix \| [^\n]* \| 1 \| 0\/0 \|/);
    expect(r.stdout).toMatch(/\| forbidden-command \| [^\n]* \| 0 \| 0\/1 \|/);
  });
});
