import type { ChatRequest } from '../../src/core/models/chatModel.js';

/**
 * A request as the wire would carry it: its messages and tools, copied. The signal and the callbacks (onDelta,
 * onWait, and any added later) stay behind: they cannot be cloned, and a test that keeps the request whole would
 * fail the run the day a new callback is added.
 */
export function asSent(req: ChatRequest): ChatRequest {
  return structuredClone({ messages: req.messages, tools: req.tools }) as ChatRequest;
}
