import type { ModelWait } from './retryWaits.js';

/** A tool call the model asked for. */
export interface ToolCall {
  id: string;
  tool: string;
  input: unknown;
  /** The arguments were not valid JSON: the parse error (with its position); `input` is then the raw text. */
  invalidArguments?: string;
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls: ToolCall[] }
  | { role: 'tool'; toolCallId: string; tool: string; content: string };

export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ChatRequest {
  messages: ChatMessage[];
  tools: ToolSpec[];
  signal: AbortSignal;
  /** The answer as it streams in: text and reasoning, in pieces; `<think>` blocks already told apart from the text. */
  onDelta?: (delta: ModelDelta) => void;
  /** The client waits before retrying a refused request (rate limit, overload): when the retry goes out. */
  onWait?: (wait: ModelWait) => void;
}

/**
 * A piece of a streaming answer. `restart`: the provider retries the turn (a connection dropped mid-answer), so the
 * pieces before are void; the retried answer streams after it.
 */
export type ModelDelta = { channel: 'text' | 'thinking'; text: string } | { restart: true };

export interface ChatUsage {
  /** The whole prompt, cached part included. */
  inputTokens?: number;
  /** The part of the prompt the provider read from its cache (cheaper, faster). */
  cachedInputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
}

export interface ChatResponse {
  text: string;
  toolCalls: ToolCall[];
  usage?: ChatUsage;
  /** The model's reasoning (`<think>` blocks, `reasoning_content`, Anthropic thinking): shown, never sent back. */
  thinking?: string;
  /** The answer was cut at the output-token limit (`finish_reason: "length"`, `stop_reason: "max_tokens"`): its last tool call may be incomplete. */
  cutAtLimit?: boolean;
}

/** One interface for every provider: OpenAI-compatible, Anthropic, replay, vscode.lm. */
export interface ChatModel {
  /** `provider:model`, as given on the command line. */
  readonly id: string;
  /** Tokens the model accepts, for the context budget. */
  readonly contextWindow: number;
  complete(request: ChatRequest): Promise<ChatResponse>;
}

/** An error the user can act on: what went wrong with the model and what to do. */
export class ModelError extends Error {
  constructor(
    message: string,
    readonly kind: 'auth' | 'unknown-model' | 'context-overflow' | 'rate-limit' | 'network' | 'protocol' | 'exhausted' | 'aborted',
  ) {
    super(message);
    this.name = 'ModelError';
  }
}
