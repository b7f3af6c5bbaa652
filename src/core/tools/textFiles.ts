/** Lines as an editor counts them: a final newline ends the last line rather than starting an empty one. */
export function countLines(text: string): number {
  if (text === '') return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n - 1 : n;
}

/** A NUL byte marks a binary file (as for git and grep): no text file has one, and the model cannot use it. */
export function looksBinary(bytes: Uint8Array): boolean {
  return bytes.includes(0);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The text of a file, or undefined when it is not valid UTF-8: a file that is edited must come back byte for
 * byte where it was not edited, and a lenient decode would turn every stray byte into U+FFFD. The BOM is kept.
 */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
