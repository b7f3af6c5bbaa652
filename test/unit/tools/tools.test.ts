import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseToolInput, toolByName, toolJsonSchemas } from '../../../src/core/tools/registry.js';
import type { ToolContext } from '../../../src/core/tools/types.js';

let ws: string;
let ctx: ToolContext;
beforeEach(async () => {
  ws = await mkdtemp(join(tmpdir(), 'spec-agent-tools-'));
  ctx = { workspaceRoot: ws, signal: new AbortController().signal, commandTimeoutSeconds: 30 };
});
const run = (name: string, input: unknown, c: ToolContext = ctx) => toolByName(name)!.run(input, c);

/** Running, not a zombie (a container's init may never reap a killed orphan). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('the tool set', () => {
  it('is the fixed contract, with JSON schemas the model sees', () => {
    const schemas = toolJsonSchemas();
    expect(schemas.map((s) => s.name)).toEqual(['read_file', 'list_files', 'search_files', 'write_file', 'edit_file', 'delete_file', 'run_command', 'complete_task']);
    const required = Object.fromEntries(schemas.map((s) => [s.name, s.parameters.required ?? []]));
    expect(required).toEqual({ read_file: ['path'], list_files: [], search_files: ['query'], write_file: ['path', 'content'], edit_file: ['path', 'edits'], delete_file: ['path'], run_command: ['command'], complete_task: ['summary'] });
    expect(parseToolInput('edit_file', { path: 'a', edits: [{ oldText: 1, newText: '' }] })).toEqual({ ok: false, error: 'edit_file: edits[0].oldText: Invalid input: expected string, received number' });
    expect(parseToolInput('rm', {})).toMatchObject({ ok: false, error: expect.stringMatching(/^there is no tool "rm"/) });
  });
});

describe('file tools', () => {
  it('write, read, edit exactly once (all or nothing, line endings kept), delete', async () => {
    expect(await run('write_file', { path: 'src/a.ts', content: 'one\r\ntwo\r\ntwo\r\n' })).toMatchObject({ ok: true, data: { created: true, lines: 3 } });
    expect((await run('read_file', { path: 'src/a.ts' })).output).toBe('one\r\ntwo\r\ntwo\r\n');
    const twice = await run('edit_file', { path: 'src/a.ts', edits: [{ oldText: 'one', newText: 'ONE' }, { oldText: 'two', newText: '2' }] });
    expect(twice).toMatchObject({ ok: false });
    expect(twice.output).toMatch(/edits\[1\]\.oldText appears 2 times in src\/a\.ts.*Nothing was changed/);
    expect(await readFile(join(ws, 'src/a.ts'), 'utf8')).toBe('one\r\ntwo\r\ntwo\r\n');
    expect((await run('edit_file', { path: 'src/a.ts', edits: [{ oldText: 'missing', newText: 'x' }] })).output).toMatch(/edits\[0\]\.oldText was not found/);
    expect(await run('edit_file', { path: 'src/a.ts', edits: [{ oldText: 'one\r\ntwo', newText: 'ONE\r\nTWO' }] })).toMatchObject({ ok: true });
    expect(await readFile(join(ws, 'src/a.ts'), 'utf8')).toBe('ONE\r\nTWO\r\ntwo\r\n');
    expect(await run('delete_file', { path: 'src/a.ts' })).toMatchObject({ ok: true });
    expect(existsSync(join(ws, 'src/a.ts'))).toBe(false);
  });

  it('refuses paths outside the workspace or in .git, binary and oversized files, with clear messages', async () => {
    expect((await run('read_file', { path: '../x' })).output).toMatch(/outside the workspace/);
    expect((await run('write_file', { path: '/etc/passwd', content: '' })).output).toMatch(/is absolute/);
    expect((await run('write_file', { path: '.git/config', content: '' })).output).toMatch(/inside \.git/);
    await writeFile(join(ws, 'b.bin'), Buffer.from([1, 0, 2]));
    expect((await run('read_file', { path: 'b.bin' })).output).toMatch(/binary file/);
    await writeFile(join(ws, 'big.txt'), 'x'.repeat(1024 * 1024 + 1));
    expect((await run('read_file', { path: 'big.txt' })).output).toMatch(/over the 1 MB/);
    expect((await run('read_file', { path: 'nope.txt' })).output).toBe('nope.txt: no such file');
  });
});

describe('list and search (ripgrep)', () => {
  it('honour .gitignore outside a git repository, and fall back to plain text for an invalid regex', async () => {
    await mkdir(join(ws, 'src'));
    await writeFile(join(ws, '.gitignore'), 'dist/\n');
    await mkdir(join(ws, 'dist'));
    await writeFile(join(ws, 'dist/out.js'), 'needle()\n');
    await writeFile(join(ws, 'src/a.ts'), 'const needle = 1;\nneedle(\n');
    expect((await run('list_files', {})).output.split('\n')).toEqual(['.gitignore', 'src/a.ts']);
    expect((await run('list_files', { glob: '*.ts' })).output).toBe('src/a.ts');
    expect((await run('search_files', { query: 'needle' })).output).toBe('src/a.ts:1:const needle = 1;\nsrc/a.ts:2:needle(');
    expect((await run('search_files', { query: 'needle(' })).output).toBe('(searched as plain text: the query is not a valid regex)\nsrc/a.ts:2:needle(');
    expect(await run('search_files', { query: 'absent' })).toMatchObject({ ok: true, output: 'no matches' });
  });
});

describe('run_command', () => {
  it('reports the exit code and streams output in order', async () => {
    const chunks: string[] = [];
    const r = await run('run_command', { command: 'echo one; echo two >&2; exit 3' }, { ...ctx, onOutput: (c) => chunks.push(`${c.stream}:${c.text}`) });
    expect(r).toMatchObject({ ok: false, data: { exitCode: 3, timedOut: false, stopped: false } });
    expect(r.output).toBe('exit code 3\none\ntwo\n');
    expect(chunks).toEqual(['stdout:one\n', 'stderr:two\n']);
  });

  it('keeps the head and tail of long output and says how much was left out', async () => {
    const r = await run('run_command', { command: 'head -c 100000 /dev/zero | tr "\\0" "a"' });
    expect(r.output).toMatch(/\n\[\.\.\. 67232 bytes omitted \.\.\.\]\n/);
    expect(r.data).toMatchObject({ outputBytes: 100000, truncatedBytes: 67232 });
  });

  it('on timeout kills the whole process group, grandchildren included', async () => {
    const pidFile = join(ws, 'grandchild.pid');
    const started = Date.now();
    const r = await run('run_command', { command: `sleep 30 & echo $! > ${pidFile}; sleep 30; wait`, timeoutSeconds: 1 });
    expect(r).toMatchObject({ ok: false, data: { timedOut: true } });
    expect(r.output).toMatch(/^timed out after 1 s/);
    expect(Date.now() - started).toBeLessThan(4000);
    const pid = Number(await readFile(pidFile, 'utf8'));
    expect(running(pid)).toBe(false);
  });

  it('on stop kills the group within 3 s, and SIGKILLs a command that ignores SIGTERM', async () => {
    const stop = new AbortController();
    const started = Date.now();
    setTimeout(() => stop.abort(), 300);
    const r = await run('run_command', { command: 'trap "" TERM; sleep 30' }, { ...ctx, signal: stop.signal });
    expect(r).toMatchObject({ ok: false, data: { stopped: true } });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
