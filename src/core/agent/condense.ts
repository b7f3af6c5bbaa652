import { ModelError, type ChatMessage, type ChatModel, type ChatRequest, type ChatUsage, type ToolSpec } from '../models/chatModel.js';
import { digestLines, estimateTokens, fitToWindow } from './contextBudget.js';

/** Past this share of the window the conversation is condensed before the next request. */
export const CONDENSE_AT = 0.8;
/** The last turns kept word for word after a condense, at most this share of the window. */
const KEEP_VERBATIM = 0.25;
/** Condensing replaces at least this share of the window, or it is not done. */
const MIN_REPLACED = 0.1;
/** The instructions and the task: never condensed. */
const HEAD = 2;

export const CONDENSE_REQUEST = [
  'The conversation is getting long. Do not call any tool now. Write a summary of the work on this task so far, for yourself to continue from, with these sections:',
  '1. Task: what is asked, in one or two sentences.',
  '2. Decisions: what you chose and why (designs, names, approaches rejected).',
  '3. Files changed: each path and what changed in it.',
  '4. Commands: each command that matters and its last result (exit code, the failing test names or error lines).',
  '5. What remains: the next steps, in order, and open questions.',
  'Be specific: paths, names, line numbers, error messages. Leave out what no longer matters.',
].join('\n');

/** How the summary stands in the conversation for the turns it replaces. */
export const condensedIntro = (summary: string) =>
  `Summary of the work on this task so far, written by you when the conversation grew long (the turns it replaces are gone; the latest turns follow word for word):\n\n${summary}`;

export interface Condensed {
  messages: ChatMessage[];
  summary: string;
  /** `model`: the model wrote the summary; `digest`: it could not, so a list of the calls made stands in for it. */
  by: 'model' | 'digest';
  tokensBefore: number;
  tokensAfter: number;
  /** Messages replaced by the summary. */
  replaced: number;
  usage?: ChatUsage;
}

/**
 * What the next request will cost in input tokens: the provider's own count for the last request, plus an
 * estimate of only what was added since (the estimate's error does not grow with the conversation).
 */
export class ContextMeter {
  private last?: { messages: readonly ChatMessage[]; length: number; tokens: number };

  /** After a response: `sent` is the array that was sent (it may be extended later), of which `length` messages were in the request. */
  record(sent: readonly ChatMessage[], length: number, usage: ChatUsage | undefined): void {
    if (usage?.inputTokens === undefined) return;
    this.last = { messages: sent, length, tokens: usage.inputTokens + (usage.outputTokens ?? 0) };
  }

  estimate(messages: readonly ChatMessage[]): number {
    const last = this.last;
    // Counted by the provider only while the conversation grew by appending to what was sent.
    if (!last || last.messages !== messages || messages.length < last.length) return estimateTokens(messages);
    // The reply to that request (counted as its output tokens) is the first message after it.
    return last.tokens + estimateTokens(messages.slice(last.length + 1));
  }

  reset(): void {
    this.last = undefined;
  }
}

/**
 * Replaces the older turns of a task's conversation with a summary the model writes, keeping the instructions,
 * the task and the latest turns word for word. The summary request is the conversation itself plus one user
 * message, with the same tools (Anthropic requires them with tool calls in the history, and the shared prefix
 * is read from the provider's cache). When the model cannot write it (an error, no text), a digest of the calls
 * made stands in, so the run goes on either way.
 */
export async function condense(messages: readonly ChatMessage[], o: { model: ChatModel; tools: ToolSpec[]; signal: AbortSignal; tokensBefore: number; onWait?: ChatRequest['onWait'] }): Promise<Condensed | undefined> {
  const window = o.model.contextWindow;
  const start = keptFrom(messages, window);
  // Not worth a model request (and it would be made again each turn): too little before the verbatim tail.
  if (start === undefined || estimateTokens(messages.slice(HEAD, start)) < window * MIN_REPLACED) return undefined;
  const replaced = start - HEAD;
  // A conversation already past the window is shortened mechanically for the summary request alone.
  const forRequest = estimateTokens(messages) > window * 0.9 ? fitToWindow([...messages], window * 0.75).messages : [...messages];
  let summary = '';
  let usage: ChatUsage | undefined;
  try {
    const reply = await o.model.complete({ messages: [...forRequest, { role: 'user', content: CONDENSE_REQUEST }], tools: o.tools, signal: o.signal, ...(o.onWait ? { onWait: o.onWait } : {}) });
    summary = reply.text.trim();
    usage = reply.usage;
  } catch (err) {
    if (o.signal.aborted || (err instanceof ModelError && err.kind === 'aborted')) throw err;
  }
  const by = summary ? 'model' : 'digest';
  if (!summary) summary = digest(messages.slice(HEAD, start));
  const out: ChatMessage[] = [...messages.slice(0, HEAD), { role: 'user', content: condensedIntro(summary) }, ...messages.slice(start)];
  return { messages: out, summary, by, tokensBefore: o.tokensBefore, tokensAfter: estimateTokens(out), replaced, ...(usage ? { usage } : {}) };
}

/**
 * Where the verbatim tail begins: an assistant message (so each tool result stays after its call), the latest
 * turns up to KEEP_VERBATIM of the window, at least the last assistant turn. Undefined when there is nothing
 * older to replace.
 */
function keptFrom(messages: readonly ChatMessage[], window: number): number | undefined {
  let start: number | undefined;
  for (let i = messages.length - 1; i > HEAD; i--) {
    if (messages[i]!.role !== 'assistant') continue;
    if (start !== undefined && estimateTokens(messages.slice(i)) > window * KEEP_VERBATIM) break;
    start = i;
  }
  return start !== undefined && start > HEAD ? start : undefined;
}

function digest(messages: readonly ChatMessage[]): string {
  return ['(The model could not write the summary; these are the calls made and the first line of each result.)', ...messages.flatMap(digestLines)].join('\n');
}
