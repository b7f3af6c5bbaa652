import { z } from 'zod';

export const AUTONOMY_LEVELS = ['cautious', 'balanced', 'full'] as const;
export type AutonomyLevel = (typeof AUTONOMY_LEVELS)[number];

const commandList = (description: string) => z.array(z.string().min(1, 'must not be empty')).describe(description);

export const SANDBOX_MODES = ['auto', 'required', 'off'] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

/**
 * `agent.sandbox`: containment of every command (RULES.md §4). Its lists widen what a command can do (all but
 * `denyRead`), so a file that sets them is a grant to accept like allowedCommands.
 */
export const sandboxSettingsSchema = z
  .object({
    mode: z
      .enum(SANDBOX_MODES)
      .default('auto')
      .describe('auto: confine every command when this machine can (bubblewrap on Linux, Seatbelt on macOS), else run it unconfined and say so, with full deciding commands as balanced does. required: a command that cannot be confined does not run. off: do not confine commands.'),
    allowedDomains: z
      .array(z.string().min(1, 'must not be empty').regex(/^[^\s/]+$/, 'must be a host name (example.com, *.example.com, host:port), not a URL'))
      .default([])
      .describe('Hosts commands may reach besides the package registries the project is configured to use ("api.github.com", "*.example.com", "localhost:8080").'),
    allowWrite: commandList('Paths outside the workspace that commands may write (absolute, or ~/...), e.g. "~/.cache/ms-playwright".').default([]),
    denyRead: commandList('More paths commands may not read, besides ~/.ssh, ~/.aws and the other secret locations (absolute, ~/..., or relative to the workspace).').default([]),
    passEnv: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'))
      .default([])
      .describe('Environment variables that commands keep although they look like credentials (names ending in _TOKEN, _API_KEY, ...).'),
  })
  .strict();

export type SandboxSettings = z.output<typeof sandboxSettingsSchema>;

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
    maxTurnsPerTask: z.number().int().min(1).default(200).describe('Model turns one task may take before the run pauses (Resume goes on).'),
    maxTokensPerTask: z.number().int().min(1000).optional().describe('Tokens (input and output) one task may use before the run pauses, checked before each model turn. No limit when absent.'),
    maxMinutesPerTask: z.number().min(1).optional().describe('Minutes one task may take before the run pauses, checked between steps (a command under way is never cut). No limit when absent.'),
    maxCostPerRun: z.number().positive().optional().describe('US dollars a run (with the runs that resumed it) may spend before it pauses: the cost the provider reports (OpenRouter), else the price table of src/core/models/prices.ts. A model in neither cannot be held to it (the run says so when it starts). No limit when absent.'),
    commandTimeoutSeconds: z.number().int().min(1).max(3600).default(600).describe('A command running longer is stopped (its whole process group); also the most a command may ask for with its own timeoutSeconds. At most 3600 (1 h).'),
    largeRewriteLines: z.number().int().min(1).default(200).describe('A write replacing more lines than this is a large rewrite: it asks at balanced.'),
    protectedPaths: commandList('Extra paths (minimatch globs, relative to the workspace) whose writes always ask, and which are secrets to read: read_file asks, search_files skips them.').default([]),
    pauseBetweenGroups: z.boolean().default(true).describe('When running several tasks, pause for review after each top-level task group.'),
    sandbox: sandboxSettingsSchema.default(() => sandboxSettingsSchema.parse({})).describe('How commands are confined (RULES.md §4): what an allowed command may write, read, reach and inherit.'),
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
