import { resolve } from 'node:path';
import { ModelError, type ChatModel } from '../core/models/chatModel.js';
import { createModel } from '../core/models/providers.js';
import { UsageError } from './usageError.js';

/** `--context-window`: a number of tokens, at least 1024, or undefined when not given. */
export function contextWindowOption(contextWindow: string | undefined): number | undefined {
  const window = contextWindow === undefined ? undefined : Number(contextWindow);
  if (window !== undefined && (!Number.isInteger(window) || window < 1024)) throw new UsageError(`--context-window must be a number of tokens (got "${contextWindow}").`);
  return window;
}

/** `--model provider:model` of `spec-agent run`, `runs resume` and `eval`: the model, or a usage error saying what to give. */
export async function modelFor(spec: string | undefined, baseURL: string | undefined, contextWindow?: string): Promise<ChatModel> {
  const window = contextWindowOption(contextWindow);
  if (!spec) throw new UsageError('give --model provider:model (for example replay:script.json, anthropic:<model>, openai:<model>, ollama:<model>).');
  try {
    const name = spec.startsWith('replay:') ? `replay:${resolve(spec.slice(7))}` : spec;
    return await createModel(name, { baseURL, ...(window ? { contextWindow: window } : {}) });
  } catch (err) {
    throw new UsageError(err instanceof ModelError ? err.message : String(err));
  }
}
