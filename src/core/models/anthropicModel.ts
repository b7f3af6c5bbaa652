import Anthropic from '@anthropic-ai/sdk';
import { ModelError, type ChatMessage, type ChatModel, type ChatRequest, type ChatResponse, type ChatUsage } from './chatModel.js';
import { waitingFetch, withWaitListener } from './retryWaits.js';
import { hostOf, isDroppedConnection, providerErrorType, providerMessage } from './wireErrors.js';

export interface AnthropicOptions {
  id: string;
  model: string;
  apiKey?: string;
  baseURL?: string;
  contextWindow?: number;
  maxTokens?: number;
  maxRetries?: number;
  /** The first wait before retrying an overload that came as a stream event; doubled each time. */
  retryDelayMs?: number;
}

/** Anthropic's Messages API through the official SDK (streaming, tool use, retries with backoff). */
export class AnthropicModel implements ChatModel {
  readonly id: string;
  readonly contextWindow: number;
  private readonly client: Anthropic;

  constructor(private readonly o: AnthropicOptions) {
    this.id = o.id;
    this.contextWindow = o.contextWindow ?? 200_000;
    // 429s (and 529s with retry-after) are waited on by waitingFetch (known, shown, stoppable); others by the SDK.
    this.client = new Anthropic({ apiKey: o.apiKey ?? 'none', baseURL: o.baseURL, maxRetries: o.maxRetries ?? 4, fetch: waitingFetch(hostOf(o.baseURL, 'api.anthropic.com'), o.maxRetries ?? 4) });
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    const retries = this.o.maxRetries ?? 4;
    for (let attempt = 0; ; attempt++) {
      try {
        return await withWaitListener(request.onWait, () => this.stream(request));
      } catch (err) {
        const e = describeAnthropicError(err, this.id, request.signal, hostOf(this.o.baseURL, 'api.anthropic.com'));
        // The SDK retries a 529 before the stream starts; an overload that arrives as a stream event is retried
        // the same way here, and a connection dropped mid-answer once. Nothing of a partial answer was acted on.
        const overloaded = providerErrorType(err as object) === 'overloaded_error';
        const again = overloaded ? attempt < retries : attempt === 0 && isDroppedConnection(err);
        if (!again || request.signal.aborted) throw e;
        request.onDelta?.({ restart: true });
        if (overloaded) {
          const ms = (this.o.retryDelayMs ?? 1000) * 2 ** attempt;
          request.onWait?.({ host: hostOf(this.o.baseURL, 'api.anthropic.com'), status: 529, until: new Date(Date.now() + ms), attempt: attempt + 1, retryAfter: false });
          await sleep(ms, request.signal);
        }
      }
    }
  }

  private async stream(request: ChatRequest): Promise<ChatResponse> {
    const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
    const stream = this.client.messages.stream(
      {
        model: this.o.model,
        max_tokens: this.o.maxTokens ?? 8192,
        ...(system ? { system: [{ type: 'text' as const, text: system, cache_control: EPHEMERAL }] } : {}),
        messages: withCacheBreakpoint(toAnthropic(request.messages)),
        tools: request.tools.map((t, i, all) => ({ name: t.name, description: t.description, input_schema: t.parameters as Anthropic.Tool.InputSchema, ...(i === all.length - 1 ? { cache_control: EPHEMERAL } : {}) })),
      },
      { signal: request.signal },
    );
    stream.on('text', (delta) => request.onDelta?.({ channel: 'text', text: delta }));
    stream.on('thinking', (delta) => request.onDelta?.({ channel: 'thinking', text: delta }));
    const message = await stream.finalMessage();
    const text = message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
    // Extended thinking: shown folded, as the other providers' reasoning is (the blocks are not sent back).
    const thinking = message.content.flatMap((b) => (b.type === 'thinking' ? [b.thinking] : [])).join('\n\n').trim();
    const toolCalls = message.content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, tool: b.name, input: b.input }] : []));
    return { text, toolCalls, ...(thinking ? { thinking } : {}), usage: usageOf(message.usage), ...(message.stop_reason === 'max_tokens' ? { cutAtLimit: true } : {}) };
  }
}

/**
 * Prompt caching: breakpoints after the tools, the system prompt and the conversation's last block, so each turn
 * reads everything before its new messages from the cache (the conversation only grows at its end). Four at most.
 */
const EPHEMERAL = { type: 'ephemeral' as const };

function withCacheBreakpoint(messages: Anthropic.MessageParam[]): Anthropic.MessageParam[] {
  const last = messages.at(-1);
  const block = last && Array.isArray(last.content) ? last.content.at(-1) : undefined;
  if (block && (block.type === 'text' || block.type === 'tool_result' || block.type === 'tool_use')) block.cache_control = EPHEMERAL;
  return messages;
}

/** `input_tokens` leaves out what was read from or written to the cache: the whole prompt is the sum. */
function usageOf(u: Anthropic.Usage): ChatUsage {
  const cached = u.cache_read_input_tokens ?? 0;
  return { inputTokens: u.input_tokens + cached + (u.cache_creation_input_tokens ?? 0), outputTokens: u.output_tokens, ...(cached > 0 ? { cachedInputTokens: cached } : {}) };
}

/** Anthropic wants alternating turns; tool results are user content blocks, merged into one turn. */
function toAnthropic(messages: readonly ChatMessage[]): Anthropic.MessageParam[] {
  const out: Anthropic.MessageParam[] = [];
  const push = (role: 'user' | 'assistant', blocks: Anthropic.ContentBlockParam[]) => {
    const last = out.at(-1);
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    if (m.role === 'system') continue;
    if (m.role === 'user') push('user', [{ type: 'text', text: m.content }]);
    else if (m.role === 'tool') push('user', [{ type: 'tool_result', tool_use_id: m.toolCallId, content: m.content }]);
    else push('assistant', [...(m.content ? [{ type: 'text' as const, text: m.content }] : []), ...m.toolCalls.map((c) => ({ type: 'tool_use' as const, id: c.id, name: c.tool, input: c.input as Record<string, unknown> }))]);
  }
  return out;
}

function describeAnthropicError(err: unknown, id: string, signal: AbortSignal, host: string): Error {
  if (err instanceof ModelError) return err;
  if (signal.aborted) return new ModelError(`${id}: the request was aborted`, 'aborted');
  if (isDroppedConnection(err)) return new ModelError(`${id}: the connection to ${host} dropped mid-answer; nothing of the partial answer was run. Try again (Resume)`, 'network');
  if (err instanceof Anthropic.AuthenticationError || err instanceof Anthropic.PermissionDeniedError) return new ModelError(`${id}: the server refused the API key (${err.status}: ${providerMessage(err)}); set ANTHROPIC_API_KEY`, 'auth');
  if (err instanceof Anthropic.NotFoundError) return new ModelError(`${id}: the server does not know this model (404: ${providerMessage(err)}); check the model name`, 'unknown-model');
  if (err instanceof Anthropic.RateLimitError) return new ModelError(`${id}: rate limited (429: ${providerMessage(err)}) after retries with backoff; try again later`, 'rate-limit');
  if (err instanceof Anthropic.BadRequestError && /prompt is too long|context/i.test(providerMessage(err))) return new ModelError(`${id}: the conversation is longer than the model's context window (${providerMessage(err)})`, 'context-overflow');
  if (err instanceof Anthropic.APIConnectionError) return new ModelError(`${id}: cannot reach ${host} (${err.message})`, 'network');
  if (err instanceof Anthropic.APIError && providerErrorType(err) === 'overloaded_error') return new ModelError(`${id}: ${host} is overloaded (${providerMessage(err)}), still after retries with backoff; try again later`, 'protocol');
  if (err instanceof Anthropic.APIError) return new ModelError(`${id}: the server answered ${err.status ?? 'with an error event'}: ${providerMessage(err)}${err.status !== undefined && err.status >= 500 ? ' (a server-side error, retried with backoff; try again later)' : ''}`, 'protocol');
  if (err instanceof SyntaxError || /parse|JSON/i.test(err instanceof Error ? err.message : '')) return new ModelError(`${id}: the server sent a malformed stream event (${(err as Error).message})`, 'protocol');
  return new ModelError(`${id}: ${err instanceof Error ? err.message : String(err)}`, 'network');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });
}
