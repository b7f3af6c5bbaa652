import { describe, expect, it } from 'vitest';
import { INTERRUPTED, resumeState } from '../../../src/core/agent/resume.js';
import type { RunEvent } from '../../../src/core/runs/events.js';

const at = (seq: number, e: Record<string, unknown>) => ({ runId: 'r', seq, time: '2026-11-25T00:00:00.000Z', ...e }) as RunEvent;

describe('resumeState', () => {
  it('rebuilds the conversation: recorded results back, an unfinished call reported as interrupted, done tasks skipped', () => {
    const events = [
      at(0, { type: 'task.started', task: { id: '1', title: 'One', line: 3 } }),
      at(1, { type: 'step.started', taskId: '1', step: 1, label: 'model' }),
      at(2, { type: 'tool.requested', callId: 'a', tool: 'complete_task', input: { summary: 's' } }),
      at(3, { type: 'task.completed', taskId: '1', summary: 's', requirements: [], verification: [], verified: false }),
      at(4, { type: 'task.started', task: { id: '2', title: 'Two', line: 5 } }),
      at(5, { type: 'step.started', taskId: '2', step: 2, label: 'model' }),
      at(6, { type: 'model.text', text: 'Writing.' }),
      at(7, { type: 'tool.requested', callId: 'b', tool: 'write_file', input: { path: 'x', content: 'y' } }),
      at(8, { type: 'tool.finished', callId: 'b', ok: true, output: 'created x (1 lines)', durationMs: 1 }),
      at(9, { type: 'step.started', taskId: '2', step: 3, label: 'model' }),
      at(10, { type: 'tool.requested', callId: 'c', tool: 'run_command', input: { command: 'npm test' } }),
    ];
    const s = resumeState(events);
    expect([...s.completed]).toEqual(['1|One']);
    expect(s.modelTurns).toBe(3);
    expect(s.history.get('2|Two')).toEqual([
      { role: 'assistant', content: 'Writing.', toolCalls: [{ id: 'b', tool: 'write_file', input: { path: 'x', content: 'y' } }] },
      { role: 'tool', toolCallId: 'b', tool: 'write_file', content: 'created x (1 lines)' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c', tool: 'run_command', input: { command: 'npm test' } }] },
      { role: 'tool', toolCallId: 'c', tool: 'run_command', content: INTERRUPTED },
    ]);
  });
});
