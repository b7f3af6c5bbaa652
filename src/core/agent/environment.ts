import { execFile } from 'node:child_process';
import { release } from 'node:os';
import { promisify } from 'node:util';
import { trustedProgram } from '../fs/trustedPrograms.js';

const execFileAsync = promisify(execFile);
const MAX_DIRTY = 20;

export interface EnvironmentFacts {
  os: string;
  shell: string;
  workspace: string;
  date: string;
  /** Undefined outside a git repository (or without git). */
  git?: { branch: string; dirty: string[] };
}

/**
 * Where the agent works, for the prompt's Environment section: the facts the best agents give the model so it
 * does not spend turns finding them out (which OS and shell its commands meet, the branch, what is already
 * modified). Git runs as the user's own `git status` would (VS Code's git view does the same), without fsmonitor
 * and without taking locks; any failure leaves the git line out.
 */
export async function environmentFacts(workspace: string, shell: string, now = new Date()): Promise<EnvironmentFacts> {
  const facts: EnvironmentFacts = { os: `${osName(process.platform)} ${release()}`, shell, workspace, date: now.toISOString().slice(0, 10) };
  const git = trustedProgram('git', [workspace]);
  if (!git) return facts;
  try {
    const run = (args: string[]) => execFileAsync(git, ['-c', 'core.fsmonitor=false', '-c', 'core.quotePath=false', ...args], { cwd: workspace, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' }, timeout: 5000, maxBuffer: 4 * 1024 * 1024 });
    const [{ stdout: branch }, { stdout: status }] = await Promise.all([run(['rev-parse', '--abbrev-ref', 'HEAD']), run(['status', '--porcelain=v1', '--no-renames', '--untracked-files=normal'])]);
    facts.git = { branch: branch.trim(), dirty: status.split('\n').filter(Boolean) };
  } catch {
    // Not a repository, no commit yet, or git refused: the prompt says nothing about git.
  }
  return facts;
}

export function environmentSection(f: EnvironmentFacts): string {
  const lines = [`- OS: ${f.os}; commands run in ${f.shell}, non-interactively (no prompts, no pager)`, `- Workspace: ${f.workspace}`, `- Date: ${f.date}`];
  if (f.git) {
    const dirty = f.git.dirty;
    const shown = dirty.slice(0, MAX_DIRTY).map((l) => `  ${l}`);
    const more = dirty.length > MAX_DIRTY ? [`  ... and ${dirty.length - MAX_DIRTY} more`] : [];
    lines.push(`- Git branch: ${f.git.branch}; ${dirty.length === 0 ? 'no uncommitted changes when the task started' : `uncommitted changes when the task started (the user's or earlier tasks'; keep them):`}`, ...shown, ...more);
  }
  return `## Environment\n${lines.join('\n')}`;
}

function osName(p: NodeJS.Platform): string {
  return p === 'darwin' ? 'macOS' : p === 'win32' ? 'Windows' : p === 'linux' ? 'Linux' : p;
}
