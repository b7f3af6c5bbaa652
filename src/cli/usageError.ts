/** A mistake in how the CLI was called or in its input files: exit code 2, one clear message, no stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}
