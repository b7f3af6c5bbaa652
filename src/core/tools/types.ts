import type { z } from 'zod';
import type { CommandSandbox } from '../sandbox/commandSandbox.js';
import type { BackgroundProcesses } from './backgroundProcesses.js';

export interface ToolContext {
  /** Absolute path of the workspace; every path a tool takes is relative to it. */
  workspaceRoot: string;
  /** Stop: a running command's whole process group is killed, a search is cut short. */
  signal: AbortSignal;
  /** Output of a command as it arrives, for the panel and the journal (the model gets the capped result). */
  onOutput?: (chunk: { stream: 'stdout' | 'stderr'; text: string }) => void;
  /** The default for run_command when the model gives no timeout. */
  commandTimeoutSeconds: number;
  /** Confines every command (RULES.md §4); commands run unconfined without it. */
  sandbox?: CommandSandbox;
  /** Variables commands keep although they look like credentials (sandbox.passEnv). */
  passEnv?: readonly string[];
  /** The run the tool works for: its commands carry it in their environment, so their processes can be found. */
  runId?: string;
  /** A command's process started (its pid, also its process group): the run records it before it goes on. */
  onCommandStarted?: (pid: number) => void;
  /** The tool call this is, for what outlives it (a background process names the call that started it). */
  callId?: string;
  /** The run's background processes: run_command with background: true starts one, read_output reads it. */
  background?: BackgroundProcesses;
  /** The settings' protectedPaths: secrets besides the built-in list, which search_files never searches (R2). */
  protectedPaths?: readonly string[];
  /**
   * The host's view of a file's problems (VS Code: the Problems panel). Called before a write with the file's
   * absolute path; the function it returns, called after the write, gives the errors that are new since then,
   * one line each (`line 12: error TS2322: …`). It waits for the language server briefly and never for long.
   */
  watchProblems?: (absPath: string) => Promise<() => Promise<string[]>>;
}

export interface ToolResult {
  ok: boolean;
  /** What the model reads. */
  output: string;
  /** Facts for the journal (bytes, lines, exit code, paths changed, ...). */
  data?: Record<string, unknown>;
}

export interface ToolDefinition<I = unknown> {
  name: string;
  /** For the model: one or two sentences. */
  description: string;
  input: z.ZodType<I>;
  /** Whether it can change files (the executor brackets it with checkpoints). */
  changesFiles: boolean;
  run(input: I, ctx: ToolContext): Promise<ToolResult>;
}

export const fail = (output: string, data?: Record<string, unknown>): ToolResult => ({ ok: false, output, ...(data ? { data } : {}) });

/**
 * A tool whose unexpected failures (a full disk, a permission) come back to the model as a result it can act
 * on, instead of an exception that would end the run.
 */
export function defineTool<I>(tool: ToolDefinition<I>): ToolDefinition<I> {
  return {
    ...tool,
    async run(input, ctx) {
      try {
        return await tool.run(input, ctx);
      } catch (err) {
        return fail(`${tool.name} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
  };
}
