import type { ChatMessage, ToolCall } from '../models/chatModel.js';
import type { RunEvent } from '../runs/events.js';
import type { RaisedBudgets } from '../runs/budgets.js';

export interface ResumeState {
  /** Keys (`id|title`) of tasks the earlier run completed: not run again. */
  completed: Set<string>;
  /** Keys of those whose completion was verified (a parent ticked after them is verified only if each was). */
  verified: Set<string>;
  /** The recorded conversation of the task that was under way, after its prompt. */
  history: Map<string, ChatMessage[]>;
  /** Model requests the earlier run made (a replay script continues after them). */
  modelTurns: number;
  /** What the earlier runs of the chain cost (USD, as their model.usage events say): maxCostPerRun counts the chain. */
  costUsd: number;
  /** Budgets raised for the chain by an earlier Resume with a raised limit: they stay raised. */
  raised: RaisedBudgets;
  /**
   * The highest background process number (`bg-N`) the earlier runs gave: the resumed run numbers its own after
   * it, so an id in the conversation it gives back names one process only.
   */
  lastBackgroundId: number;
}

export const taskKey = (t: { id: string | null; title: string }) => `${t.id ?? ''}|${t.title}`;

/** What a resumed run tells the model after the recorded turns of the task under way. */
export const RESUMED = 'The run was resumed after an interruption. Continue the task from where it stopped.';

export const INTERRUPTED = 'This call was interrupted: the previous run ended while it was running, so its result is unknown. Check its effects (read the files, run a check) before doing it again.';

/**
 * Rebuilds what a run had done from its journal: completed tasks, and for the task under way the model's turns
 * with their recorded results. A call that was dispatched but never finished is reported as interrupted, not
 * silently run again.
 *
 * `journals` is the run's own journal after those of the runs it resumed, the first run first (a run that was
 * itself a resume did not journal the turns it was given back). A task started again in a later run continues its
 * earlier conversation (with the note the resumed run gave the model), and the model turns add up. `keyOf` names a
 * task as the caller matches it (tasks.md may have changed since), `taskKey` when not given.
 */
export function resumeState(journals: ReadonlyArray<readonly RunEvent[]>, keyOf: (t: { id: string | null; title: string }) => string = taskKey): ResumeState {
  const state: ResumeState = { completed: new Set(), verified: new Set(), history: new Map(), modelTurns: 0, costUsd: 0, raised: {}, lastBackgroundId: 0 };
  let current: string | undefined;
  let messages: ChatMessage[] = [];
  let assistant: { text: string; toolCalls: ToolCall[] } | undefined;
  let results = new Map<string, string>();
  const flush = () => {
    if (!assistant) return;
    messages.push({ role: 'assistant', content: assistant.text, toolCalls: assistant.toolCalls });
    for (const c of assistant.toolCalls) messages.push({ role: 'tool', toolCallId: c.id, tool: c.tool, content: results.get(c.id) ?? INTERRUPTED });
    assistant = undefined;
  };
  const endTask = () => {
    flush();
    // A run that ended before its first model turn of the task: the model never saw the note.
    const last = messages.at(-1);
    if (last?.role === 'user' && last.content === RESUMED) messages.pop();
    if (current) state.history.set(current, messages);
    current = undefined;
    messages = [];
  };
  for (const events of journals) {
    for (const e of events) apply(e);
    // A call of this run that never finished stays interrupted; call ids belong to their run.
    endTask();
    results = new Map();
  }
  return state;

  function apply(e: RunEvent): void {
    switch (e.type) {
      case 'task.started': {
        endTask();
        current = keyOf(e.task);
        // Started again by a later run of the chain: that run had the earlier turns back, then the note.
        const earlier = state.history.get(current) ?? [];
        messages = earlier.length > 0 ? [...earlier, { role: 'user', content: RESUMED }] : [];
        break;
      }
      case 'step.started':
        if (e.label !== 'model') break;
        flush();
        state.modelTurns++;
        assistant = { text: '', toolCalls: [] };
        break;
      case 'model.text':
        if (assistant) assistant.text += e.text;
        break;
      case 'model.usage':
        state.costUsd += e.costUsd ?? 0;
        break;
      case 'budget.raised':
        state.raised[e.setting] = e.value;
        break;
      case 'tool.requested':
        if (assistant) assistant.toolCalls.push({ id: e.callId, tool: e.tool, input: e.input });
        break;
      case 'tool.finished':
        results.set(e.callId, e.output);
        break;
      case 'background.started': {
        const n = /^bg-(\d+)$/.exec(e.id);
        if (n) state.lastBackgroundId = Math.max(state.lastBackgroundId, Number(n[1]));
        break;
      }
      case 'task.completed':
        flush();
        if (current) {
          state.completed.add(current);
          if (e.verified) state.verified.add(current);
          state.history.delete(current);
        }
        current = undefined;
        messages = [];
        break;
      default:
    }
  }
}
