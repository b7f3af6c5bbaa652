import { chmod, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadTasks, readSpecFile, writeTaskStatus } from '../../../src/core/spec/taskFile.js';
import { SpecError } from '../../../src/core/spec/specError.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spec-agent-taskfile-'));
});

async function roundTrip(bytes: Buffer, id: string, status: 'done' | 'in_progress' | 'queued' | 'todo') {
  const file = join(dir, 'tasks.md');
  await writeFile(file, bytes);
  const spec = await loadTasks(file);
  const task = spec.tree.tasks.find((t) => t.id === id)!;
  await writeTaskStatus(file, spec.hash, task, status);
  return { file, after: await readFile(file) };
}

/** The byte positions where two buffers of equal length differ. */
function diffPositions(a: Buffer, b: Buffer): number[] {
  expect(b.length).toBe(a.length);
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

describe('status edits on disk', () => {
  it('changes only the mark byte in a CRLF file with a BOM, multi-byte text and no final newline', async () => {
    const before = Buffer.from('\uFEFF# 計画\r\n\r\n- [ ] 1. 設定 ✓\r\n  - [ ]* 1.1 Sub — em dash\r\n- [x] 2. Last', 'utf8');
    const { after } = await roundTrip(before, '1.1', 'done');
    const changed = diffPositions(before, after);
    expect(changed).toHaveLength(1);
    expect(after.subarray(changed[0]! - 1, changed[0]! + 2).toString()).toBe('[x]');
    expect(after.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('writes each status mark and can undo it', async () => {
    const before = Buffer.from('- [ ] 1. a\n- [x] 2. b\n');
    for (const [status, mark] of [['in_progress', '-'], ['queued', '~'], ['done', 'x'], ['todo', ' ']] as const) {
      const { after } = await roundTrip(before, '1', status);
      expect(after.toString()).toBe(`- [${mark}] 1. a\n- [x] 2. b\n`);
    }
  });

  it('refuses to write when the file changed since it was read, and leaves it untouched', async () => {
    const file = join(dir, 'tasks.md');
    await writeFile(file, '- [ ] 1. a\n');
    const spec = await loadTasks(file);
    await writeFile(file, '- [ ] 1. a\n- [ ] 2. the user added this\n');
    const err = await writeTaskStatus(file, spec.hash, spec.tree.tasks[0]!, 'done').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecError);
    expect(String(err)).toMatch(/tasks\.md:1: changed on disk since it was read; the status was not written/);
    expect(await readFile(file, 'utf8')).toBe('- [ ] 1. a\n- [ ] 2. the user added this\n');
  });

  it('writes atomically: keeps the file mode and leaves no temp file', async () => {
    const file = join(dir, 'tasks.md');
    await writeFile(file, '- [ ] 1. a\n');
    await chmod(file, 0o640);
    const spec = await loadTasks(file);
    await writeTaskStatus(file, spec.hash, spec.tree.tasks[0]!, 'done');
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect(await readdir(dir)).toEqual(['tasks.md']);
  });
});

describe('readSpecFile', () => {
  it.each([
    ['a missing file', async () => join(dir, 'nope.md'), /nope\.md: no such file/],
    ['a directory', async () => { await mkdir(join(dir, 'd')); return join(dir, 'd'); }, /: is a directory, not a file/],
    ['invalid UTF-8', async () => { await writeFile(join(dir, 'bad.md'), Buffer.from([0x2d, 0x20, 0x0a, 0x61, 0xff, 0x62])); return join(dir, 'bad.md'); }, /bad\.md:2: is not valid UTF-8 \(byte 4 on line 2\)/],
    ['a file over 1 MB', async () => { await writeFile(join(dir, 'big.md'), Buffer.alloc(1.2 * 1024 * 1024, 0x61)); return join(dir, 'big.md'); }, /big\.md: is 1\.2 MB, over the 1 MB limit for a spec file \(a larger one takes more than 2 s to parse\)\. Split it/],
  ])('refuses %s with a clear error', async (_what, make, message) => {
    const err = await readSpecFile(await make()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecError);
    expect(String(err)).toMatch(message);
  });
});
