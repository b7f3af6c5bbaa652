import { execa } from 'execa';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { budget } from '../../support/budget.js';

const cli = (...args: string[]) => execa('node', [inject('cliPath'), ...args], { reject: false, cwd: resolve(__dirname, '../../..') });
const EXAMPLE = 'examples/todo-app/.kiro/specs/todo-priorities/tasks.md';

// A test here starts the CLI up to twice.
describe('spec-agent parse', { timeout: budget({ cli: 2 }) }, () => {
  it('prints the outline with ids and status', async () => {
    const r = await cli('parse', EXAMPLE);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        `${EXAMPLE}: 6 tasks (1 done, 0 in progress, 0 queued, 5 to do)`,
        '[x] 1 Set up the project',
        '[ ] 2 Add priorities to items',
        '  [ ] 2.1 Store a priority on each item',
        '  [ ] 2.2 List open items by priority',
        '  [ ] 2.3 Write unit tests for priorities (optional)',
        '[ ] 3 Document priorities in a README',
        'requirements from requirements.md: 2 requirements, 5 acceptance criteria',
      ].join('\n'),
    );
  });

  it('prints exactly the documented JSON', async () => {
    const r = await cli('parse', '--json', 'test/fixtures/specs/malformed/tasks.md');
    expect(r.exitCode).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(['file', 'tasks', 'diagnostics', 'requirementsFile']);
    expect(json.requirementsFile).toBe('requirements.md');
    expect(json.file).toBe('test/fixtures/specs/malformed/tasks.md');
    expect(json.tasks[0]).toEqual({ id: '1', title: 'Parse the input', status: 'todo', optional: false, depth: 0, parent: null, line: 3, requirements: ['1.1', '9.9'] });
    expect(json.diagnostics.map((d: { line: number }) => d.line)).toEqual([4, 6, 8, 11, 14, 17, 19, 21]);
    expect(Object.keys(json.diagnostics[0])).toEqual(['line', 'severity', 'message']);
    expect(json.diagnostics[0].message).toMatch(/Requirement 9\.9 is not defined in requirements\.md/);
  });

  it('says that a bugfix spec is checked against its bugfix.md', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spec-agent-cli-'));
    await writeFile(join(dir, 'bugfix.md'), '## Bug Analysis\n\n### Current Behavior (Defect)\n\n1.1 WHEN a THEN b\n\n### Expected Behavior (Correct)\n\n2.1 WHEN a THEN c\n');
    await writeFile(join(dir, 'tasks.md'), '- [ ] 1. Fix it\n  - _Requirements: 1.1, 2.1, 2.2_\n');
    const r = await cli('parse', join(dir, 'tasks.md'));
    expect(r.stdout.split('\n').at(-1)).toBe('requirements from bugfix.md: 2 requirements, 2 acceptance criteria');
    expect(r.stderr).toMatch(/:2:\d+: warning: Requirement 2\.2 is not defined in bugfix\.md\./);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const json = JSON.parse((await cli('parse', '--json', join(dir, 'tasks.md'))).stdout);
    expect(json.requirementsFile).toBe('bugfix.md');
  });

  it('gives sub-tasks their parent id and depth', async () => {
    const r = await cli('parse', '--json', 'test/fixtures/tasks/flat-numbering.md');
    const tasks = JSON.parse(r.stdout).tasks as Array<{ id: string; parent: string | null; depth: number }>;
    expect(tasks.map((t) => `${t.id}<${t.parent ?? '-'}@${t.depth}`)).toEqual(['1<-@0', '1.1<1@1', '1.2<1@1', '2<-@0', '2.1<2@1', '2.1.1<2.1@2', '2.2<2@1', '2.3<2@1', '3.1<-@0']);
  });

  it('writes diagnostics to stderr in file:line:col form', async () => {
    const r = await cli('parse', 'test/fixtures/specs/malformed/tasks.md');
    expect(r.exitCode).toBe(0);
    expect(r.stderr.split('\n')[0]).toBe('test/fixtures/specs/malformed/tasks.md:4:25: warning: Requirement 9.9 is not defined in requirements.md. Add it there, or fix the reference.');
  });

  it.each([
    ['a missing file', ['parse', 'nope/tasks.md'], /^spec-agent: nope\/tasks\.md: no such file\. Check the path\.$/],
    ['a directory', ['parse', 'examples'], /^spec-agent: examples: is a directory, not a file/],
    ['an unknown command', ['bogus'], /unknown command 'bogus'/],
    ['a missing argument', ['parse'], /missing required argument/],
  ])('exits 2 with a clear message for %s', async (_what, args, message) => {
    const r = await cli(...args);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toMatch(message);
  });

  it('exits 2 for invalid UTF-8 and for a file over 1 MB', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spec-agent-cli-'));
    await writeFile(join(dir, 'bad.md'), Buffer.from([0x2d, 0x20, 0xc3, 0x28]));
    await writeFile(join(dir, 'big.md'), Buffer.alloc(2 * 1024 * 1024, 0x20));
    for (const f of ['bad.md', 'big.md']) {
      const r = await cli('parse', join(dir, f));
      expect(r.exitCode, f).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('has --help on every command', async () => {
    for (const args of [['--help'], ['parse', '--help']]) {
      const r = await cli(...args);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(/^Usage: spec-agent/);
    }
  });
});
