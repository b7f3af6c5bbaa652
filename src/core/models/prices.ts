/**
 * What a model costs, for the header, summary.json and maxCostPerRun when the provider does not say (only
 * OpenRouter reports a cost with each answer). USD per million tokens: the prompt, the part of the prompt read
 * from the provider's cache, the answer.
 *
 * Read on 2026-12-07 from the providers' published price pages (platform.claude.com/docs/en/about-claude/pricing,
 * OpenAI's pricing page, api-docs.deepseek.com/quick_start/pricing-details-usd, docs.x.ai, Groq's, Mistral's and
 * Google's pricing pages), some through the summaries that quote them. Prices change: a wrong figure here is fixed
 * here, nowhere else. Where a provider has tiers (a longer prompt costs more, peak hours), the tier of an ordinary
 * prompt is used, and for DeepSeek the peak-hour rate (a budget that pauses early is better than one that pauses
 * late). Anthropic's cache writes (1.25× the input rate) are counted at the input rate.
 */
export const PRICES_READ_ON = '2026-12-07';

export interface Price {
  /** USD per million prompt tokens not read from the cache. */
  input: number;
  /** USD per million prompt tokens read from the cache (the input rate for providers without a cache discount). */
  cachedInput: number;
  /** USD per million output tokens (reasoning included). */
  output: number;
}

const p = (input: number, cachedInput: number, output: number): Price => ({ input, cachedInput, output });

/**
 * By model name as the provider's API spells it, dots written as dashes. A name matches the longest entry it
 * starts with at a `-` (so `gpt-4o-2024-08-06` is `gpt-4o`, `gpt-4o-mini` is not).
 */
const TABLE: Record<string, Price> = {
  // OpenAI
  'gpt-4o': p(2.5, 1.25, 10),
  'gpt-4o-mini': p(0.15, 0.075, 0.6),
  'gpt-4-1': p(2, 0.5, 8),
  'gpt-4-1-mini': p(0.4, 0.1, 1.6),
  'gpt-4-1-nano': p(0.1, 0.025, 0.4),
  o1: p(15, 7.5, 60),
  'o1-mini': p(1.1, 0.55, 4.4),
  'o1-pro': p(150, 150, 600),
  o3: p(2, 0.5, 8),
  'o3-mini': p(1.1, 0.55, 4.4),
  'o3-pro': p(20, 20, 80),
  'o4-mini': p(1.1, 0.275, 4.4),
  'gpt-5': p(1.25, 0.125, 10),
  'gpt-5-mini': p(0.25, 0.025, 2),
  'gpt-5-nano': p(0.05, 0.005, 0.4),
  'gpt-5-pro': p(15, 15, 120),
  'gpt-5-2': p(1.75, 0.175, 14),
  'gpt-5-4': p(2.5, 0.25, 15),
  'gpt-5-4-mini': p(0.75, 0.075, 4.5),
  'gpt-5-4-nano': p(0.2, 0.02, 1.25),
  'gpt-5-5': p(5, 0.5, 30),
  'gpt-oss-120b': p(0.15, 0.075, 0.75),
  'gpt-oss-20b': p(0.1, 0.05, 0.5),
  // Anthropic (cache hits at a tenth of the input rate)
  'claude-3-haiku': p(0.25, 0.03, 1.25),
  'claude-3-opus': p(15, 1.5, 75),
  'claude-3-5-haiku': p(0.8, 0.08, 4),
  'claude-3-5-sonnet': p(3, 0.3, 15),
  'claude-3-7-sonnet': p(3, 0.3, 15),
  'claude-sonnet-4': p(3, 0.3, 15),
  'claude-sonnet-4-5': p(3, 0.3, 15),
  'claude-opus-4': p(15, 1.5, 75),
  'claude-opus-4-1': p(15, 1.5, 75),
  'claude-opus-4-5': p(5, 0.5, 25),
  'claude-opus-4-6': p(5, 0.5, 25),
  'claude-opus-4-7': p(5, 0.5, 25),
  'claude-opus-4-8': p(5, 0.5, 25),
  'claude-haiku-4-5': p(1, 0.1, 5),
  'claude-sonnet-5': p(2, 0.2, 10),
  'claude-sonnet-5-5': p(2, 0.1, 10),
  'claude-opus-5': p(5, 0.5, 25),
  'claude-opus-5-5': p(4, 0.2, 20),
  'claude-haiku-5-5': p(0.1, 0.01, 0.5),
  // DeepSeek
  'deepseek-chat': p(0.27, 0.07, 1.1),
  'deepseek-reasoner': p(0.55, 0.14, 2.19),
  'deepseek-v4-pro': p(1.32, 0.044, 3.96),
  'deepseek-flash': p(0.3, 0.006, 1.2),
  // Mistral (no cache discount)
  'mistral-large': p(2, 2, 6),
  'mistral-medium': p(0.4, 0.4, 2),
  'mistral-small': p(0.1, 0.1, 0.3),
  codestral: p(0.3, 0.3, 0.9),
  'devstral-medium': p(0.4, 0.4, 2),
  'devstral-small': p(0.1, 0.1, 0.3),
  // xAI
  'grok-3': p(3, 0.75, 15),
  'grok-3-mini': p(0.3, 0.075, 0.5),
  'grok-4': p(3, 0.75, 15),
  'grok-4-fast': p(0.2, 0.05, 0.5),
  'grok-4-1-fast': p(0.2, 0.05, 0.5),
  'grok-4-7': p(2, 0.5, 6),
  'grok-code-fast-1': p(0.2, 0.02, 1.5),
  // Groq-hosted open models (Groq's prices; the same model costs otherwise elsewhere)
  'llama-3-3-70b-versatile': p(0.59, 0.59, 0.79),
  'llama-3-1-8b-instant': p(0.05, 0.05, 0.08),
  'kimi-k2-instruct': p(1, 0.5, 3),
  'qwen3-32b': p(0.29, 0.29, 0.59),
  // Gemini (through its OpenAI-compatible endpoint)
  'gemini-2-0-flash': p(0.1, 0.025, 0.4),
  'gemini-2-5-flash': p(0.3, 0.03, 2.5),
  'gemini-2-5-flash-lite': p(0.1, 0.01, 0.4),
  'gemini-2-5-pro': p(1.25, 0.125, 10),
  'gemini-3-pro': p(2, 0.2, 12),
};

/** Providers of the `provider:model` spec that name a model (`ollama:qwen3:32b` keeps its own colon). */
const PROVIDER = /^(openai|openrouter|anthropic|ollama|lmstudio|vllm):/;

/**
 * Models not billed per token by the table's rates: a chat model VS Code lends (`vscode-lm:copilot/gpt-4o` is paid
 * for by the user's Copilot plan, not at OpenAI's prices) and a replayed script.
 */
const UNPRICED = /^(vscode-lm|replay):/;

/**
 * The table's name for a model id: `openai:gpt-4o-2024-08-06`, `openrouter:anthropic/claude-3.5-sonnet:beta`,
 * `openai:openai/gpt-oss-120b` (Groq), `models/gemini-2.5-pro` all reduce to the model's own name, lower case,
 * dots as dashes; dated or versioned suffixes are left for the prefix match.
 */
export function modelName(id: string): string {
  return id
    .toLowerCase()
    .replace(PROVIDER, '')
    .replace(/:[a-z-]+$/, '') // OpenRouter's variants (:free, :beta, :thinking, :nitro)
    .split('/')
    .at(-1)!
    .replace(/\./g, '-');
}

/** The price of a model, with the table's name for it; undefined when the table has none ("no price known"). */
export function priceOf(modelId: string): { name: string; price: Price } | undefined {
  if (UNPRICED.test(modelId)) return undefined;
  const name = modelName(modelId);
  let best: string | undefined;
  for (const key of Object.keys(TABLE)) {
    if ((name === key || name.startsWith(`${key}-`)) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : { name: best, price: TABLE[best]! };
}

/** USD for one request: the uncached prompt at the input rate, the cached part at the cached rate, the answer at the output rate. */
export function costOf(price: Price, usage: { inputTokens?: number; cachedInputTokens?: number; outputTokens?: number }): number {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens ?? 0);
  const uncached = (usage.inputTokens ?? 0) - cached;
  return (uncached * price.input + cached * price.cachedInput + (usage.outputTokens ?? 0) * price.output) / 1_000_000;
}

/** "$0.0123": a cost as the header, the CLI and the budget messages show it (more digits while it is small). */
export function formatUsd(usd: number): string {
  return `$${usd.toFixed(usd < 1 ? (usd < 0.01 ? 4 : 3) : 2)}`;
}
