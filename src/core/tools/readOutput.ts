import { z } from 'zod';
import { defineTool, fail } from './types.js';

export interface ReadOutputInput {
  id: string;
  offset?: number;
}

export const readOutputTool = defineTool<ReadOutputInput>({
  name: 'read_output',
  description: 'Read the output of a process started with run_command background: true: what it printed since the last read (or from a byte offset), whether it still runs, and its exit code when it ended.',
  input: z.object({
    id: z.string().min(1).describe('the id run_command gave, e.g. "bg-1"'),
    offset: z.number().int().nonnegative().optional().describe('the byte to start at; by default where the last read stopped'),
  }),
  changesFiles: false,
  run: (input, ctx) => (ctx.background ? ctx.background.read(input.id, input.offset) : Promise.resolve(fail('there are no background processes here (run_command with background: true starts one in a run)'))),
});
