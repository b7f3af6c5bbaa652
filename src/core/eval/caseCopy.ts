import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { trustedPath } from '../fs/trustedPrograms.js';
import type { CommandSandbox } from '../sandbox/commandSandbox.js';
import { runInProcessGroup } from '../tools/runCommand.js';
import type { EvalCase } from './suite.js';

const execFileAsync = promisify(execFile);

/** A committed identity of its own: the copy's first commit must not depend on (or show) the user's git config. */
const GIT_IDENTITY = ['-c', 'user.name=spec-agent eval', '-c', 'user.email=eval@spec-agent.invalid', '-c', 'commit.gpgsign=false'];

/**
 * A fresh copy of the case's workspace in a temp folder, made a git repository with one commit, so the run's
 * checkpoints and diffstat work as in a user's project. The hidden files are not in it.
 */
export async function freshCopy(c: EvalCase): Promise<string> {
  const copy = mkdtempSync(join(tmpdir(), `spec-agent-eval-${c.name}-`));
  cpSync(c.workspace, copy, { recursive: true });
  const git = (...args: string[]) => execFileAsync('git', [...GIT_IDENTITY, ...args], { cwd: copy, env: { ...process.env, PATH: trustedPath([copy]) } });
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '--no-verify', '-m', `eval case ${c.name}`);
  return copy;
}

export function removeCopy(copy: string): void {
  rmSync(copy, { recursive: true, force: true });
}

export interface CheckResult {
  command: string;
  exitCode: number | null;
  ok: boolean;
  /** The end of its output, for the report of a failed check. */
  tail?: string;
}

/**
 * The case's hidden checks, after the run: its hidden files copied in, then each command in the copy, in the
 * run's own containment (they run code the agent wrote; runSession's afterRun hands it over). They all run, so
 * the report says which failed.
 */
export async function runChecks(c: EvalCase, copy: string, sandbox: CommandSandbox | undefined, signal: AbortSignal): Promise<CheckResult[]> {
  if (c.spec.hidden) cpSync(join(c.dir, c.spec.hidden), copy, { recursive: true });
  // S6: where the case requires containment and this machine has none, its run's commands did not run; nor do these.
  if (!sandbox && c.settings.settings.sandbox.mode === 'required') return c.spec.checks.map((command) => ({ command, exitCode: null, ok: false, tail: 'not run: sandbox.mode is "required" in the case\'s .kiro/settings.json and commands cannot be sandboxed on this machine' }));
  const results: CheckResult[] = [];
  for (const command of c.spec.checks) {
    const r = await runInProcessGroup(command, { cwd: copy, timeoutSeconds: c.spec.checkTimeoutSeconds, signal, ...(sandbox ? { sandbox } : {}), passEnv: c.settings.settings.sandbox.passEnv });
    const exitCode = typeof r.data?.exitCode === 'number' ? r.data.exitCode : null;
    const ok = exitCode === 0;
    results.push({ command, exitCode, ok, ...(ok ? {} : { tail: tailOf(r.output) }) });
  }
  return results;
}

/**
 * The end of a failed check's output, where the failure is: stack frames and TAP's closing counts (`# pass 0`,
 * node --test piped) are dropped first, so what is left ends with the last failure's message, expected and actual.
 */
export function tailOf(output: string, lines = 12): string {
  const frame = /^\s*(at\s+)?(async\s+)?(\S.*\((node:|file:|\/).*:\d+:\d+\)|node:internal\/\S+)$/;
  const all = output.trimEnd().split('\n').filter((l) => !frame.test(l));
  while (all.length > 1 && /^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms)\b/.test(all.at(-1)!)) all.pop();
  return all.slice(-lines).join('\n');
}
