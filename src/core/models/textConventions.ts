import { randomUUID } from 'node:crypto';
import type { ToolCall } from './chatModel.js';

/**
 * What local and reasoning models put in the answer's text that is not the answer: `<think>…</think>` blocks
 * (Qwen, DeepSeek-R1 through Ollama, LM Studio, vLLM) and tool calls written as text (`<tool_call>{…}</tool_call>`,
 * Hermes/Qwen's format, or the whole answer a JSON object with `name` and `arguments`).
 */

const THINK = /<think>([\s\S]*?)(?:<\/think>|$)/g;

/** The text without its reasoning blocks, and the reasoning (an unclosed block at the end is reasoning cut short). */
export function splitThinking(text: string): { text: string; thinking: string } {
  const thinking: string[] = [];
  // Some servers strip the opening tag and send only the closing one: what precedes it is reasoning.
  let rest = text;
  const close = rest.indexOf('</think>');
  if (close !== -1 && rest.lastIndexOf('<think>', close) === -1) {
    thinking.push(rest.slice(0, close));
    rest = rest.slice(close + '</think>'.length);
  }
  rest = rest.replace(THINK, (_m, inner: string) => {
    thinking.push(inner);
    return '';
  });
  return { text: rest.trim(), thinking: thinking.map((t) => t.trim()).filter(Boolean).join('\n\n') };
}

const TOOL_CALL_TAG = /<tool_call>\s*([\s\S]*?)\s*<\/tool_call>/g;

/**
 * Tool calls a model wrote as text, for the tools it was given; the text left once they are taken out. Only an
 * object naming a known tool counts, so prose that happens to hold JSON stays prose.
 */
export function toolCallsInText(text: string, tools: ReadonlySet<string>): { calls: ToolCall[]; text: string } | undefined {
  const calls: ToolCall[] = [];
  const rest = text.replace(TOOL_CALL_TAG, (whole, body: string) => {
    const call = asCall(body, tools);
    if (!call) return whole;
    calls.push(call);
    return '';
  });
  if (calls.length > 0) return { calls, text: rest.trim() };
  // A bare object (or a fenced one) as the whole answer.
  const bare = /^\s*(?:```(?:json)?\s*)?(\{[\s\S]*\})\s*(?:```)?\s*$/.exec(text);
  const call = bare ? asCall(bare[1]!, tools) : undefined;
  return call ? { calls: [call], text: '' } : undefined;
}

function asCall(json: string, tools: ReadonlySet<string>): ToolCall | undefined {
  let o: unknown;
  try {
    o = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof o !== 'object' || o === null) return undefined;
  const r = o as { name?: unknown; arguments?: unknown; parameters?: unknown; function?: { name?: unknown; arguments?: unknown } };
  const name = r.name ?? r.function?.name;
  let args = r.arguments ?? r.parameters ?? r.function?.arguments ?? {};
  if (typeof name !== 'string' || !tools.has(name)) return undefined;
  if (typeof args === 'string') {
    try {
      args = JSON.parse(args);
    } catch {
      return { id: `call-${randomUUID()}`, tool: name, input: args, invalidArguments: 'the arguments string is not JSON' };
    }
  }
  return { id: `call-${randomUUID()}`, tool: name, input: args };
}

const OPEN = '<think>';
const CLOSE = '</think>';

/**
 * `<think>` blocks told apart from the text while it streams: a piece is text or reasoning as it arrives, and a tag
 * cut across two pieces (`<thi` + `nk>`) is held back until the next piece says whether it is one, so no part of a
 * tag ever shows as text. The whole answer is still split by splitThinking at the end (a server that sends only
 * the closing tag is recognised only there: until `</think>` arrives its reasoning streams as text).
 */
export class ThinkStream {
  private inside = false;
  private held = '';

  constructor(private readonly emit: (channel: 'text' | 'thinking', text: string) => void) {}

  push(piece: string): void {
    let rest = this.held + piece;
    this.held = '';
    while (rest) {
      const tag = this.inside ? CLOSE : OPEN;
      const at = rest.indexOf(tag);
      if (at !== -1) {
        this.out(rest.slice(0, at));
        this.inside = !this.inside;
        rest = rest.slice(at + tag.length);
        continue;
      }
      // The end of the piece may be the start of the tag: keep it for the next piece.
      const keep = partialTagAtEnd(rest, tag);
      this.out(rest.slice(0, rest.length - keep));
      this.held = rest.slice(rest.length - keep);
      return;
    }
  }

  /** The stream ended: what was held back was not a tag after all. */
  end(): void {
    const held = this.held;
    this.held = '';
    this.out(held);
  }

  private out(text: string): void {
    if (text) this.emit(this.inside ? 'thinking' : 'text', text);
  }
}

/** How many characters at the end of `s` are the beginning of `tag`. */
function partialTagAtEnd(s: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, s.length); n > 0; n--) if (s.endsWith(tag.slice(0, n))) return n;
  return 0;
}
