import type { AgentSettings } from '../settings/schema.js';

export type Verdict = 'allow' | 'ask' | 'deny';

export const VERDICT_ORDER: Record<Verdict, number> = { allow: 0, ask: 1, deny: 2 };

export function stricter(a: Verdict, b: Verdict): Verdict {
  return VERDICT_ORDER[a] >= VERDICT_ORDER[b] ? a : b;
}

export type FileActionKind = 'write' | 'create' | 'delete';

/** The tools that read (RULES.md §3); without one, a read is read_file's (the strictest: it returns contents). */
export type ReadTool = 'read_file' | 'list_files' | 'search_files';

export type PolicyAction = { kind: 'command'; command: string } | { kind: FileActionKind; path: string } | { kind: 'read'; path: string; tool?: ReadTool };

/** One reason the gate found, with the rule of RULES.md that produced it (`C5`, `W3`, ...). */
export interface Finding {
  verdict: Verdict;
  rule: string;
  /** Plain words: what was found and why it matters. */
  message: string;
  /** The simple command it concerns, as written, when there is one. */
  command?: string;
  /** The settings entry that matched (a forbidden or allowed command), when there is one. */
  entry?: string;
}

export interface Decision {
  verdict: Verdict;
  /** The rule that decided. */
  rule: string;
  /** One sentence for the user: why this verdict. */
  reason: string;
  findings: Finding[];
}

/** What the gate knows of the world besides the settings; every key has a default (RULES.md §0). */
export interface PolicyContext {
  workspaceRoot: string;
  home: string;
  os: 'linux' | 'macos' | 'windows';
  shell: 'bash' | 'powershell' | 'cmd';
  fs: 'case-sensitive' | 'case-insensitive';
  /** Symlinks by path (workspace-relative or absolute) -> target (absolute, or relative to the link's folder). */
  symlinks: Record<string, string>;
  /** Symlink targets that do not exist. */
  danglingTargets: string[];
  /** Whether the target of a file action exists (default true). */
  exists: boolean;
  fileEditsSoFarInTask: number;
  largeRewrite: boolean;
  /** Packages the project declares (dependencies and devDependencies); undefined when unknown. */
  projectDependencies: string[] | undefined;
  /** Whether commands run contained (RULES.md §4); without it, `full` decides commands as `balanced` does (S6). */
  sandbox: boolean;
}

export const DEFAULT_CONTEXT: PolicyContext = {
  workspaceRoot: '/home/dev/project',
  home: '/home/dev',
  os: 'linux',
  shell: 'bash',
  fs: 'case-sensitive',
  symlinks: {},
  danglingTargets: [],
  exists: true,
  fileEditsSoFarInTask: 0,
  largeRewrite: false,
  projectDependencies: undefined,
  sandbox: true,
};

export type GateSettings = Pick<AgentSettings, 'autonomyLevel' | 'allowedCommands' | 'forbiddenCommands' | 'maxFileEditsPerTask' | 'requireApprovalForNewFiles'> &
  Partial<Pick<AgentSettings, 'protectedPaths'>>;
