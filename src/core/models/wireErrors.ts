/**
 * What the providers' SDKs throw, read back into words a user can act on. Their messages are `STATUS BODY`,
 * the body often raw JSON (`529 {"type":"error","error":{...}}`); the provider's own sentence is inside it.
 */

/** The provider's own message: `{error: {message}}` (Anthropic, OpenAI-style bodies), `{message}`, or the SDK's text without the status. */
export function providerMessage(err: { error?: unknown; message: string }): string {
  const body = err.error as { error?: unknown; message?: unknown } | string | undefined;
  const inner = typeof body === 'object' && body !== null && typeof body.error === 'object' && body.error !== null ? (body.error as { message?: unknown }) : body;
  if (typeof inner === 'object' && inner !== null && typeof inner.message === 'string' && inner.message.trim()) return inner.message.trim();
  if (typeof inner === 'string' && inner.trim()) return inner.trim();
  return err.message.replace(/^\d{3}\s+/, '').trim() || 'no message';
}

/** The error type the body names (`overloaded_error`, `context_length_exceeded`, ...), for recognising it by code first. */
export function providerErrorType(err: { error?: unknown; type?: unknown; code?: unknown }): string | undefined {
  if (typeof err.code === 'string') return err.code;
  if (typeof err.type === 'string') return err.type;
  const body = err.error as { error?: { type?: unknown; code?: unknown }; type?: unknown; code?: unknown } | undefined;
  const inner = body?.error ?? body;
  const t = inner?.code ?? inner?.type;
  return typeof t === 'string' ? t : undefined;
}

/**
 * undici's `TypeError: terminated` (and its socket errors): the server or a proxy closed the connection while
 * the answer was streaming.
 */
export function isDroppedConnection(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.message === 'terminated' || /other side closed|socket hang up|ECONNRESET|premature close/i.test(err.message)) return true;
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error && cause !== err && isDroppedConnection(cause);
}

/** The host a base URL points at, for messages ("the connection to api.example.com dropped"). */
export function hostOf(baseURL: string | undefined, fallback: string): string {
  try {
    return baseURL ? new URL(baseURL).host : fallback;
  } catch {
    return fallback;
  }
}

/** A tool call's arguments: the parsed object (none is `{}`), or the raw text with the parse error and its position. */
export function parseArguments(args: string): { input: unknown; error?: string } {
  if (args.trim() === '') return { input: {} };
  try {
    return { input: JSON.parse(args) };
  } catch (err) {
    return { input: args, error: (err as Error).message };
  }
}
