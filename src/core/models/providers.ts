import { AnthropicModel } from './anthropicModel.js';
import { ModelError, type ChatModel } from './chatModel.js';
import { OpenAICompatibleModel } from './openaiModel.js';
import { ReplayModel } from './replayModel.js';

/** OpenAI-compatible servers by provider name: their default base URL and the variable holding the key. */
const OPENAI_COMPATIBLE: Record<string, { baseURL?: string; keyVar?: string; local?: boolean }> = {
  openai: { keyVar: 'OPENAI_API_KEY' },
  openrouter: { baseURL: 'https://openrouter.ai/api/v1', keyVar: 'OPENROUTER_API_KEY' },
  ollama: { baseURL: 'http://127.0.0.1:11434/v1', local: true },
  lmstudio: { baseURL: 'http://127.0.0.1:1234/v1', local: true },
  vllm: { baseURL: 'http://127.0.0.1:8000/v1', local: true },
};

export const PROVIDERS = ['replay', 'anthropic', ...Object.keys(OPENAI_COMPATIBLE)];

/** The server a provider talks to when no base URL is given (VS Code binds stored keys to it). */
export function defaultBaseURL(provider: string): string | undefined {
  if (provider === 'anthropic') return 'https://api.anthropic.com';
  if (provider === 'openai') return 'https://api.openai.com/v1';
  return OPENAI_COMPATIBLE[provider]?.baseURL;
}

export interface ModelOptions {
  baseURL?: string;
  env?: NodeJS.ProcessEnv;
  /** The API key, when the host keeps it (VS Code's SecretStorage); without it the provider's variable in `env` is read. */
  apiKey?: string;
  /** Ollama has no way to tell its window over the OpenAI API: it is given here and sent as num_ctx. */
  contextWindow?: number;
}

/** `provider:model` (e.g. `anthropic:claude-sonnet-4`, `ollama:qwen3:32b`, `replay:script.json`) to a model. */
export async function createModel(spec: string, o: ModelOptions = {}): Promise<ChatModel> {
  const env = o.env ?? process.env;
  const colon = spec.indexOf(':');
  if (colon <= 0 || colon === spec.length - 1) throw new ModelError(`--model must be provider:model (providers: ${PROVIDERS.join(', ')}); got "${spec}"`, 'unknown-model');
  const provider = spec.slice(0, colon);
  const name = spec.slice(colon + 1);
  if (provider === 'replay') return ReplayModel.load(name);
  if (provider === 'anthropic') {
    const apiKey = o.apiKey || env.ANTHROPIC_API_KEY;
    if (!apiKey && !o.baseURL) throw new ModelError('anthropic: set ANTHROPIC_API_KEY', 'auth');
    return new AnthropicModel({ id: spec, model: name, apiKey, baseURL: o.baseURL, contextWindow: o.contextWindow });
  }
  const known = OPENAI_COMPATIBLE[provider];
  if (!known) throw new ModelError(`unknown model provider "${provider}"; use one of ${PROVIDERS.join(', ')}`, 'unknown-model');
  const apiKey = o.apiKey || (known.keyVar ? env[known.keyVar] : undefined);
  if (known.keyVar && !apiKey && !o.baseURL) throw new ModelError(`${provider}: set ${known.keyVar}`, 'auth');
  const baseURL = o.baseURL ?? known.baseURL;
  // Ollama answers with its own small default window (and cuts the prompt silently) unless told num_ctx: the
  // model's window comes from its metadata when the user gave none.
  const contextWindow = o.contextWindow ?? (provider === 'ollama' ? await ollamaContextWindow(baseURL!, name) : undefined);
  return new OpenAICompatibleModel({
    id: spec,
    model: name,
    baseURL,
    apiKey,
    contextWindow,
    ...(provider === 'ollama' && contextWindow ? { extraBody: { options: { num_ctx: contextWindow } } } : {}),
  });
}

/**
 * The window of an Ollama model from `/api/show`: `num_ctx` when its Modelfile sets one (the owner's choice), else
 * the `<architecture>.context_length` it was trained with. Undefined when the server does not say (an old Ollama,
 * a proxy): the caller's default stands, and `--context-window` / specAgent.model.contextWindow can say it.
 */
export async function ollamaContextWindow(baseURL: string, model: string): Promise<number | undefined> {
  try {
    const root = baseURL.replace(/\/+$/, '').replace(/\/v1$/, '');
    const res = await fetch(`${root}/api/show`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model }), signal: AbortSignal.timeout(5000) });
    if (!res.ok) return undefined;
    const show = (await res.json()) as { parameters?: unknown; model_info?: Record<string, unknown> };
    const numCtx = typeof show.parameters === 'string' ? /^num_ctx\s+(\d+)\s*$/m.exec(show.parameters)?.[1] : undefined;
    if (numCtx) return Number(numCtx);
    const trained = Object.entries(show.model_info ?? {}).find(([k, v]) => k.endsWith('.context_length') && typeof v === 'number' && v > 0)?.[1];
    return typeof trained === 'number' ? trained : undefined;
  } catch {
    return undefined;
  }
}
