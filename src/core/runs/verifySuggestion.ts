/**
 * What to offer as verifyCommands when a task completed with none set: the checks the run itself ran and passed
 * (a test, lint or typecheck command), else `npm test` when package.json has a real test script. Pure, so the
 * panel labels its link with the same list the host writes.
 */

/** A command that checks rather than changes: tests, linters, type checkers. */
export function looksLikeCheck(command: string): boolean {
  const c = command.trim();
  // Installing or changing things is not a check, whatever else is on the line.
  if (/(^|\s)(install|i|ci|add|remove|uninstall|update|publish|init)(\s|$)|(^|\s)(--fix|--write|-w)(\s|=|$)/.test(c)) return false;
  return /^(npm|pnpm|yarn|bun)\s+(run\s+)?(test|lint|typecheck|type-check|check|tsc)\b[\w:-]*/.test(c)
    || /^(npx\s+)?(vitest|jest|mocha|eslint|tsc|prettier\s+--check|ruff|mypy|pytest|tox)\b/.test(c)
    || /^(node\s+--test|go\s+(test|vet)|cargo\s+(test|check|clippy)|make\s+(test|check|lint)|python3?\s+-m\s+(pytest|unittest))\b/.test(c);
}

/** The check commands among those a run ran (summary.commands) that exited 0, in order, each once. */
export function checksRan(commands: ReadonlyArray<{ command: string; exitCode: number | null }>): string[] {
  const out: string[] = [];
  for (const c of commands) {
    const command = c.command.trim();
    if (c.exitCode === 0 && looksLikeCheck(command) && !out.includes(command)) out.push(command);
  }
  return out;
}

/** `npm test` when package.json (its text) has a test script that is not npm init's placeholder. */
export function npmTestOf(packageJson: string | undefined): string[] {
  if (!packageJson) return [];
  try {
    const test = (JSON.parse(packageJson) as { scripts?: Record<string, unknown> }).scripts?.test;
    return typeof test === 'string' && test.trim() && !/no test specified/.test(test) ? ['npm test'] : [];
  } catch {
    return [];
  }
}
