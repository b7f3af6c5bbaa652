/** Live output journaled per command: enough to watch a build, bounded however much a command prints. */
export const STREAMED_OUTPUT_LIMIT = 256 * 1024;

export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  text: string;
}

/**
 * The live output of one command, as it goes to the journal and the panel: every chunk up to `limit` bytes, then
 * nothing but a count, and at the end one line saying how much was not streamed. The model's result (head and
 * tail of the output, tools/outputCapture.ts) is unaffected, so the end of a long log is still seen there.
 */
export function streamedOutput(emit: (chunk: OutputChunk) => void, limit = STREAMED_OUTPUT_LIMIT): { onOutput: (chunk: OutputChunk) => void; finish: () => void } {
  let sent = 0;
  let dropped = 0;
  return {
    onOutput(chunk) {
      const bytes = Buffer.byteLength(chunk.text);
      if (dropped === 0 && sent + bytes <= limit) {
        sent += bytes;
        emit(chunk);
      } else dropped += bytes;
    },
    finish() {
      if (dropped > 0) emit({ stream: 'stderr', text: `\n[spec-agent: ${dropped} more bytes of output were not streamed; the result shows how it ended]\n` });
    },
  };
}
