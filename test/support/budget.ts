import { availableParallelism, loadavg } from 'node:os';

/**
 * Timeouts for tests that are slow by nature (real child processes, real git, real `npm test`), derived from
 * the work each does rather than from one bigger global figure. Such a test waits for events (a journal line,
 * a child's exit), never for time: its timeout only says when to give up on one that hangs.
 *
 * What each piece of work takes on the project's 2-core machine when it is quiet (rounded up): */
export const QUIET_MS = {
  /** One start of the CLI bundle (node and 4 MB of JavaScript) for a command that does little, or of a command's node: 0.7 s. */
  cli: 1_000,
  /** One git command, or a copy of the example project: under 0.1 s. */
  git: 100,
  /** A replay run of one task (in-process or a CLI), its checkpoints in git, no verifyCommands: 2–4 s. */
  run: 4_000,
  /** A run whose checks run the example's `npm test` (a node --test each time): 6–9 s. */
  verifiedRun: 10_000,
  /**
   * Bundling the panel's webview and launching headless Chromium (test/support/webviewPage.ts): 1.9 s at load 9,
   * more when Chromium starts cold from disk.
   */
  browser: 4_000,
  /** One tick of the panel's one-second clock, waited for in Chromium (a countdown, the elapsed time): 3 s. */
  tick: 3_000,
  /** A reset of 20,000 events folded by the model in node and painted by the panel in Chromium: 6.6 s at load 9. */
  bigReset: 3_000,
} as const;

/**
 * How much slower than quiet the machine may be now: five times at least, and twice its load per core (both
 * cores kept busy and other work besides, load average 28, made a CLI start take 15 s instead of 0.7 s).
 */
export function slowdown(): number {
  return Math.max(5, (2 * loadavg()[0]!) / availableParallelism());
}

/** How long to wait for this much work inside a test (an `expect.poll`), with no floor. */
export function patience(work: Partial<Record<keyof typeof QUIET_MS, number>>): number {
  const quiet = Object.entries(work).reduce((sum, [piece, count]) => sum + QUIET_MS[piece as keyof typeof QUIET_MS] * (count ?? 0), 0);
  return Math.ceil(quiet * slowdown());
}

/** The timeout of a test doing this much work, never below vitest's default of 20 s (vitest.config.mts). */
export function budget(work: Partial<Record<keyof typeof QUIET_MS, number>>): number {
  return Math.max(20_000, patience(work));
}
