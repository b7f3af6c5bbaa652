import { readFile } from 'node:fs/promises';
import { createTwoFilesPatch } from 'diff';
import { applyEdits, type Edit } from './editMatch.js';
import { workspacePath } from './workspacePath.js';

/** Past this, an approval card shows the size instead of a diff nobody would read. */
const MAX_DIFF_INPUT = 1024 * 1024;

/**
 * The unified diff a file-changing call would make, against the file as it is now: what an approval card shows
 * before the user says yes. Undefined for calls that change no file or whose path is not one a tool would write.
 */
export async function proposedDiff(workspace: string, tool: string, input: unknown): Promise<string | undefined> {
  if (!['write_file', 'edit_file', 'delete_file'].includes(tool)) return undefined;
  const args = (input ?? {}) as { path?: unknown; content?: unknown; edits?: unknown };
  if (typeof args.path !== 'string') return undefined;
  const p = workspacePath(workspace, args.path);
  if ('error' in p) return undefined;
  const before = await readFile(p.abs, 'utf8').catch(() => undefined);
  let after: string;
  let note = '';
  if (tool === 'delete_file') after = '';
  else if (tool === 'write_file') after = typeof args.content === 'string' ? args.content : '';
  else {
    // The very resolution edit_file applies (exact, then the forgiving matches), so the diff approved is the diff
    // written; an edit that will be refused is said instead of a diff that will not happen.
    const edits: Edit[] = (Array.isArray(args.edits) ? (args.edits as Array<{ oldText?: unknown; newText?: unknown; replaceAll?: unknown }>) : []).flatMap((e) =>
      typeof e.oldText === 'string' && typeof e.newText === 'string' ? [{ oldText: e.oldText, newText: e.newText, replaceAll: e.replaceAll === true }] : [],
    );
    const applied = applyEdits(before ?? '', edits, p.rel);
    if ('error' in applied) {
      after = before ?? '';
      note = `# the edit will fail: ${applied.error.split('\n')[0]}\n`;
    } else after = applied.text;
  }
  if ((before?.length ?? 0) + after.length > MAX_DIFF_INPUT) return `${note}# ${p.rel}: ${before === undefined ? 'new file' : `${before.length} → ${after.length} bytes`} (too large to show)\n`;
  const patch = createTwoFilesPatch(before === undefined ? '/dev/null' : `a/${p.rel}`, tool === 'delete_file' ? '/dev/null' : `b/${p.rel}`, before ?? '', after, undefined, undefined, { context: 3 });
  // The first line of createTwoFilesPatch is a row of "=" separators; the ---/+++ header follows.
  return note + patch.split('\n').filter((l) => !/^=+$/.test(l)).join('\n');
}
