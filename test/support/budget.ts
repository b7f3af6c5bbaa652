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
} as const;

/**
 * How much slower than quiet the machine may be now: five times at least, and twice its load per core (both
 * cores kept busy and other work besides, load average 28, made a CLI start take 15 s instead of 0.7 s).
 */
export function slowdown(): number {
  return Math.max(5, (2 * loadavg()[0]!) / availableParallelism());
}

/** The timeout of a test doing this much work, never below vitest's default of 20 s (vitest.config.mts). */
export function budget(work: Partial<Record<keyof typeof QUIET_MS, number>>): number {
  const quiet = Object.entries(work).reduce((sum, [piece, count]) => sum + QUIET_MS[piece as keyof typeof QUIET_MS] * (count ?? 0), 0);
  return Math.max(20_000, Math.ceil(quiet * slowdown()));
}
