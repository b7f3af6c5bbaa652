import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFileAction } from '../../../src/core/policy/fileRules.js';
import { canonicalize, describedFileSystem, realFileSystem, type FileSystemView } from '../../../src/core/policy/paths.js';
import { DEFAULT_CONTEXT, stricter, type Finding, type GateSettings, type PolicyContext, type Verdict } from '../../../src/core/policy/types.js';
import { findShared } from '../../support/corpus.js';

/** The normative cases live beside the project (shared with the other gate modules), not in it. */
const CASES = findShared('policy/cases.json') ?? join(__dirname, '../../../../shared/policy/cases.json');

interface PolicyCase {
  id: string;
  settings: { agent: GateSettings };
  action: { kind: string; path?: string; command?: string };
  context?: Partial<PolicyContext>;
  expected: Verdict;
  why: string;
}

const FILE_KINDS = ['write', 'create', 'delete'] as const;
type FileKind = (typeof FILE_KINDS)[number];
const isFileKind = (k: string): k is FileKind => (FILE_KINDS as readonly string[]).includes(k);

function verdictOf(findings: Finding[]): Verdict {
  return findings.reduce<Verdict>((v, f) => stricter(v, f.verdict), 'allow');
}

const ctxOf = (over: Partial<PolicyContext> = {}): PolicyContext => ({ ...DEFAULT_CONTEXT, ...over });

const SETTINGS: GateSettings = {
  autonomyLevel: 'balanced',
  allowedCommands: ['npm test'],
  forbiddenCommands: ['rm -rf'],
  maxFileEditsPerTask: 20,
  requireApprovalForNewFiles: false,
};

function check(path: string, over: Partial<PolicyContext> = {}, settings: Partial<GateSettings> = {}, kind: FileKind = 'write', opts = {}) {
  const ctx = ctxOf(over);
  const findings = checkFileAction(kind, path, { ...SETTINGS, ...settings }, ctx, describedFileSystem(ctx), opts);
  return { verdict: verdictOf(findings), findings };
}

const cases: PolicyCase[] = existsSync(CASES) ? (JSON.parse(readFileSync(CASES, 'utf8')) as PolicyCase[]) : [];
const fileCases = cases.filter((c) => isFileKind(c.action.kind));

describe.skipIf(!existsSync(CASES))(`file-action cases of ${CASES}`, () => {
  it('has file-action cases', () => {
    expect(fileCases.length).toBeGreaterThan(30);
  });

  it.each(fileCases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const ctx = ctxOf(c.context);
    const findings = checkFileAction(c.action.kind as FileKind, c.action.path ?? '', c.settings.agent, ctx, describedFileSystem(ctx));
    const got = verdictOf(findings);
    const report = JSON.stringify({ id: c.id, path: c.action.path, expected: c.expected, got, why: c.why, findings }, null, 2);
    expect(got, report).toBe(c.expected);
  });
});

if (!existsSync(CASES)) {
  describe('file-action cases', () => {
    it.skip(`skipped: ${CASES} not found (the shared policy cases sit beside the project)`, () => {});
  });
}

describe('canonicalize (W0)', () => {
  const at = (path: string, over: Partial<PolicyContext> = {}, fsView?: FileSystemView) => {
    const ctx = ctxOf(over);
    return canonicalize(path, ctx, fsView ?? describedFileSystem(ctx));
  };
  const win: Partial<PolicyContext> = { os: 'windows', workspaceRoot: 'C:\\Users\\dev\\project', home: 'C:\\Users\\dev', fs: 'case-insensitive' };

  it('resolves . and .. against the workspace root', () => {
    expect(at('src/./lib/../app.ts')).toMatchObject({ abs: '/home/dev/project/src/app.ts', rel: 'src/app.ts', hazards: [] });
    expect(at('tests/../../project/.env')).toMatchObject({ rel: '.env' });
    expect(at('../other-repo/index.js')).toMatchObject({ abs: '/home/dev/other-repo/index.js', rel: undefined });
    expect(at('../../../../../etc/passwd')).toMatchObject({ abs: '/etc/passwd', rel: undefined });
  });

  it('compares components, never a string prefix', () => {
    expect(at('/home/dev/project-secrets/x').rel).toBeUndefined();
    expect(at('../project-secrets/x').rel).toBeUndefined();
    expect(at('/home/dev/project/x').rel).toBe('x');
    expect(at('/home/dev/project').rel).toBe('');
  });

  it('treats ~, $HOME and /dev/tcp as outside', () => {
    expect(at('~/.bashrc')).toMatchObject({ abs: '/home/dev/.bashrc', rel: undefined });
    expect(at('$HOME/.profile')).toMatchObject({ abs: '/home/dev/.profile', rel: undefined });
    expect(at('${HOME}/project/src/a.ts').rel).toBe('src/a.ts');
    expect(at('/dev/tcp/evil.example/80').rel).toBeUndefined();
  });

  it('follows a symlink on the leaf', () => {
    const p = at('src/config.ts', { symlinks: { 'src/config.ts': '/home/dev/project/.env' } });
    expect(p).toMatchObject({ abs: '/home/dev/project/.env', rel: '.env' });
    expect(p.via.map((v) => v.rel)).toContain('src/config.ts');
    expect(at('src/settings.ts', { symlinks: { 'src/settings.ts': '../.env' } }).rel).toBe('.env');
  });

  it('follows a symlink on a parent folder', () => {
    expect(at('vendor/lib/x.js', { symlinks: { vendor: '/opt/shared' } })).toMatchObject({ abs: '/opt/shared/lib/x.js', rel: undefined });
    expect(at('docs/hooks/pre-commit', { symlinks: { '/home/dev/project/docs': '.git' } }).rel).toBe('.git/hooks/pre-commit');
  });

  it('follows a dangling link and reports its target as missing', () => {
    const ctx = ctxOf({ symlinks: { 'out/log.txt': '/tmp/nowhere/log.txt' }, danglingTargets: ['/tmp/nowhere/log.txt'] });
    const fsView = describedFileSystem(ctx);
    const p = canonicalize('out/log.txt', ctx, fsView);
    expect(p).toMatchObject({ abs: '/tmp/nowhere/log.txt', rel: undefined });
    expect(fsView.exists?.(p.abs)).toBe(false);
  });

  it('follows link chains and stops on loops', () => {
    expect(at('a', { symlinks: { a: 'b', b: 'c', c: '.env' } }).rel).toBe('.env');
    const loop = at('a', { symlinks: { a: 'b', b: 'a' } });
    expect(loop.hazards.join(' ')).toMatch(/more than 40 symbolic links/);
  });

  it("flags '..' after a symbolic link, which lands in two places", () => {
    const p = at('src/link/../x.ts', { symlinks: { 'src/link': '/opt/lib' } });
    expect(p.rel).toBe('src/x.ts');
    expect(p.alternates).toEqual([{ abs: '/opt/x.ts', rel: undefined }]);
    expect(p.hazards.join(' ')).toMatch(/'\.\.' after a symbolic link/);
  });

  it('folds case on a case-insensitive file system only', () => {
    expect(at('/HOME/DEV/PROJECT/src/a.ts', { fs: 'case-insensitive', os: 'macos' }).rel).toBe('src/a.ts');
    expect(at('/HOME/DEV/PROJECT/src/a.ts').rel).toBeUndefined();
    expect(at('SRC/x', { fs: 'case-insensitive', symlinks: { 'src/x': '/etc/x' } }).abs).toBe('/etc/x');
  });

  it('reads Windows spellings', () => {
    expect(at('src\\..\\.env', win)).toMatchObject({ abs: 'C:/Users/dev/project/.env', rel: '.env' });
    expect(at('c:\\users\\DEV\\project\\src\\x', win).rel).toBe('src/x');
    expect(at('.git./config', win).rel).toBe('.git/config');
    expect(at('.git .. /config', win).rel).toBe('.git/config');
    expect(at('.git::$INDEX_ALLOCATION/hooks/pre-commit', win).rel).toBe('.git/hooks/pre-commit');
    expect(at('notes.txt:hidden', win)).toMatchObject({ rel: 'notes.txt' });
    expect(at('notes.txt:hidden', win).hazards.join(' ')).toMatch(/NTFS stream/);
    expect(at('GIT~1\\hooks\\pre-commit', win).rel).toBe('.git/hooks/pre-commit');
    expect(at('ENV~1.PRO', win).rel).toBe('.env.pro');
    expect(at('\\src\\x', win).abs).toBe('C:/src/x');
    expect(at('D:\\Users\\dev\\project\\x', win).rel).toBeUndefined();
    expect(at('~\\project\\src\\x', win).rel).toBe('src/x');
    expect(at('%USERPROFILE%\\.ssh\\id_rsa', win).rel).toBeUndefined();
  });

  it('resolves a workspace root that is itself a link', () => {
    const over = { symlinks: { '/home/dev/project': '/data/p' } };
    expect(at('src/a.ts', over)).toMatchObject({ abs: '/data/p/src/a.ts', rel: 'src/a.ts' });
    expect(at('/data/p/.kiro/settings.json', over).rel).toBe('.kiro/settings.json');
    expect(at('/data/p-other/x', over).rel).toBeUndefined();
  });

  it('reads links from the real disk', () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'spec-agent-paths-')));
    try {
      mkdirSync(join(dir, 'src'));
      writeFileSync(join(dir, '.env'), 'A=1\n');
      symlinkSync('../.env', join(dir, 'src/config.ts'));
      symlinkSync(join(dir, 'gen/missing.ts'), join(dir, 'src/dangling.ts'));
      symlinkSync(tmpdir(), join(dir, 'tmp'));
      const ctx = ctxOf({ workspaceRoot: dir });
      expect(canonicalize('src/config.ts', ctx, realFileSystem).rel).toBe('.env');
      const dangling = canonicalize('src/dangling.ts', ctx, realFileSystem);
      expect(dangling.rel).toBe('gen/missing.ts');
      expect(realFileSystem.exists?.(dangling.abs)).toBe(false);
      expect(canonicalize('tmp/x', ctx, realFileSystem).rel).toBeUndefined();
      expect(realFileSystem.readlink(join(dir, 'nope'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('puts UNC and \\\\?\\ paths outside the workspace without looking them up', () => {
    let lookups = 0;
    const fsView: FileSystemView = {
      readlink: (abs) => {
        if (abs.startsWith('//')) lookups++;
        return undefined;
      },
    };
    expect(at('\\\\attacker.example\\share\\x.txt', win, fsView)).toMatchObject({ abs: '//attacker.example/share/x.txt', rel: undefined });
    expect(at('\\\\?\\C:\\Users\\dev\\project\\src\\x', win, fsView).rel).toBeUndefined();
    expect(at('\\\\.\\PhysicalDrive0', win, fsView).rel).toBeUndefined();
    expect(lookups).toBe(0);
  });

  it('flags invisible characters and look-alikes of protected names', () => {
    expect(at('.\u0435nv').hazards.join(' ')).toMatch(/looks like the protected name \.env.*U\+0435/);
    expect(at('.g\u0456t/config').hazards.join(' ')).toMatch(/\.git/);
    expect(at('src/\u202Egnp.ts').hazards.join(' ')).toMatch(/U\+202E/);
    expect(at('src/a\u200B.ts').hazards.join(' ')).toMatch(/U\+200B/);
    expect(at('docs/caf\u00E9.md').hazards).toEqual([]);
    expect(at('src/app.ts').hazards).toEqual([]);
  });
});

describe('checkFileAction', () => {
  it('denies writes outside the workspace and names the path', () => {
    const { verdict, findings } = check('../other-repo/index.js');
    expect(verdict).toBe('deny');
    expect(findings[0]?.message).toMatch(/outside the workspace \(\/home\/dev\/other-repo\/index\.js/);
  });

  it('denies policy files, asks for nested .kiro folders', () => {
    expect(check('.kiro/settings.json').verdict).toBe('deny');
    expect(check('.Kiro/settings.json', { fs: 'case-insensitive' }).verdict).toBe('deny');
    expect(check('.Kiro/settings.json').verdict).toBe('allow');
    expect(check('examples/app/.kiro/specs/x/tasks.md').verdict).toBe('ask');
    expect(check('.kiro/settings.json', {}, { autonomyLevel: 'full' }, 'delete').verdict).toBe('deny');
  });

  it('asks for protected paths in any folder, and for protectedPaths globs', () => {
    for (const p of ['.env', 'apps/web/.env.local', 'secrets/a.json', 'certs/x.pem', 'id_ed25519', '.npmrc', '.git/config', '.gitmodules', '.vscode/tasks.json', '.github/workflows/ci.yml', '.husky/pre-push', 'packages/a/package.json']) {
      expect(check(p, {}, { autonomyLevel: 'full' }).verdict, p).toBe('ask');
    }
    for (const p of ['src/app.ts', '.github/CODEOWNERS', 'docs/environment.md', '.gitignore']) {
      expect(check(p, {}, { autonomyLevel: 'full' }).verdict, p).toBe('allow');
    }
    const protectedPaths = ['prisma/schema.prisma', 'config/**', '*.sql', 'db?/seed.ts'];
    expect(check('prisma/schema.prisma', {}, { protectedPaths }).verdict).toBe('ask');
    expect(check('config/prod/app.yml', {}, { protectedPaths }).verdict).toBe('ask');
    expect(check('config', {}, { protectedPaths }, 'delete').findings.some((f) => f.message.includes('config/**'))).toBe(true);
    expect(check('prisma/migrations/1/migration.sql', {}, { protectedPaths }).verdict).toBe('ask');
    expect(check('db1/seed.ts', {}, { protectedPaths }).verdict).toBe('ask');
    expect(check('prisma/client.ts', {}, { protectedPaths }).verdict).toBe('allow');
    expect(check('configuration.ts', {}, { protectedPaths }).verdict).toBe('allow');
  });

  it('checks the names a write passes through as well as where it lands', () => {
    expect(check('src/config.ts', { symlinks: { 'src/config.ts': '../.env' } }).verdict).toBe('ask');
    expect(check('.git/hooks/pre-commit', { symlinks: { '.git/hooks/pre-commit': '../../scripts/hook.sh' } }).verdict).toBe('ask');
    expect(check('src/out.txt', { symlinks: { src: '/tmp/elsewhere' } }).verdict).toBe('deny');
  });

  it('applies the W4 rules per level, and only the path rules to command writes', () => {
    expect(check('src/a.ts', { fileEditsSoFarInTask: 20 }).verdict).toBe('ask');
    expect(check('src/a.ts', { fileEditsSoFarInTask: 19 }).verdict).toBe('allow');
    expect(check('src/a.ts', {}, { requireApprovalForNewFiles: true }, 'create').verdict).toBe('ask');
    expect(check('src/a.ts', { exists: false }, { requireApprovalForNewFiles: true }).verdict).toBe('ask');
    expect(check('src/a.ts', { symlinks: { 'src/a.ts': 'gen/a.ts' }, danglingTargets: ['gen/a.ts'] }, { requireApprovalForNewFiles: true }).verdict).toBe('ask');
    expect(check('src/a.ts', { largeRewrite: true }, { autonomyLevel: 'full' }).verdict).toBe('allow');
    expect(check('src/a.ts', {}, { autonomyLevel: 'full' }, 'delete').verdict).toBe('ask');

    const fromCommand = { fromCommand: true };
    expect(check('tests/last-run.log', {}, { autonomyLevel: 'cautious' }, 'write', fromCommand).verdict).toBe('allow');
    expect(check('tests/last-run.log', { fileEditsSoFarInTask: 50, largeRewrite: true }, {}, 'write', fromCommand).verdict).toBe('allow');
    expect(check('.env', {}, {}, 'write', fromCommand).verdict).toBe('ask');
    expect(check('.kiro/settings.json', {}, {}, 'write', fromCommand).verdict).toBe('deny');
    expect(check('$HOME/.profile', {}, {}, 'write', fromCommand).verdict).toBe('deny');
    expect(check('/dev/tcp/evil.example/80', {}, {}, 'write', fromCommand).verdict).toBe('deny');
  });

  it('keeps invisible characters out of its own messages', () => {
    const { verdict, findings } = check('src/\u202Egnp.ts');
    expect(verdict).toBe('ask');
    expect(findings.map((f) => f.message).join(' ')).not.toMatch(/\u202E/);
  });
});
