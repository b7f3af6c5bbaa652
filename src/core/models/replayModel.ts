import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ModelError, type ChatModel, type ChatRequest, type ChatResponse } from './chatModel.js';

/** The replay script: a contract (tests, the demo and bug reports depend on it). */
export const replayScriptSchema = z.object({
  turns: z.array(
    z.object({
      text: z.string().optional(),
      toolCalls: z.array(z.object({ tool: z.string(), input: z.unknown() })).optional(),
    }),
  ),
  /**
   * How a turn's text streams, as a hosted model's would: in pieces of `chunkChars`, `delayMs` apart (0: all at
   * once, without waiting). The demo sets a delay, so the panel and the terminal show the text being written.
   */
  stream: z.object({ chunkChars: z.number().int().positive().default(8), delayMs: z.number().nonnegative().default(0) }).optional(),
});
export type ReplayScript = z.infer<typeof replayScriptSchema>;

/**
 * A recorded model: each request consumes the next turn, whatever the tool results were. When no turn is
 * left the run fails with "replay script exhausted". On resume it continues after the turns already used.
 */
export class ReplayModel implements ChatModel {
  readonly contextWindow = 200_000;
  private next: number;

  constructor(
    readonly id: string,
    private readonly script: ReplayScript,
    startAt = 0,
  ) {
    this.next = startAt;
  }

  /** The same script from turn `turns` on: a resumed run continues after the turns its first run used. */
  startingAt(turns: number): ReplayModel {
    return new ReplayModel(this.id, this.script, turns);
  }

  static async load(path: string, startAt = 0): Promise<ReplayModel> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(path, 'utf8'));
    } catch (err) {
      throw new ModelError(`replay script ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(err as Error).message})`}.`, 'protocol');
    }
    const parsed = replayScriptSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ModelError(`replay script ${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}.`, 'protocol');
    }
    return new ReplayModel(`replay:${path}`, parsed.data, startAt);
  }

  get turnsUsed(): number {
    return this.next;
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    if (request.signal.aborted) throw new ModelError('the model request was aborted', 'aborted');
    const turn = this.script.turns[this.next];
    if (!turn) throw new ModelError('replay script exhausted', 'exhausted');
    const index = this.next++;
    if (turn.text && request.onDelta) await this.stream(turn.text, request);
    return {
      text: turn.text ?? '',
      toolCalls: (turn.toolCalls ?? []).map((c, i) => ({ id: `replay-${index}-${i}`, tool: c.tool, input: c.input })),
    };
  }

  private async stream(text: string, request: ChatRequest): Promise<void> {
    const { chunkChars, delayMs } = { chunkChars: 8, delayMs: 0, ...this.script.stream };
    for (let at = 0; at < text.length; at += chunkChars) {
      if (at > 0 && delayMs > 0) await waitOrAbort(delayMs, request.signal);
      if (request.signal.aborted) throw new ModelError('the model request was aborted', 'aborted');
      request.onDelta!({ channel: 'text', text: text.slice(at, at + chunkChars) });
    }
  }
}

function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => (clearTimeout(t), signal.removeEventListener('abort', done), resolve());
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
