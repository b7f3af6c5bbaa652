import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { proposedDiff } from '../../../src/core/tools/proposedDiff.js';

describe('proposedDiff', async () => {
  const ws = await mkdtemp(join(tmpdir(), 'spec-agent-diff-'));
  await writeFile(join(ws, 'a.ts'), 'one\ntwo\nthree\n');

  it('shows an edit against the file on disk, which it does not change', async () => {
    const d = await proposedDiff(ws, 'edit_file', { path: 'a.ts', edits: [{ oldText: 'two', newText: 'TWO' }] });
    expect(d).toContain('--- a/a.ts');
    expect(d).toContain('+++ b/a.ts');
    expect(d).toMatch(/^-two$/m);
    expect(d).toMatch(/^\+TWO$/m);
    expect(await readFile(join(ws, 'a.ts'), 'utf8')).toBe('one\ntwo\nthree\n');
  });

  it('says when an edit will not apply', async () => {
    expect(await proposedDiff(ws, 'edit_file', { path: 'a.ts', edits: [{ oldText: 'four', newText: '4' }] })).toMatch(/^# the edit will fail: edits\[0\]\.oldText was not found in a\.ts/);
  });

  it('shows a new file from /dev/null and a delete to /dev/null', async () => {
    const created = await proposedDiff(ws, 'write_file', { path: 'src/new.ts', content: 'x\n' });
    expect(created).toContain('--- /dev/null');
    expect(created).toMatch(/^\+x$/m);
    const deleted = await proposedDiff(ws, 'delete_file', { path: 'a.ts' });
    expect(deleted).toContain('+++ /dev/null');
    expect(deleted).toMatch(/^-three$/m);
  });

  it('has nothing for commands or paths outside the workspace', async () => {
    expect(await proposedDiff(ws, 'run_command', { command: 'ls' })).toBeUndefined();
    expect(await proposedDiff(ws, 'write_file', { path: '../x', content: '' })).toBeUndefined();
  });
});
