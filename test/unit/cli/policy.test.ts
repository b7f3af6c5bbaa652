import { execa } from 'execa';
import { mkdir, mkdtemp, realpath, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { findShared } from '../../support/corpus.js';
import { budget } from '../../support/budget.js';

let workspace: string;
const cli = (...args: string[]) => execa('node', [inject('cliPath'), ...args], { reject: false, cwd: workspace });

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'spec-agent-policy-'));
  await mkdir(join(workspace, '.kiro'));
  await writeFile(
    join(workspace, '.kiro/settings.json'),
    '{\n  // team policy\n  "agent": {\n    "autonomyLevel": "balanced",\n    "allowedCommands": ["npm test"],\n    "forbiddenCommands": ["rm -rf", "git push --force"],\n  },\n}\n',
  );
});

// A test here starts the CLI up to four times (--cases: once, for 256 checks).
describe('spec-agent policy check', { timeout: budget({ cli: 4 }) }, () => {
  it.each([
    ['npm test', 0, 'ALLOW'],
    ['npm run lint', 3, 'ASK'],
    ['npm test; rm -rf ~', 4, 'DENY'],
  ])('`%s` exits %i (%s) and says why', async (command, code, verdict) => {
    const r = await cli('policy', 'check', '--command', command);
    expect(r.exitCode).toBe(code);
    expect(r.stdout.split('\n')[0]).toMatch(new RegExp(`^${verdict} \\(rule C\\d`));
  });

  it('explains a deny with the rule, the entry and the simple command', async () => {
    const r = await cli('policy', 'check', '--command', 'npm test && r""m -fr dist', '--json');
    expect(r.exitCode).toBe(4);
    const d = JSON.parse(r.stdout);
    expect(d).toMatchObject({ verdict: 'deny', rule: 'C5', level: 'balanced' });
    expect(d.findings).toContainEqual(expect.objectContaining({ verdict: 'deny', rule: 'C5', entry: 'rm -rf' }));
  });

  it('checks file actions against the real workspace', async () => {
    expect((await cli('policy', 'check', '--write', 'src/app.ts')).exitCode).toBe(0);
    expect((await cli('policy', 'check', '--write', '.env')).exitCode).toBe(3);
    expect((await cli('policy', 'check', '--write', '.kiro/settings.json')).exitCode).toBe(4);
    expect((await cli('policy', 'check', '--delete', '../elsewhere.txt')).exitCode).toBe(4);
  });

  it('checks reads: a link out of the workspace is denied, a secret asks, the rest is allowed, also at --level full', async () => {
    // Real path: on macOS the temp folder is reached through a link, and the reason names where the link leads.
    const home = await realpath(await mkdtemp(join(tmpdir(), 'spec-agent-home-')));
    await mkdir(join(home, '.ssh'));
    await writeFile(join(home, '.ssh/id_rsa'), 'PRIVATE-KEY-MATERIAL\n');
    await symlink(join(home, '.ssh/id_rsa'), join(workspace, 'notes.md'));
    const r = await cli('policy', 'check', '--read', 'notes.md', '--level', 'full');
    expect(r.exitCode).toBe(4);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['DENY (rule R1, level full)', `  notes.md is a symbolic link to ${home}/.ssh/id_rsa, outside the workspace; reading outside the workspace is denied at every level, links included`]);
    expect(r.stdout).not.toContain('PRIVATE-KEY-MATERIAL');
    const secret = await cli('policy', 'check', '--read', '.env', '--json');
    expect(secret.exitCode).toBe(3);
    expect(JSON.parse(secret.stdout)).toMatchObject({ action: { kind: 'read', path: '.env' }, verdict: 'ask', rule: 'R2', level: 'balanced' });
    expect((await cli('policy', 'check', '--read', '.kiro/settings.json', '--level', 'cautious')).exitCode).toBe(0);
    expect((await cli('policy', 'check', '--read', 'src/app.ts', '--write', 'x')).exitCode).toBe(2);
  });

  it('takes --level and --settings', async () => {
    expect((await cli('policy', 'check', '--command', 'npm run lint', '--level', 'full')).exitCode).toBe(0);
    const other = join(workspace, 'other.json');
    await writeFile(other, '{"agent": {"autonomyLevel": "cautious"}}');
    expect((await cli('policy', 'check', '--command', 'npm test', '--settings', other)).exitCode).toBe(3);
  });

  it('exits 2 on usage and settings errors, naming the file, line and JSON path', async () => {
    expect((await cli('policy', 'check')).exitCode).toBe(2);
    expect((await cli('policy', 'check', '--command', 'ls', '--write', 'x')).exitCode).toBe(2);
    const bad = join(workspace, 'bad.json');
    await writeFile(bad, '{\n  "agent": {\n    "autonomyLevel": "yolo"\n  }\n}\n');
    const r = await cli('policy', 'check', '--command', 'ls', '--settings', bad);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/bad\.json:3:22: agent\.autonomyLevel: must be one of "cautious", "balanced", "full" \(found "yolo"\)/);
  });

  it('--cases prints one JSON line per case, then a summary', async () => {
    const file = join(workspace, 'cases.json');
    await writeFile(file, JSON.stringify([
      { id: 'a', settings: { agent: { autonomyLevel: 'full' } }, action: { kind: 'command', command: 'ls' }, expected: 'allow' },
      { id: 'b', settings: { agent: { forbiddenCommands: ['rm -rf'] } }, action: { kind: 'command', command: 'rm -r -f x' }, expected: 'deny' },
      { id: 'c', settings: { agent: { autonomyLevel: 'full' } }, action: { kind: 'write', path: 'C:\\x' }, context: { os: 'windows', workspaceRoot: 'C:\\p', home: 'C:\\h', fs: 'case-insensitive' }, expected: 'deny' },
    ]));
    const r = await cli('policy', 'check', '--cases', file);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.slice(0, 3).map((l) => [l.id, l.verdict])).toEqual([['a', 'allow'], ['b', 'deny'], ['c', 'deny']]);
    expect(Object.keys(lines[0])).toEqual(['id', 'verdict', 'rule', 'reason']);
    expect(lines[3].summary).toBe('3 cases: 1 allow, 0 ask, 2 deny; agrees with expected in 3/3 (critical 0, major 0, over-block 0)');
  });

  const SHARED_CASES = findShared('policy/cases.json');
  it.runIf(SHARED_CASES !== undefined)('agrees with every case of the shared cases.json', async () => {
    const r = await cli('policy', 'check', '--cases', SHARED_CASES!);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!).summary).toMatch(/agrees with expected in 256\/256 \(critical 0, major 0, over-block 0\)$/);
  });
});

// Two starts of the CLI.
describe('spec-agent policy show', { timeout: budget({ cli: 2 }) }, () => {
  it('shows each value and where it came from', async () => {
    const r = await cli('policy', 'show');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/autonomyLevel\s+"balanced"\s+from \.kiro\/settings\.json/);
    expect(r.stdout).toMatch(/maxFileEditsPerTask\s+20\s+default/);
    // A budget left out is shown as none (it crashed `policy show` when the budgets were added).
    expect(r.stdout).toMatch(/maxTokensPerTask\s+none\s+default/);
    const j = JSON.parse((await cli('policy', 'show', '--json')).stdout);
    expect(j.origins).toMatchObject({ autonomyLevel: 'file', allowedCommands: 'file', verifyCommands: 'default' });
    expect(j.settings.forbiddenCommands).toEqual(['rm -rf', 'git push --force']);
  });
});
