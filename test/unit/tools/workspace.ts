import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { ToolContext } from '../../../src/core/tools/types.js';

/** A fresh workspace in a temp folder (outside any git repository), and a context to run tools in it. */
export async function workspace(files: Record<string, string | Buffer> = {}): Promise<{ root: string; ctx: ToolContext }> {
  const root = await mkdtemp(join(tmpdir(), 'spec-agent-tools-'));
  await writeFiles(root, files);
  return { root, ctx: { workspaceRoot: root, signal: new AbortController().signal, commandTimeoutSeconds: 30 } };
}

export async function writeFiles(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/**
 * Whether a process is still running. A zombie counts as gone: where the container's init does not reap
 * orphans, a killed grandchild stays a zombie, and `process.kill(pid, 0)` alone would still succeed.
 */
export function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2)[0]!);
  } catch {
    return false;
  }
}
