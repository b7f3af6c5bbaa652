import { readFile, stat, unlink, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { atomicWrite } from '../fs/atomicWrite.js';
import { fail, type ToolDefinition } from './types.js';
import { workspacePath } from './workspacePath.js';

const MAX_READ_BYTES = 1024 * 1024;
const lines = (s: string) => (s === '' ? 0 : s.split('\n').length - (s.endsWith('\n') ? 1 : 0));

export const readFileTool: ToolDefinition<{ path: string }> = {
  name: 'read_file',
  description: 'Read a UTF-8 text file of the workspace (at most 1 MB).',
  input: z.object({ path: z.string().describe('relative to the workspace') }),
  changesFiles: false,
  async run({ path }, ctx) {
    const p = workspacePath(ctx.workspaceRoot, path);
    if ('error' in p) return fail(p.error);
    const info = await stat(p.abs).catch(() => undefined);
    if (!info) return fail(`${p.rel}: no such file`);
    if (info.isDirectory()) return fail(`${p.rel} is a folder; use list_files`);
    if (info.size > MAX_READ_BYTES) return fail(`${p.rel} is ${(info.size / 1024 / 1024).toFixed(1)} MB, over the 1 MB read_file reads; use search_files to find what you need in it`);
    const bytes = await readFile(p.abs);
    if (bytes.includes(0)) return fail(`${p.rel} is a binary file (${bytes.length} bytes); read_file reads text only`);
    const text = bytes.toString('utf8');
    return { ok: true, output: text, data: { path: p.rel, bytes: bytes.length, lines: lines(text) } };
  },
};

export const writeFileTool: ToolDefinition<{ path: string; content: string }> = {
  name: 'write_file',
  description: 'Create a file, or replace its whole content. Prefer edit_file for changes to part of an existing file.',
  input: z.object({ path: z.string().describe('relative to the workspace'), content: z.string().describe('the complete new content') }),
  changesFiles: true,
  async run({ path, content }, ctx) {
    const p = workspacePath(ctx.workspaceRoot, path);
    if ('error' in p) return fail(p.error);
    const before = await stat(p.abs).catch(() => undefined);
    if (before?.isDirectory()) return fail(`${p.rel} is a folder`);
    await mkdir(dirname(p.abs), { recursive: true });
    await atomicWrite(p.abs, content);
    const n = lines(content);
    return { ok: true, output: `${before ? 'replaced' : 'created'} ${p.rel} (${n} lines)`, data: { path: p.rel, created: !before, bytes: Buffer.byteLength(content), lines: n } };
  },
};

export const editFileTool: ToolDefinition<{ path: string; edits: Array<{ oldText: string; newText: string }> }> = {
  name: 'edit_file',
  description: 'Change parts of a file: each oldText must appear exactly once in the file, and is replaced by newText. All edits apply, or none.',
  input: z.object({
    path: z.string().describe('relative to the workspace'),
    edits: z.array(z.object({ oldText: z.string().min(1), newText: z.string() })).min(1),
  }),
  changesFiles: true,
  async run({ path, edits }, ctx) {
    const p = workspacePath(ctx.workspaceRoot, path);
    if ('error' in p) return fail(p.error);
    const original = await readFile(p.abs, 'utf8').catch(() => undefined);
    if (original === undefined) return fail(`${p.rel}: no such file; use write_file to create it`);
    let text = original;
    for (const [i, e] of edits.entries()) {
      const count = occurrences(text, e.oldText);
      const quote = JSON.stringify(e.oldText.length > 80 ? `${e.oldText.slice(0, 80)}…` : e.oldText);
      if (count === 0) return fail(`edits[${i}].oldText was not found in ${p.rel}: ${quote}. Nothing was changed; read the file and copy the text exactly.`);
      if (count > 1) return fail(`edits[${i}].oldText appears ${count} times in ${p.rel}: ${quote}. Nothing was changed; include more surrounding lines so it matches once.`);
      text = text.replace(e.oldText, () => e.newText);
    }
    await atomicWrite(p.abs, text);
    const added = lines(text) - lines(original);
    return { ok: true, output: `edited ${p.rel} (${edits.length} edit${edits.length > 1 ? 's' : ''}, ${added >= 0 ? '+' : ''}${added} lines)`, data: { path: p.rel, edits: edits.length, linesDelta: added } };
  },
};

function occurrences(text: string, part: string): number {
  let n = 0;
  for (let i = text.indexOf(part); i !== -1; i = text.indexOf(part, i + 1)) n++;
  return n;
}

export const deleteFileTool: ToolDefinition<{ path: string }> = {
  name: 'delete_file',
  description: 'Delete a file of the workspace (not a folder).',
  input: z.object({ path: z.string().describe('relative to the workspace') }),
  changesFiles: true,
  async run({ path }, ctx) {
    const p = workspacePath(ctx.workspaceRoot, path);
    if ('error' in p) return fail(p.error);
    const info = await stat(p.abs).catch(() => undefined);
    if (!info) return fail(`${p.rel}: no such file`);
    if (info.isDirectory()) return fail(`${p.rel} is a folder; delete_file deletes files only`);
    await unlink(p.abs);
    return { ok: true, output: `deleted ${p.rel}`, data: { path: p.rel } };
  },
};
