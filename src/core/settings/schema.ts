import { z } from 'zod';

export const AUTONOMY_LEVELS = ['cautious', 'balanced', 'full'] as const;
export type AutonomyLevel = (typeof AUTONOMY_LEVELS)[number];

const commandList = (description: string) => z.array(z.string().min(1, 'must not be empty')).describe(description);

/**
 * The `agent` block of `.kiro/settings.json`. Every key is optional; an absent key takes the default below,
 * and the defaults are the safe ones: cautious, nothing allowed without asking.
 */
export const agentSettingsSchema = z
  .object({
    autonomyLevel: z
      .enum(AUTONOMY_LEVELS)
      .default('cautious')
      .describe('cautious: ask before every command and file write. balanced: run allowed commands and ordinary writes, ask before destructive commands and large rewrites. full: ask only on findings and errors.'),
    allowedCommands: commandList('Commands that may run without asking at balanced, matched as a prefix of whole words ("npm test" allows "npm test -- --watch").').default([]),
    forbiddenCommands: commandList('Commands that are always denied, wherever they appear in a command line; "rm -rf" also matches "rm -fr", "rm -r -f" and "rm --recursive --force".').default([]),
    maxFileEditsPerTask: z.number().int().min(1).default(20).describe('File writes allowed in one task before the agent pauses to ask.'),
    requireApprovalForNewFiles: z.boolean().default(false).describe('Ask before the agent creates a file.'),
    verifyCommands: commandList('Commands run (through the policy gate) before a task may be marked done, e.g. "npm test".').default([]),
    maxSelfCorrections: z.number().int().min(0).default(3).describe('Failed checks the agent may retry in one task before the run pauses.'),
    commandTimeoutSeconds: z.number().int().min(1).default(600).describe('A command running longer is stopped (its whole process group).'),
    largeRewriteLines: z.number().int().min(1).default(200).describe('A write replacing more lines than this is a large rewrite: it asks at balanced.'),
    protectedPaths: commandList('Extra paths (minimatch globs, relative to the workspace) whose writes always ask.').default([]),
    pauseBetweenGroups: z.boolean().default(true).describe('When running several tasks, pause for review after each top-level task group.'),
  })
  .strict();

export type AgentSettings = z.output<typeof agentSettingsSchema>;
export const AGENT_KEYS = Object.keys(agentSettingsSchema.shape) as Array<keyof AgentSettings>;

/** The safe defaults: what the gate uses when there is no file, or when the file is invalid. */
export const SAFE_DEFAULTS: AgentSettings = agentSettingsSchema.parse({});

/** The whole file: other tools keep their own keys beside `agent`, which Spec Agent leaves alone. */
export const settingsFileSchema = z.object({ agent: agentSettingsSchema.optional() }).loose();

/** JSON Schema for `.kiro/settings.json` (completion and validation in VS Code). */
export function settingsJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(settingsFileSchema, { io: 'input', target: 'draft-7' }),
    title: 'Kiro workspace settings (.kiro/settings.json), as read by Spec Agent',
  };
}
