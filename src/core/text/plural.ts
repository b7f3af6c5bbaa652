/**
 * "1 file", "3 files", "0 processes": a count with its noun, in the right number. One helper for every message of
 * the extension, the CLI and the panel (this module is plain TypeScript, bundled into the webview too), so no
 * message says "1 file(s)".
 *
 * `many` is the plural when it is not `one` + "s" (`plural(n, 'process', 'processes')`).
 */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The noun alone, for a count written elsewhere in the sentence ("3 of its sub-tasks"). */
export function nounFor(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? one : many;
}
