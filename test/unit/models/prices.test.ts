import { describe, expect, it } from 'vitest';
import { costOf, formatUsd, priceOf } from '../../../src/core/models/prices.js';

describe('the price table', () => {
  it('finds a model however its id is spelled: dated suffixes, provider prefixes, OpenRouter variants, dots', () => {
    const cases: Array<[string, string | undefined]> = [
      ['openai:gpt-4o-2024-08-06', 'gpt-4o'],
      ['openai:gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
      ['openai:gpt-4.1-nano', 'gpt-4-1-nano'],
      ['openai:o3-mini-2025-01-31', 'o3-mini'],
      ['openai:o3-pro', 'o3-pro'],
      ['openai:gpt-5-mini', 'gpt-5-mini'],
      ['openrouter:anthropic/claude-3.5-sonnet:beta', 'claude-3-5-sonnet'],
      ['openrouter:anthropic/claude-3.7-sonnet:thinking', 'claude-3-7-sonnet'],
      ['anthropic:claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
      ['anthropic:claude-sonnet-4-20250514', 'claude-sonnet-4'],
      ['anthropic:claude-opus-4-1-20250805', 'claude-opus-4-1'],
      ['anthropic:claude-opus-4-5', 'claude-opus-4-5'],
      ['anthropic:claude-3-5-haiku-latest', 'claude-3-5-haiku'],
      ['openai:deepseek-chat', 'deepseek-chat'],
      ['openai:grok-4-0709', 'grok-4'],
      ['openai:grok-4-1-fast-reasoning', 'grok-4-1-fast'],
      ['openai:openai/gpt-oss-120b', 'gpt-oss-120b'],
      ['openai:llama-3.3-70b-versatile', 'llama-3-3-70b-versatile'],
      ['openai:mistral-large-latest', 'mistral-large'],
      ['openai:models/gemini-2.5-flash', 'gemini-2-5-flash'],
      ['openai:gemini-2.5-flash-lite', 'gemini-2-5-flash-lite'],
      // Not in the table: a local model, a name that only looks like one, a replay script.
      ['ollama:qwen3:32b', undefined],
      ['vllm:m', undefined],
      ['openai:gpt-4oo', undefined],
      ['replay:/tmp/turns.json', undefined],
      // A model VS Code lends is paid for by the user's plan, not at the provider's token prices.
      ['vscode-lm:copilot/gpt-4o', undefined],
    ];
    for (const [id, name] of cases) expect(priceOf(id)?.name, id).toBe(name);
  });

  it('prices the cached part of the prompt at the cached rate', () => {
    const gpt4o = priceOf('openai:gpt-4o')!.price;
    // 600k uncached at $2.50, 400k cached at $1.25, 100k out at $10.
    expect(costOf(gpt4o, { inputTokens: 1_000_000, cachedInputTokens: 400_000, outputTokens: 100_000 })).toBeCloseTo(1.5 + 0.5 + 1, 10);
    expect(costOf(gpt4o, { inputTokens: 1_000_000, outputTokens: 0 })).toBeCloseTo(2.5, 10);
  });

  it('shows small costs with the digits that matter', () => {
    expect(formatUsd(0.00123)).toBe('$0.0012');
    expect(formatUsd(0.0456)).toBe('$0.046');
    expect(formatUsd(12.345)).toBe('$12.35');
  });
});
