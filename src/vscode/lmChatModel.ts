import * as vscode from 'vscode';
import { ModelError, type ChatMessage, type ChatModel, type ChatRequest, type ChatResponse } from '../core/models/chatModel.js';
import { collectLmResponse, toLmMessages, toLmTools, type LmFactory, type LmPart } from './lmMessages.js';

type LmContentPart = vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart | vscode.LanguageModelToolResultPart;

const factory: LmFactory<vscode.LanguageModelChatMessage, LmContentPart> = {
  user: (parts) => vscode.LanguageModelChatMessage.User(parts as Array<vscode.LanguageModelTextPart | vscode.LanguageModelToolResultPart>),
  assistant: (parts) => vscode.LanguageModelChatMessage.Assistant(parts as Array<vscode.LanguageModelTextPart | vscode.LanguageModelToolCallPart>),
  text: (value) => new vscode.LanguageModelTextPart(value),
  toolCall: (callId, name, input) => new vscode.LanguageModelToolCallPart(callId, name, input),
  toolResult: (callId, content) => new vscode.LanguageModelToolResultPart(callId, [new vscode.LanguageModelTextPart(content)]),
};

function classify(part: unknown): LmPart {
  if (part instanceof vscode.LanguageModelTextPart) return { text: part.value };
  if (part instanceof vscode.LanguageModelToolCallPart) return { callId: part.callId, name: part.name, input: part.input };
  return undefined;
}

/** A model of VS Code's language model API (Copilot or any extension's chat model provider) as our ChatModel. */
export class LmChatModel implements ChatModel {
  readonly id: string;
  readonly contextWindow: number;

  constructor(private readonly chat: vscode.LanguageModelChat) {
    this.id = `vscode-lm:${chat.vendor}/${chat.id}`;
    this.contextWindow = chat.maxInputTokens > 0 ? chat.maxInputTokens : 128_000;
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    if (request.signal.aborted) throw new ModelError(`${this.id}: the request was aborted`, 'aborted');
    const cts = new vscode.CancellationTokenSource();
    const abort = () => cts.cancel();
    request.signal.addEventListener('abort', abort, { once: true });
    // Counted while the model answers: vscode.lm reports no usage, so tokens in are the model's own count.
    const inputTokens = this.countInput(request.messages);
    try {
      const response = await this.chat.sendRequest(
        toLmMessages(request.messages, factory),
        {
          justification: 'Spec Agent runs the tasks of your spec with this model.',
          ...(request.tools.length ? { tools: toLmTools(request.tools), toolMode: vscode.LanguageModelChatToolMode.Auto } : {}),
        },
        cts.token,
      );
      const result = await collectLmResponse(response.stream, classify, request.onDelta);
      if (request.signal.aborted) throw new ModelError(`${this.id}: the request was aborted`, 'aborted');
      const [input, output] = await Promise.all([inputTokens, this.count(result.text + result.toolCalls.map((c) => JSON.stringify(c.input)).join(''))]);
      const usage = { ...(input === undefined ? {} : { inputTokens: input }), ...(output === undefined ? {} : { outputTokens: output }) };
      return input === undefined && output === undefined ? result : { ...result, usage };
    } catch (err) {
      throw describeLmError(err, this.id, request.signal);
    } finally {
      request.signal.removeEventListener('abort', abort);
      cts.dispose();
    }
  }

  /**
   * Tokens of the request's messages. A run sends its history again on every turn, so each message is counted
   * once (by identity: the executor appends to its history and never rewrites a message it sent).
   */
  private async countInput(messages: readonly ChatMessage[]): Promise<number | undefined> {
    const counts = await Promise.all(
      messages.map((m) => {
        let n = this.counted.get(m);
        if (!n) {
          n = this.count(m.content + (m.role === 'assistant' ? m.toolCalls.map((c) => JSON.stringify(c.input)).join('') : ''));
          this.counted.set(m, n);
        }
        return n;
      }),
    );
    return counts.some((n) => n === undefined) ? undefined : counts.reduce<number>((a, n) => a + n!, 0);
  }

  private readonly counted = new WeakMap<ChatMessage, Promise<number | undefined>>();

  /** Tokens of the answer by the model's own tokenizer; usage is advisory, so a provider that cannot count gives none. */
  private async count(text: string): Promise<number | undefined> {
    if (!text) return 0;
    try {
      return await this.chat.countTokens(text);
    } catch {
      return undefined;
    }
  }
}

/** LanguageModelError codes (NoPermissions, Blocked, NotFound) and cancellation as ModelErrors that say what to do. */
export function describeLmError(err: unknown, id: string, signal?: AbortSignal): ModelError {
  if (err instanceof ModelError) return err;
  if (signal?.aborted || err instanceof vscode.CancellationError) return new ModelError(`${id}: the request was aborted`, 'aborted');
  const code = err instanceof vscode.LanguageModelError ? err.code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case vscode.LanguageModelError.NoPermissions.name:
      return new ModelError(`${id}: VS Code did not allow Spec Agent to use this model (${message}). Allow it when VS Code asks (or under Accounts > Manage Language Model Access), or choose another model with "Spec Agent: Select Model".`, 'auth');
    case vscode.LanguageModelError.Blocked.name:
      return new ModelError(`${id}: the model's provider blocked the request (${message}), usually a quota or rate limit; try again later or choose another model with "Spec Agent: Select Model".`, 'rate-limit');
    case vscode.LanguageModelError.NotFound.name:
      return new ModelError(`${id}: the model is no longer available (${message}); choose another with "Spec Agent: Select Model".`, 'unknown-model');
    default:
      return new ModelError(`${id}: ${message}`, 'network');
  }
}
