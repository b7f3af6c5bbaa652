import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { ModelError, type ChatMessage, type ChatModel, type ChatRequest, type ChatResponse, type ChatUsage, type ToolCall } from './chatModel.js';

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
    this.client = new OpenAI({ baseURL: o.baseURL, apiKey: o.apiKey ?? 'none', maxRetries: o.maxRetries ?? 4, timeout: 10 * 60 * 1000 });
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    try {
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
      const calls = new Map<number, { id: string; name: string; args: string }>();
      let usage: ChatResponse['usage'];
      let finished = false;
      for await (const chunk of stream) {
        if (chunk.usage) usage = usageOf(chunk.usage);
        for (const choice of chunk.choices ?? []) {
          const delta = choice.delta;
          if (delta?.content) {
            text += delta.content;
            request.onText?.(delta.content);
          }
          for (const tc of delta?.tool_calls ?? []) {
            const c = calls.get(tc.index) ?? { id: '', name: '', args: '' };
            if (tc.id) c.id = tc.id;
            if (tc.function?.name) c.name += tc.function.name;
            if (tc.function?.arguments) c.args += tc.function.arguments;
            calls.set(tc.index, c);
          }
          if (choice.finish_reason) finished = true;
        }
      }
      if (!finished) throw new ModelError(`${this.id}: the response stream ended before the model finished (the connection was dropped); try again`, 'network');
      // A server that sends no id (some local ones): a unique one, or every turn's first call would be the same call.
      const toolCalls: ToolCall[] = [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => ({ id: c.id || `call-${randomUUID()}`, tool: c.name, input: parseArgs(c.args) }));
      return { text, toolCalls, ...(usage ? { usage } : {}) };
    } catch (err) {
      throw describeOpenAIError(err, this.id, request.signal);
    }
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

/** Arguments that are not JSON reach the tool layer as a string, whose schema check tells the model what is wrong. */
function parseArgs(args: string): unknown {
  if (args.trim() === '') return {};
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
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

export function describeOpenAIError(err: unknown, id: string, signal: AbortSignal): Error {
  if (err instanceof ModelError) return err;
  if (signal.aborted) return new ModelError(`${id}: the request was aborted`, 'aborted');
  if (err instanceof OpenAI.AuthenticationError || err instanceof OpenAI.PermissionDeniedError) return new ModelError(`${id}: the server refused the API key (${err.status}); set the right key (OPENAI_API_KEY, or the provider's variable)`, 'auth');
  if (err instanceof OpenAI.NotFoundError) return new ModelError(`${id}: the server does not know this model (404); check the model name`, 'unknown-model');
  if (err instanceof OpenAI.RateLimitError) return new ModelError(`${id}: rate limited (429) after retries with backoff; try again later`, 'rate-limit');
  if (err instanceof OpenAI.BadRequestError && (err.code === 'context_length_exceeded' || /context|too long|maximum.*tokens/i.test(err.message))) return new ModelError(`${id}: the conversation is longer than the model's context window`, 'context-overflow');
  if (err instanceof OpenAI.APIConnectionError) return new ModelError(`${id}: cannot reach the server (${err.message}); check --base-url and that it is running`, 'network');
  if (err instanceof OpenAI.APIError) return new ModelError(`${id}: the server answered ${err.status ?? 'an error'}: ${err.message}`, 'protocol');
  if (err instanceof SyntaxError) return new ModelError(`${id}: the server sent a malformed stream chunk (${err.message})`, 'protocol');
  return new ModelError(`${id}: ${err instanceof Error ? err.message : String(err)}`, 'network');
}
