import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { ModelError, type ChatMessage, type ChatModel, type ChatRequest, type ChatResponse, type ChatUsage, type ToolCall } from './chatModel.js';
import { splitThinking, ThinkStream, toolCallsInText } from './textConventions.js';
import { waitingFetch, withWaitListener } from './retryWaits.js';
import { hostOf, isDroppedConnection, parseArguments, providerErrorType, providerMessage } from './wireErrors.js';

export interface OpenAICompatibleOptions {
  id: string;
  model: string;
  baseURL?: string;
  apiKey?: string;
  contextWindow?: number;
  /** Extra fields for the request body (e.g. Ollama's options.num_ctx). */
  extraBody?: Record<string, unknown>;
  maxRetries?: number;
}

/**
 * Any server that speaks the OpenAI chat-completions API: OpenAI, Ollama, LM Studio, vLLM, OpenRouter. Through
 * the official SDK (streaming, tool-call deltas, retries with backoff on 429 and 5xx).
 */
export class OpenAICompatibleModel implements ChatModel {
  readonly id: string;
  readonly contextWindow: number;
  private readonly client: OpenAI;

  constructor(private readonly o: OpenAICompatibleOptions) {
    this.id = o.id;
    this.contextWindow = o.contextWindow ?? 128_000;
    // 429s are waited on by waitingFetch (known, shown, stoppable); other errors by the SDK's own retries.
    this.client = new OpenAI({ baseURL: o.baseURL, apiKey: o.apiKey ?? 'none', maxRetries: o.maxRetries ?? 4, timeout: 10 * 60 * 1000, fetch: waitingFetch(hostOf(o.baseURL, 'api.openai.com'), o.maxRetries ?? 4) });
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    // A connection dropped mid-answer is retried once: nothing of the partial answer was acted on.
    for (let attempt = 0; ; attempt++) {
      try {
        return await withWaitListener(request.onWait, () => this.stream(request));
      } catch (err) {
        const e = describeOpenAIError(err, this.id, request.signal, hostOf(this.o.baseURL, 'api.openai.com'));
        if (attempt > 0 || !(e instanceof ModelError) || e.kind !== 'network' || request.signal.aborted || !isDroppedConnection(err)) throw e;
        request.onDelta?.({ restart: true });
      }
    }
  }

  private async stream(request: ChatRequest): Promise<ChatResponse> {
    const stream = await this.client.chat.completions.create(
      {
        model: this.o.model,
        messages: request.messages.map(toOpenAI),
        tools: request.tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.parameters } })),
        stream: true,
        stream_options: { include_usage: true },
        ...(this.o.extraBody ?? {}),
      },
      { signal: request.signal },
    );
    let text = '';
    let reasoning = '';
    const calls = new ToolCallDeltas();
    let usage: ChatResponse['usage'];
    let finish: string | undefined;
    const live = new ThinkStream((channel, piece) => request.onDelta?.({ channel, text: piece }));
    for await (const chunk of stream) {
      if (chunk.usage) usage = usageOf(chunk.usage);
      for (const choice of chunk.choices ?? []) {
        const delta = choice.delta;
        if (delta?.content) {
          text += delta.content;
          live.push(delta.content);
        }
        // DeepSeek's `reasoning_content`, OpenRouter's and vLLM's `reasoning`: not part of the answer.
        const r = (delta as { reasoning_content?: unknown; reasoning?: unknown } | undefined) ?? {};
        const thought = typeof r.reasoning_content === 'string' ? r.reasoning_content : typeof r.reasoning === 'string' ? r.reasoning : '';
        if (thought) {
          reasoning += thought;
          request.onDelta?.({ channel: 'thinking', text: thought });
        }
        for (const tc of delta?.tool_calls ?? []) calls.add(tc);
        if (choice.finish_reason) finish = choice.finish_reason;
      }
    }
    if (finish === undefined) throw new DroppedStream();
    live.end();
    const split = splitThinking(text);
    const thinking = [reasoning.trim(), split.thinking].filter(Boolean).join('\n\n');
    let toolCalls = calls.done();
    let answer = split.text;
    // Local models that write their tool calls as text: read them before anyone nudges the model to use the tools.
    if (toolCalls.length === 0) {
      const inText = toolCallsInText(answer, new Set(request.tools.map((t) => t.name)));
      if (inText) ({ calls: toolCalls, text: answer } = inText);
    }
    return { text: answer, toolCalls, ...(thinking ? { thinking } : {}), ...(usage ? { usage } : {}), ...(finish === 'length' ? { cutAtLimit: true } : {}) };
  }
}

/** The stream ended without a finish reason: the connection closed before the model was done. */
class DroppedStream extends Error {
  constructor() {
    super('terminated');
  }
}

/**
 * Tool calls assembled from stream deltas as the SDKs do, for servers that differ: a new call when a new
 * non-empty id arrives (Mistral sends parallel calls whole, with ids and no index), else the call at its index,
 * else the latest; the name is taken once (some servers repeat it in every delta), the arguments appended.
 */
class ToolCallDeltas {
  private readonly calls: Array<{ id: string; name: string; args: string }> = [];
  private readonly byIndex = new Map<number, { id: string; name: string; args: string }>();
  private readonly byId = new Map<string, { id: string; name: string; args: string }>();

  add(tc: { index?: number; id?: string; function?: { name?: string; arguments?: string } }): void {
    const index = typeof tc.index === 'number' ? tc.index : undefined;
    let c = tc.id ? this.byId.get(tc.id) : undefined;
    if (!c && tc.id) {
      const atIndex = index === undefined ? undefined : this.byIndex.get(index);
      // An index seen before without an id takes this one; otherwise a new id is a new call.
      c = atIndex && !atIndex.id ? atIndex : this.create(index);
      c.id = tc.id;
      this.byId.set(tc.id, c);
    }
    if (!c) c = (index === undefined ? this.calls.at(-1) : this.byIndex.get(index)) ?? this.create(index);
    if (tc.function?.name && !c.name) c.name = tc.function.name;
    if (tc.function?.arguments) c.args += tc.function.arguments;
  }

  /** A server that sends no id (some local ones) gets a unique one, or every turn's first call would be the same call. */
  done(): ToolCall[] {
    return this.calls.map((c) => {
      const args = parseArguments(c.args);
      return { id: c.id || `call-${randomUUID()}`, tool: c.name, input: args.input, ...(args.error ? { invalidArguments: args.error } : {}) };
    });
  }

  private create(index: number | undefined): { id: string; name: string; args: string } {
    const c = { id: '', name: '', args: '' };
    this.calls.push(c);
    if (index !== undefined) this.byIndex.set(index, c);
    return c;
  }
}

/** The cached part of the prompt (OpenAI, DeepSeek's own field) and a cost the provider states (OpenRouter's `usage.cost`). */
function usageOf(u: OpenAI.CompletionUsage & { prompt_cache_hit_tokens?: number; cost?: number }): ChatUsage {
  const cached = u.prompt_tokens_details?.cached_tokens ?? u.prompt_cache_hit_tokens ?? 0;
  return {
    inputTokens: u.prompt_tokens,
    outputTokens: u.completion_tokens,
    ...(cached > 0 ? { cachedInputTokens: cached } : {}),
    ...(typeof u.cost === 'number' && Number.isFinite(u.cost) ? { costUsd: u.cost } : {}),
  };
}

function toOpenAI(m: ChatMessage): OpenAI.Chat.Completions.ChatCompletionMessageParam {
  switch (m.role) {
    case 'system':
    case 'user':
      return { role: m.role, content: m.content };
    case 'assistant':
      return {
        role: 'assistant',
        content: m.content || null,
        ...(m.toolCalls.length ? { tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.tool, arguments: JSON.stringify(c.input) } })) } : {}),
      };
    case 'tool':
      return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
  }
}

export function describeOpenAIError(err: unknown, id: string, signal: AbortSignal, host = 'the server'): Error {
  if (err instanceof ModelError) return err;
  if (signal.aborted) return new ModelError(`${id}: the request was aborted`, 'aborted');
  if (isDroppedConnection(err)) return new ModelError(`${id}: the connection to ${host} dropped mid-answer; nothing of the partial answer was run. Try again (Resume)`, 'network');
  if (err instanceof OpenAI.AuthenticationError || err instanceof OpenAI.PermissionDeniedError) return new ModelError(`${id}: the server refused the API key (${err.status}: ${providerMessage(err)}); set the right key (OPENAI_API_KEY, or the provider's variable)`, 'auth');
  if (err instanceof OpenAI.NotFoundError) return new ModelError(`${id}: the server does not know this model (404: ${providerMessage(err)}); check the model name`, 'unknown-model');
  if (err instanceof OpenAI.RateLimitError) return new ModelError(`${id}: rate limited (429: ${providerMessage(err)}) after retries with backoff; try again later`, 'rate-limit');
  if (err instanceof OpenAI.BadRequestError && (providerErrorType(err) === 'context_length_exceeded' || /context|too long|maximum.*tokens/i.test(providerMessage(err)))) return new ModelError(`${id}: the conversation is longer than the model's context window (${providerMessage(err)})`, 'context-overflow');
  if (err instanceof OpenAI.APIConnectionError) return new ModelError(`${id}: cannot reach ${host} (${err.message}); check --base-url and that it is running`, 'network');
  if (err instanceof OpenAI.APIError) return new ModelError(`${id}: the server answered ${err.status ?? 'an error'}: ${providerMessage(err)}${err.status !== undefined && err.status >= 500 ? ' (a server-side error, retried with backoff; try again later)' : ''}`, 'protocol');
  if (err instanceof SyntaxError) return new ModelError(`${id}: the server sent a malformed stream chunk (${err.message})`, 'protocol');
  return new ModelError(`${id}: ${err instanceof Error ? err.message : String(err)}`, 'network');
}
