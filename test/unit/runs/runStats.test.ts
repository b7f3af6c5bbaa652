import { describe, expect, it } from 'vitest';
import { matchesFilter, quantile } from '../../../src/core/runs/runStats.js';

describe('runStats helpers', () => {
  it('quantile is the nearest rank: a time that was measured, never one between two', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9)).toBe(10);
  });

  it('--model matches the model as journaled or without its provider; --since keeps runs started at or after it', () => {
    const run = { spec: 'billing', startedAt: '2026-12-01T10:00:00.000Z', model: 'openai:gpt-4o', outcome: 'completed' as const };
    expect(matchesFilter(run, { model: 'openai:gpt-4o' })).toBe(true);
    expect(matchesFilter(run, { model: 'gpt-4o' })).toBe(true);
    expect(matchesFilter(run, { model: 'gpt-4' })).toBe(false);
    expect(matchesFilter(run, { since: Date.parse('2026-12-01') })).toBe(true);
    expect(matchesFilter(run, { since: Date.parse('2026-12-02') })).toBe(false);
    expect(matchesFilter({ ...run, startedAt: null }, { since: 0 })).toBe(false);
    expect(matchesFilter(run, { spec: 'billing', outcome: 'completed' })).toBe(true);
    expect(matchesFilter(run, { outcome: 'failed' })).toBe(false);
  });
});
