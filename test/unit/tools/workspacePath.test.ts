import { mkdir, mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspacePath, writablePath } from '../../../src/core/tools/workspacePath.js';

const root = '/home/dev/project';

describe('workspacePath', () => {
  it('resolves workspace-relative paths', () => {
    expect(workspacePath(root, 'src/a.ts')).toEqual({ abs: '/home/dev/project/src/a.ts', rel: 'src/a.ts' });
    expect(workspacePath(root, './src//b/../a.ts')).toEqual({ abs: '/home/dev/project/src/a.ts', rel: 'src/a.ts' });
    expect(workspacePath(root, '.')).toEqual({ abs: root, rel: '.' });
    // A name that only starts with two dots is inside.
    expect(workspacePath(root, '..hidden/x')).toEqual({ abs: '/home/dev/project/..hidden/x', rel: '..hidden/x' });
    expect(workspacePath(root, '.github/workflows/ci.yml')).toMatchObject({ rel: '.github/workflows/ci.yml' });
  });

  it('refuses absolute paths, escapes and .git, with a message instead of a throw', () => {
    expect(workspacePath(root, '/etc/passwd')).toEqual({ error: 'path: "/etc/passwd" is absolute; give a path relative to the workspace' });
    expect(workspacePath(root, '~/.ssh/id_rsa')).toMatchObject({ error: expect.stringMatching(/is absolute/) });
    expect(workspacePath(root, 'C:\\Windows')).toMatchObject({ error: expect.stringMatching(/is absolute/) });
    expect(workspacePath(root, '../other/x')).toEqual({ error: 'path: "../other/x" is outside the workspace' });
    expect(workspacePath(root, 'src/../../x')).toMatchObject({ error: expect.stringMatching(/outside the workspace/) });
    expect(workspacePath(root, '..')).toMatchObject({ error: expect.stringMatching(/outside the workspace/) });
    expect(workspacePath(root, '.git/config')).toEqual({ error: 'path: ".git/config" is inside .git/, which tools do not touch' });
    expect(workspacePath(root, 'src/../.git/hooks/pre-commit')).toMatchObject({ error: expect.stringMatching(/inside \.git/) });
    expect(workspacePath(root, 'vendor/lib/.git/HEAD')).toMatchObject({ error: expect.stringMatching(/inside \.git/) });
    expect(workspacePath(root, '.GIT/config')).toMatchObject({ error: expect.stringMatching(/inside \.git/) });
    expect(workspacePath(root, '')).toEqual({ error: 'path: give a path relative to the workspace' });
  });
});

describe('writablePath', () => {
  it('follows symbolic links to the real file, and refuses one that leads outside or into .git', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spec-agent-paths-'));
    const ws = join(dir, 'ws');
    await mkdir(join(ws, 'real'), { recursive: true });
    await mkdir(join(ws, '.git'));
    await mkdir(join(dir, 'elsewhere'));
    await symlink(join(ws, 'real'), join(ws, 'link'));
    await symlink(join(dir, 'elsewhere'), join(ws, 'out'));
    await symlink(join(ws, '.git'), join(ws, 'g'));
    expect(await writablePath(ws, 'link/new/a.ts')).toEqual({ abs: join(ws, 'real/new/a.ts'), rel: 'link/new/a.ts' });
    expect(await writablePath(ws, 'plain/a.ts')).toEqual({ abs: join(ws, 'plain/a.ts'), rel: 'plain/a.ts' });
    expect(await writablePath(ws, 'out/a.ts')).toEqual({ error: 'path: "out/a.ts" leads outside the workspace through a symbolic link' });
    expect(await writablePath(ws, 'g/config')).toMatchObject({ error: expect.stringMatching(/leads inside \.git/) });
    expect(await writablePath(ws, '../x')).toMatchObject({ error: expect.stringMatching(/outside the workspace/) });
  });
});
