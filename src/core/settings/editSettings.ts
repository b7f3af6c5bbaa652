import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { applyEdits, findNodeAtLocation, modify, parseTree, type FormattingOptions } from 'jsonc-parser';
import { atomicWrite } from '../fs/atomicWrite.js';
import type { AutonomyLevel } from './schema.js';

/** The indentation the file already uses, so an edit looks like the user wrote it. */
function formattingOf(text: string): FormattingOptions {
  const m = /^([ \t]+)\S/m.exec(text);
  const indent = m?.[1] ?? '  ';
  return { insertSpaces: !indent.includes('\t'), tabSize: indent.includes('\t') ? 1 : indent.length, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

/** Sets `agent.autonomyLevel`, keeping comments, order and formatting. */
export function setAutonomyLevelText(text: string, level: AutonomyLevel): string {
  return applyEdits(text, modify(text, ['agent', 'autonomyLevel'], level, { formattingOptions: formattingOf(text) }));
}

/** Appends a command to `agent.allowedCommands` unless it is already there, keeping comments and formatting. */
export function addAllowedCommandText(text: string, command: string): string {
  return addCommandText(text, 'allowedCommands', command);
}

/** Appends a command to `agent.verifyCommands` unless it is already there, keeping comments and formatting. */
export function addVerifyCommandText(text: string, command: string): string {
  return addCommandText(text, 'verifyCommands', command);
}

function addCommandText(text: string, listName: 'allowedCommands' | 'verifyCommands', command: string): string {
  const root = parseTree(text, [], { allowTrailingComma: true });
  const list = root && findNodeAtLocation(root, ['agent', listName]);
  const options = { formattingOptions: formattingOf(text) };
  if (list?.type === 'array') {
    const items = list.children ?? [];
    if (items.some((c) => c.value === command)) return text;
    const last = items.at(-1);
    const listEnd = list.offset + list.length;
    // One item per line: add a line after the last one, so its trailing comment stays where it was.
    if (last && text.slice(last.offset + last.length, listEnd).includes('\n')) return appendLine(text, last.offset + last.length, JSON.stringify(command));
    // An inline list stays inline.
    const at = last ? last.offset + last.length : list.offset + 1;
    return `${text.slice(0, at)}${last ? ', ' : ''}${JSON.stringify(command)}${text.slice(at)}`;
  }
  return applyEdits(text, modify(text, ['agent', listName], [command], options));
}

/** Inserts `value` on a new line after the array item ending at `afterItem`, in the item's indentation. */
function appendLine(text: string, afterItem: number, value: string): string {
  let lineEnd = text.indexOf('\n', afterItem);
  if (lineEnd === -1) lineEnd = text.length;
  if (text[lineEnd - 1] === '\r') lineEnd--;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lineStart = text.lastIndexOf('\n', afterItem) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  const trailingComma = /^[ \t]*,/.test(text.slice(afterItem, lineEnd));
  const added = `${eol}${indent}${value}${trailingComma ? ',' : ''}`;
  const withComma = trailingComma ? text : `${text.slice(0, afterItem)},${text.slice(afterItem)}`;
  const at = trailingComma ? lineEnd : lineEnd + 1;
  return withComma.slice(0, at) + added + withComma.slice(at);
}

/**
 * Applies an edit to the settings file on disk (created if absent), atomically. If `expected` is given and the
 * file no longer has that text, nothing is written: the user edited it meanwhile.
 */
export async function editSettingsFile(file: string, edit: (text: string) => string, expected?: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '{}\n';
    throw err;
  });
  if (expected !== undefined && text !== expected) throw new Error(`${file} changed since it was read; the setting was not written. Try again.`);
  const next = edit(text);
  if (next === text) return text;
  await mkdir(dirname(file), { recursive: true });
  await atomicWrite(file, next);
  return next;
}
