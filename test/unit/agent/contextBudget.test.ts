import { describe, expect, it } from 'vitest';
import { estimateTokens, fitToWindow } from '../../../src/core/agent/contextBudget.js';
import type { ChatMessage } from '../../../src/core/models/chatModel.js';

function conversation(turns: number, outputChars: number): ChatMessage[] {
  const m: ChatMessage[] = [{ role: 'system', content: 'instructions' }, { role: 'user', content: 'the task' }];
  for (let i = 0; i < turns; i++) {
    m.push({ role: 'assistant', content: '', toolCalls: [{ id: `c${i}`, tool: 'run_command', input: { command: `step ${i}` } }] });
    m.push({ role: 'tool', toolCallId: `c${i}`, tool: 'run_command', content: `exit code 0\n${'x'.repeat(outputChars)}` });
  }
  return m;
}

describe('the context budget', () => {
  it('leaves a conversation that fits alone', () => {
    const m = conversation(3, 100);
    expect(fitToWindow(m, 100_000)).toEqual({ messages: m, truncated: 0, summarised: 0 });
  });

  it('truncates old tool outputs first, keeping the latest results whole', () => {
    const m = conversation(20, 4000);
    const window = Math.ceil(estimateTokens(m) / 0.7);
    const r = fitToWindow(m, window);
    expect(r.summarised).toBe(0);
    expect(r.truncated).toBe(14);
    expect(r.messages[3]!.content).toMatch(/characters of this old result left out/);
    expect(r.messages.at(-1)!.content).toBe(m.at(-1)!.content);
    expect(estimateTokens(r.messages)).toBeLessThanOrEqual(window * 0.8);
  });

  it('summarises the oldest turns past 80 %, never the instructions or the task', () => {
    const m = conversation(40, 100);
    const window = Math.ceil(estimateTokens(m) / 0.95);
    const r = fitToWindow(m, window);
    expect(r.summarised).toBeGreaterThan(0);
    expect(r.messages.slice(0, 2)).toEqual(m.slice(0, 2));
    expect(r.messages[2]!.content).toMatch(/^Earlier in this task \(summarised to fit the context\):\n- run_command step 0\n {2}-> exit code 0/);
    expect(estimateTokens(r.messages)).toBeLessThanOrEqual(window * 0.6 + 50);
    expect(r.messages.at(-1)).toEqual(m.at(-1));
  });
});
