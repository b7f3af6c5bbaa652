import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyGate } from '../../../src/core/policy/gate.js';
import { realFileSystem } from '../../../src/core/policy/paths.js';
import type { GateSettings, PolicyContext, ReadTool } from '../../../src/core/policy/types.js';
import { KEY_TEXT, leakyRepo } from '../../support/leakyRepo.js';

const LEVELS = ['cautious', 'balanced', 'full'] as const;
const SETTINGS: GateSettings = { autonomyLevel: 'balanced', allowedCommands: [], forbiddenCommands: ['rm -rf'], maxFileEditsPerTask: 20, requireApprovalForNewFiles: false };

let gate: PolicyGate;
beforeAll(async () => {
  gate = await PolicyGate.create();
});

describe('reads in a described world (R1–R3)', () => {
  const read = (path: string, context: Partial<PolicyContext> = {}, tool?: ReadTool, settings: Partial<GateSettings> = {}) =>
    gate.check({ kind: 'read', path, ...(tool ? { tool } : {}) }, { ...SETTINGS, ...settings }, context);

  it('R1: a link inside leading outside is denied at every level, and the reason names it', () => {
    const context = { symlinks: { 'notes.md': '/home/dev/.ssh/id_rsa' } };
    for (const autonomyLevel of LEVELS) {
      for (const tool of ['read_file', 'list_files', 'search_files'] as const) {
        expect(read('notes.md', context, tool, { autonomyLevel })).toMatchObject({ verdict: 'deny', rule: 'R1' });
      }
    }
    expect(read('notes.md', context).reason).toBe('deny: notes.md is a symbolic link to /home/dev/.ssh/id_rsa, outside the workspace; reading outside the workspace is denied at every level, links included');
  });

  it('R1: a folder link leading outside, paths written outside, and a dangling link leading outside', () => {
    expect(read('docs/plan.md', { symlinks: { docs: '/home/dev/docs' } }).reason).toMatch(/^deny: docs\/plan\.md leads through a symbolic link to \/home\/dev\/docs\/plan\.md, outside/);
    expect(read('../other/x.ts')).toMatchObject({ verdict: 'deny', rule: 'R1' });
    expect(read('~/.aws/credentials', {}, 'search_files')).toMatchObject({ verdict: 'deny', rule: 'R1' });
    expect(read('/etc/passwd', {}, 'list_files', { autonomyLevel: 'full' })).toMatchObject({ verdict: 'deny', rule: 'R1' });
    expect(read('gone.md', { symlinks: { 'gone.md': '/home/dev/missing' }, danglingTargets: ['/home/dev/missing'] })).toMatchObject({ verdict: 'deny', rule: 'R1' });
  });

  it('R1: Windows spellings and a case-insensitive disk are canonicalized as for writes', () => {
    const win: Partial<PolicyContext> = { os: 'windows', workspaceRoot: 'C:\\Users\\dev\\project', home: 'C:\\Users\\dev', fs: 'case-insensitive' };
    expect(read('..\\secrets.txt', win)).toMatchObject({ verdict: 'deny', rule: 'R1' });
    expect(read('\\\\attacker\\share\\x', win)).toMatchObject({ verdict: 'deny', rule: 'R1' });
    expect(read('.ENV', win)).toMatchObject({ verdict: 'ask', rule: 'R2' });
    expect(read('.env::$DATA', win).verdict).toBe('ask');
    expect(read('src\\app.ts', win)).toMatchObject({ verdict: 'allow', rule: 'R3' });
  });

  it('R2: reading a secret asks at every level; listing shows names and a search skips them', () => {
    for (const autonomyLevel of LEVELS) {
      for (const path of ['.env', 'packages/api/.env.local', 'secrets/db.txt', 'certs/server.pem', 'deploy.key', 'keys/id_rsa.pub', '.npmrc']) {
        expect(read(path, {}, 'read_file', { autonomyLevel }), path).toMatchObject({ verdict: 'ask', rule: 'R2' });
      }
    }
    expect(read('.env').reason).toBe('ask: reading .env asks first at every level: it is a .env* file, which holds secrets');
    expect(read('config/prod.yaml', {}, undefined, { protectedPaths: ['config/**'] })).toMatchObject({ verdict: 'ask', rule: 'R2', reason: expect.stringContaining('"config/**"') });
    expect(read('secrets', {}, 'list_files')).toMatchObject({ verdict: 'allow', rule: 'R3' });
    expect(read('.', {}, 'search_files')).toMatchObject({ verdict: 'allow', rule: 'R3', reason: 'allow: searching the workspace (secret files in it are not searched), inside the workspace' });
  });

  it('R2: a link inside leading to a secret inside reads the secret', () => {
    expect(read('src/config.ts', { symlinks: { 'src/config.ts': '../.env' } })).toMatchObject({ verdict: 'ask', rule: 'R2', reason: expect.stringContaining('.env (from "src/config.ts")') });
  });

  it('R3: everything else inside is allowed at every level, .kiro/ and links that stay inside included', () => {
    for (const autonomyLevel of LEVELS) {
      expect(read('.kiro/steering/x.md', {}, 'read_file', { autonomyLevel })).toMatchObject({ verdict: 'allow', rule: 'R3' });
      expect(read('src/app.ts', { symlinks: { src: 'lib' } }, 'read_file', { autonomyLevel })).toMatchObject({ verdict: 'allow', rule: 'R3' });
      expect(read('.', {}, 'list_files', { autonomyLevel })).toMatchObject({ verdict: 'allow', rule: 'R3', reason: 'allow: listing the workspace (names only), inside the workspace' });
    }
  });

  it('R3: the whole output of a command, saved in the run\'s outputs folder, may be read and searched at every level (what read_output reads too)', () => {
    for (const autonomyLevel of LEVELS) {
      for (const tool of ['read_file', 'search_files', 'list_files'] as const) {
        expect(read('.kiro/runs/run-1/outputs/3.log', {}, tool, { autonomyLevel })).toMatchObject({ verdict: 'allow', rule: 'R3' });
      }
    }
  });
});

describe('reads on real disk, through real links', () => {
  let repo: ReturnType<typeof leakyRepo>;
  beforeAll(() => {
    repo = leakyRepo();
  });
  afterAll(() => rmSync(repo.base, { recursive: true, force: true }));
  const read = (path: string, tool: ReadTool = 'read_file', autonomyLevel: GateSettings['autonomyLevel'] = 'balanced') =>
    gate.check({ kind: 'read', path, tool }, { ...SETTINGS, autonomyLevel }, { workspaceRoot: repo.root, home: repo.home }, realFileSystem);

  it('denies notes.md -> HOME/.ssh/id_rsa at every level without a word of the key', () => {
    for (const level of LEVELS) {
      const d = read('notes.md', 'read_file', level);
      expect(d).toMatchObject({ verdict: 'deny', rule: 'R1', reason: `deny: notes.md is a symbolic link to ${repo.home}/.ssh/id_rsa, outside the workspace; reading outside the workspace is denied at every level, links included` });
      expect(JSON.stringify(d)).not.toContain(KEY_TEXT);
    }
    expect(read('docs', 'list_files')).toMatchObject({ verdict: 'deny', rule: 'R1' });
    expect(read('docs/plan.md', 'search_files')).toMatchObject({ verdict: 'deny', rule: 'R1' });
    expect(read('dangling-out.md')).toMatchObject({ verdict: 'deny', rule: 'R1' });
  });

  it('allows links that stay inside, a dangling link inside, and .kiro/; asks for .env', () => {
    expect(read('app-link.ts')).toMatchObject({ verdict: 'allow', rule: 'R3' });
    expect(read('src-link/app.ts')).toMatchObject({ verdict: 'allow', rule: 'R3' });
    expect(read('dangling.md')).toMatchObject({ verdict: 'allow', rule: 'R3' });
    expect(read('.kiro/steering/x.md', 'read_file', 'cautious')).toMatchObject({ verdict: 'allow', rule: 'R3' });
    expect(read('config/.env.local')).toMatchObject({ verdict: 'ask', rule: 'R2' });
  });
});
