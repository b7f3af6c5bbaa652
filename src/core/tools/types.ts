import type { z } from 'zod';

export interface ToolContext {
  workspaceRoot: string;
  /** Stop: a running command's whole process group is killed. */
  signal: AbortSignal;
  /** Output of a command as it arrives. */
  onOutput?: (chunk: { stream: 'stdout' | 'stderr'; text: string }) => void;
  /** The default for run_command when the model gives no timeout. */
  commandTimeoutSeconds: number;
}

export interface ToolResult {
  ok: boolean;
  /** What the model reads. */
  output: string;
  /** Facts for the journal (bytes, lines, exit code, ...). */
  data?: Record<string, unknown>;
}

export interface ToolDefinition<I = unknown> {
  name: string;
  /** For the model: one or two sentences. */
  description: string;
  input: z.ZodType<I>;
  /** Whether it can change files (a checkpoint brackets it). */
  changesFiles: boolean;
  run(input: I, ctx: ToolContext): Promise<ToolResult>;
}

export const fail = (output: string, data?: Record<string, unknown>): ToolResult => ({ ok: false, output, ...(data ? { data } : {}) });
