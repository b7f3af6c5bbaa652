// Which model the specAgent.model.* settings ask for, decided from their values alone (no `vscode` import: the unit
// tests run it as a pure function). modelSelection.ts reads the settings, the SecretStorage and builds the model.
import { isAbsolute, resolve } from 'node:path';
import { defaultBaseURL, PROVIDERS } from '../core/models/providers.js';

export const MODEL_PROVIDERS = ['vscode-lm', 'openai-compatible', 'anthropic', 'replay'] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];
/** The providers whose key the user keeps in VS Code's SecretStorage. */
export type KeyProvider = 'openai-compatible' | 'anthropic';

/** The buttons of a model problem; each runs the action that fixes it. */
export type ModelAction = 'Select Model' | 'Set API Key' | 'Open Settings';

export interface ModelProblem {
  message: string;
  actions: ModelAction[];
  /** For Set API Key: the key that is missing. */
  key?: { provider: KeyProvider; baseUrl: string };
}

export interface ModelSettings {
  provider: string;
  /** False when no provider is set beside `id` or closer (user < workspace < folder): `id` may be the old `provider:model`. */
  providerSet: boolean;
  id: string;
  baseUrl: string;
  replayScript: string;
}

export type ModelPlan =
  | { kind: 'vscode-lm'; id: string }
  /** A model of core's createModel: `spec` as the CLI's --model. */
  | { kind: 'core'; spec: string; baseURL?: string; key?: { provider: KeyProvider; baseUrl: string; required: boolean } }
  | { kind: 'problem'; problem: ModelProblem };

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

/**
 * The SecretStorage key of an API key: per provider and per server origin, so a key entered for one server is
 * never sent to another one that a settings file points the base URL at.
 */
export function secretKeyName(provider: KeyProvider, baseUrl: string): string {
  return `specAgent.apiKey.${provider}@${originOf(baseUrl) ?? baseUrl}`;
}

export function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

/** The base URL a key provider talks to with these settings. */
export function effectiveBaseUrl(provider: KeyProvider, baseUrl: string): string {
  return baseUrl || (provider === 'anthropic' ? DEFAULT_ANTHROPIC_BASE_URL : DEFAULT_OPENAI_BASE_URL);
}

const SELECT = '"Spec Agent: Select Model"';

export function planModel(s: ModelSettings, workspace: string): ModelPlan {
  const id = s.id.trim();
  const baseUrl = s.baseUrl.trim();
  if (baseUrl && !originOf(baseUrl)) return problem(`specAgent.model.baseUrl "${baseUrl}" is not an http(s) URL; fix it in the settings or run ${SELECT}.`, ['Open Settings', 'Select Model']);

  // Before specAgent.model.provider existed, specAgent.model.id held `provider:model` (as the CLI's --model). It is
  // honoured unless a provider is set beside it or closer (readModelSettings decides providerSet).
  const legacy = /^([a-z]+):(.+)$/.exec(id);
  if (!s.providerSet && legacy && PROVIDERS.includes(legacy[1]!)) {
    const [, provider, name] = legacy as unknown as [string, string, string];
    if (provider === 'replay') return { kind: 'core', spec: `replay:${inWorkspace(workspace, name)}` };
    const keyProvider: KeyProvider = provider === 'anthropic' ? 'anthropic' : 'openai-compatible';
    const server = baseUrl || defaultBaseURL(provider);
    return {
      kind: 'core',
      spec: id,
      ...(baseUrl ? { baseURL: baseUrl } : {}),
      ...(server ? { key: { provider: keyProvider, baseUrl: server, required: !baseUrl && (provider === 'anthropic' || provider === 'openai' || provider === 'openrouter') } } : {}),
    };
  }

  switch (s.provider) {
    case 'vscode-lm':
      return { kind: 'vscode-lm', id };
    case 'replay': {
      const script = s.replayScript.trim() || (id.startsWith('replay:') ? id.slice(7) : id);
      if (!script) return problem(`the replay provider needs a script: set specAgent.model.replayScript to a replay JSON file (relative to the workspace is fine), or run ${SELECT}.`, ['Select Model', 'Open Settings']);
      return { kind: 'core', spec: `replay:${inWorkspace(workspace, script)}` };
    }
    case 'openai-compatible':
    case 'anthropic': {
      const label = s.provider === 'anthropic' ? 'Anthropic' : 'OpenAI-compatible';
      if (!id) return problem(`the ${label} provider needs a model name: set specAgent.model.id (for example ${s.provider === 'anthropic' ? 'claude-sonnet-4-5' : 'gpt-4.1 or qwen3:32b'}), or run ${SELECT}.`, ['Select Model', 'Open Settings']);
      return {
        kind: 'core',
        spec: `${s.provider === 'anthropic' ? 'anthropic' : 'openai'}:${id}`,
        ...(baseUrl ? { baseURL: baseUrl } : {}),
        // A server of one's own (Ollama, LM Studio, vLLM) usually takes no key; the hosted APIs always do.
        key: { provider: s.provider, baseUrl: effectiveBaseUrl(s.provider, baseUrl), required: !baseUrl },
      };
    }
    default:
      return problem(`specAgent.model.provider "${s.provider}" is not one of ${MODEL_PROVIDERS.join(', ')}; run ${SELECT}.`, ['Select Model', 'Open Settings']);
  }
}

/** The message when a hosted provider has no key stored for its server. */
export function missingKeyProblem(provider: KeyProvider, baseUrl: string): ModelProblem {
  const label = provider === 'anthropic' ? 'Anthropic' : 'OpenAI-compatible';
  return {
    message: `no API key is stored for the ${label} server ${originOf(baseUrl) ?? baseUrl}. Run "Spec Agent: Set API Key" (keys live in VS Code's secret storage, never in settings files).`,
    actions: ['Set API Key', 'Select Model'],
    key: { provider, baseUrl },
  };
}

/** A replay script path may be relative to the workspace. */
function inWorkspace(workspace: string, path: string): string {
  return isAbsolute(path) ? path : resolve(workspace, path);
}

function problem(message: string, actions: ModelAction[]): ModelPlan {
  return { kind: 'problem', problem: { message, actions } };
}
