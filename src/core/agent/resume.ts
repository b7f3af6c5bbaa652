import type { ChatMessage, ToolCall } from '../models/chatModel.js';
import type { RunEvent } from '../runs/events.js';

export interface ResumeState {
  /** Keys (`id|title`) of tasks the earlier run completed: not run again. */
  completed: Set<string>;
  /** The recorded conversation of the task that was under way, after its prompt. */
  history: Map<string, ChatMessage[]>;
  /** Model requests the earlier run made (a replay script continues after them). */
  modelTurns: number;
}

export const taskKey = (t: { id: string | null; title: string }) => `${t.id ?? ''}|${t.title}`;

export const INTERRUPTED = 'This call was interrupted: the previous run ended while it was running, so its result is unknown. Check its effects (read the files, run a check) before doing it again.';

/**
 * Rebuilds what a run had done from its journal: completed tasks, and for the task under way the model's turns
 * with their recorded results. A call that was dispatched but never finished is reported as interrupted, not
 * silently run again.
 */
export function resumeState(events: readonly RunEvent[]): ResumeState {
  const state: ResumeState = { completed: new Set(), history: new Map(), modelTurns: 0 };
  let current: string | undefined;
  let messages: ChatMessage[] = [];
  let assistant: { text: string; toolCalls: ToolCall[] } | undefined;
  const pending = new Map<string, ToolCall>();
  const results = new Map<string, string>();
  const flush = () => {
    if (!assistant) return;
    messages.push({ role: 'assistant', content: assistant.text, toolCalls: assistant.toolCalls });
    for (const c of assistant.toolCalls) messages.push({ role: 'tool', toolCallId: c.id, tool: c.tool, content: results.get(c.id) ?? INTERRUPTED });
    assistant = undefined;
  };
  for (const e of events) {
    switch (e.type) {
      case 'task.started':
        flush();
        if (current) state.history.set(current, messages);
        current = taskKey(e.task);
        messages = [];
        break;
      case 'step.started':
        if (e.label !== 'model') break;
        flush();
        state.modelTurns++;
        assistant = { text: '', toolCalls: [] };
        break;
      case 'model.text':
        if (assistant) assistant.text += e.text;
        break;
      case 'tool.requested':
        if (assistant) {
          const call = { id: e.callId, tool: e.tool, input: e.input };
          assistant.toolCalls.push(call);
          pending.set(e.callId, call);
        }
        break;
      case 'tool.finished':
        results.set(e.callId, e.output);
        break;
      case 'task.completed':
        flush();
        if (current) state.completed.add(current);
        current = undefined;
        messages = [];
        break;
      default:
    }
  }
  flush();
  if (current) state.history.set(current, messages);
  return state;
}
