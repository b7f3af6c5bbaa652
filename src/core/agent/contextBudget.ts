import type { ChatMessage } from '../models/chatModel.js';

/** A rough, provider-independent token count: about four characters a token. */
export function estimateTokens(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) {
    chars += m.content.length + 8;
    if (m.role === 'assistant') for (const c of m.toolCalls) chars += c.tool.length + JSON.stringify(c.input ?? null).length;
  }
  return Math.ceil(chars / 4);
}

const KEEP_RECENT_TOOL_RESULTS = 6;
const TRUNCATED_CHARS = 400;

/**
 * A mechanical fit (condense.ts shrinks its summary request with it when the conversation is already too long).
 * Past 60 % of the window, old tool outputs are cut to their head and tail (the latest results stay whole); past
 * 80 %, the oldest turns are replaced by a digest of what was done.
 * The first two messages (instructions and the task) are never touched.
 */
export function fitToWindow(messages: ChatMessage[], contextWindow: number): { messages: ChatMessage[]; truncated: number; summarised: number } {
  let truncated = 0;
  let summarised = 0;
  if (estimateTokens(messages) <= contextWindow * 0.6) return { messages, truncated, summarised };
  const toolIndexes = messages.flatMap((m, i) => (m.role === 'tool' ? [i] : []));
  const out = messages.map((m, i) => {
    if (m.role !== 'tool' || toolIndexes.indexOf(i) >= toolIndexes.length - KEEP_RECENT_TOOL_RESULTS || m.content.length <= TRUNCATED_CHARS * 2) return m;
    truncated++;
    const cut = m.content.length - TRUNCATED_CHARS * 2;
    return { ...m, content: `${m.content.slice(0, TRUNCATED_CHARS)}\n[... ${cut} characters of this old result left out to fit the context ...]\n${m.content.slice(-TRUNCATED_CHARS)}` };
  });
  if (estimateTokens(out) <= contextWindow * 0.8) return { messages: out, truncated, summarised };
  // Summarise whole turns from the oldest, keeping assistant/tool pairs together, until under 60 %.
  const head = out.slice(0, 2);
  const rest = out.slice(2);
  const digest: string[] = [];
  const digestMessage = (): ChatMessage => ({ role: 'user', content: `Earlier in this task (summarised to fit the context):\n${digest.join('\n')}` });
  while (rest.length > 2 && estimateTokens([...head, digestMessage(), ...rest]) > contextWindow * 0.6) {
    const m = rest.shift()!;
    summarised++;
    digest.push(...digestLines(m));
    while (rest[0]?.role === 'tool') {
      summarised++;
      digest.push(...digestLines(rest.shift()!));
    }
  }
  return { messages: [...head, digestMessage(), ...rest], truncated, summarised };
}

/** A message as lines of a digest of what was done: each call with its command or path, the first line of a result or a note. */
export function digestLines(m: ChatMessage): string[] {
  const first = (text: string) => text.split('\n')[0]!.slice(0, 120);
  if (m.role === 'assistant') return m.toolCalls.map((c) => `- ${c.tool} ${describe(c.input)}`);
  if (m.role === 'tool') return [`  -> ${first(m.content)}`];
  if (m.role === 'user') return [`- (note) ${first(m.content)}`];
  return [];
}

function describe(input: unknown): string {
  const i = input as { command?: string; path?: string } | null;
  return (i?.command ?? i?.path ?? '').slice(0, 100);
}
