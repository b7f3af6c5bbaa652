import { cpSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/** The example project the agent tests run in, and its spec's tasks.md (relative to it). */
export const EXAMPLE = join(__dirname, '../../examples/todo-app');
export const EXAMPLE_TASKS = '.kiro/specs/todo-priorities/tasks.md';

/** A fresh copy of the example project in a temp dir, committed in a real git repository (checkpoints need one). */
export async function exampleRepo(prefix: string): Promise<string> {
  const ws = await mkdtemp(join(tmpdir(), `spec-agent-${prefix}-`));
  cpSync(EXAMPLE, ws, { recursive: true });
  const env = { GIT_AUTHOR_NAME: 'u', GIT_AUTHOR_EMAIL: 'u@x', GIT_COMMITTER_NAME: 'u', GIT_COMMITTER_EMAIL: 'u@x' };
  await execa('git', ['init', '-q', '-b', 'main'], { cwd: ws });
  await execa('git', ['add', '-A'], { cwd: ws });
  await execa('git', ['commit', '-q', '-m', 'init'], { cwd: ws, env });
  return ws;
}
