// Our conversation in the shape of vscode.lm, and its response stream back, as pure functions over a small factory:
// the extension passes VS Code's part classes, the unit tests plain objects. No `vscode` import here on purpose.
import { randomUUID } from 'node:crypto';
import type { ModelDelta, ChatMessage, ChatResponse, ToolCall, ToolSpec } from '../core/models/chatModel.js';

/** Builds vscode.lm messages and parts (LanguageModelChatMessage.User/Assistant, Text/ToolCall/ToolResult parts). */
export interface LmFactory<Message, Part> {
  user(parts: Part[]): Message;
  assistant(parts: Part[]): Message;
  text(value: string): Part;
  toolCall(callId: string, name: string, input: object): Part;
  toolResult(callId: string, content: string): Part;
}

/**
 * vscode.lm has only user and assistant turns. System text opens the conversation as a user turn (as VS Code's
 * own chat samples do); tool results are user turns holding ToolResultParts, consecutive ones merged into one turn,
 * and text that follows them in the same turn comes after them (providers want results right after the calls).
 */
export function toLmMessages<M, P>(messages: readonly ChatMessage[], f: LmFactory<M, P>): M[] {
  const turns: Array<{ role: 'user' | 'assistant'; parts: P[] }> = [];
  const push = (role: 'user' | 'assistant', parts: P[], merge: boolean) => {
    const last = turns.at(-1);
    if (merge && last?.role === role) last.parts.push(...parts);
    else turns.push({ role, parts });
  };
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
  if (system) push('user', [f.text(system)], false);
  let lastWasTool = false;
  for (const m of messages) {
    if (m.role === 'system') continue;
    if (m.role === 'tool') {
      push('user', [f.toolResult(m.toolCallId, m.content)], lastWasTool);
      lastWasTool = true;
      continue;
    }
    if (m.role === 'user') push('user', [f.text(m.content)], lastWasTool);
    else push('assistant', [...(m.content ? [f.text(m.content)] : []), ...m.toolCalls.map((c) => f.toolCall(c.id, c.tool, toolInput(c.input)))], false);
    lastWasTool = false;
  }
  return turns.map((t) => (t.role === 'user' ? f.user(t.parts) : f.assistant(t.parts)));
}

/** A ToolCallPart's input must be an object: a call whose arguments were not JSON is replayed as `{ input: text }`. */
function toolInput(input: unknown): object {
  return input !== null && typeof input === 'object' && !Array.isArray(input) ? input : { input };
}

/** Our tool specs as LanguageModelChatTool (name, description, inputSchema). */
export function toLmTools(tools: readonly ToolSpec[]): Array<{ name: string; description: string; inputSchema: object }> {
  return tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.parameters }));
}

/** What one part of a response stream is: text, a tool call, or something we do not use (e.g. data parts). */
export type LmPart = { text: string } | { callId: string; name: string; input: unknown } | undefined;

/** Reads a response stream into text and tool calls, streaming the text as it arrives. */
export async function collectLmResponse<P>(stream: AsyncIterable<P>, classify: (part: P) => LmPart, onDelta?: (delta: ModelDelta) => void): Promise<ChatResponse> {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for await (const raw of stream) {
    const part = classify(raw);
    if (!part) continue;
    if ('text' in part) {
      if (!part.text) continue;
      text += part.text;
      onDelta?.({ channel: 'text', text: part.text });
    } else {
      // A provider that gives no id: one unique in the run, since the journal and the panel key calls by id.
      toolCalls.push({ id: part.callId || `call-${randomUUID()}`, tool: part.name, input: part.input ?? {} });
    }
  }
  return { text, toolCalls };
}
