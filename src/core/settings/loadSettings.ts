import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { z } from 'zod';
import { AGENT_KEYS, agentSettingsSchema, SAFE_DEFAULTS, type AgentSettings } from './schema.js';

export const SETTINGS_PATH = '.kiro/settings.json';

export interface SettingsProblem {
  severity: 'error' | 'warning';
  /** JSON path, e.g. `agent.allowedCommands[2]`; empty for the whole file. */
  path: string;
  /** 1-based. */
  line: number;
  column: number;
  message: string;
}

export type SettingOrigin = 'file' | 'default';

export interface LoadedSettings {
  settings: AgentSettings;
  /** Where each value came from. */
  origins: Record<keyof AgentSettings, SettingOrigin>;
  /** The file read, or undefined when there is none. */
  file: string | undefined;
  problems: SettingsProblem[];
  /** False when an error made the gate fall back to the safe defaults. */
  valid: boolean;
}

const allDefault = (): Record<keyof AgentSettings, SettingOrigin> =>
  Object.fromEntries(AGENT_KEYS.map((k) => [k, 'default'])) as Record<keyof AgentSettings, SettingOrigin>;

/** Reads `<root>/.kiro/settings.json`. No file is not an error: the safe defaults apply. */
export async function loadSettings(workspaceRoot: string): Promise<LoadedSettings> {
  const file = join(workspaceRoot, SETTINGS_PATH);
  return loadSettingsFile(file);
}

export async function loadSettingsFile(file: string): Promise<LoadedSettings> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { settings: SAFE_DEFAULTS, origins: allDefault(), file: undefined, problems: [], valid: true };
    const problem = { severity: 'error' as const, path: '', line: 1, column: 1, message: `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); the safe defaults apply (cautious, no allowed commands).` };
    return { settings: SAFE_DEFAULTS, origins: allDefault(), file, problems: [problem], valid: false };
  }
  return { ...readSettingsText(text), file };
}

/**
 * Reads the text of a settings file (JSON with comments and trailing commas). Keys outside `agent` belong to
 * other tools and are ignored. An unknown key inside `agent` is a warning. Any error (bad JSON, a wrong value)
 * makes the whole policy fall back to the safe defaults, keeping only a valid `forbiddenCommands` list, which
 * can only make the gate stricter: never a half-read permissive policy.
 */
export function readSettingsText(text: string): Omit<LoadedSettings, 'file'> {
  const lines = lineStarts(text);
  const at = (offset: number) => position(lines, offset);
  const problems: SettingsProblem[] = [];
  const errors: ParseError[] = [];
  const root = parseTree(text.replace(/^\uFEFF/, ''), errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  const bomShift = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const fail = (extra: SettingsProblem[]) => {
    problems.push(...extra);
    return { settings: SAFE_DEFAULTS, origins: allDefault(), problems, valid: false };
  };

  if (errors.length > 0) {
    return fail(errors.map((e) => ({ severity: 'error' as const, path: '', ...at(e.offset + bomShift), message: `is not valid JSON: ${describeParseError(e)}. Fix the syntax; until then the safe defaults apply (cautious, no allowed commands).` })));
  }
  if (!root) return { settings: SAFE_DEFAULTS, origins: allDefault(), problems, valid: true };
  if (root.type !== 'object') return fail([{ severity: 'error', path: '', ...at(root.offset + bomShift), message: 'must be a JSON object ({ "agent": { ... } }).' }]);

  const agent = findNodeAtLocation(root, ['agent']);
  if (!agent) return { settings: SAFE_DEFAULTS, origins: allDefault(), problems, valid: true };
  if (agent.type !== 'object') return fail([{ severity: 'error', path: 'agent', ...at(agent.offset + bomShift), message: 'agent: must be an object.' }]);

  const raw: Record<string, unknown> = {};
  for (const prop of agent.children ?? []) {
    const [keyNode, valueNode] = prop.children as [Node, Node | undefined];
    const key = String(keyNode.value);
    if (!(AGENT_KEYS as string[]).includes(key)) {
      const hint = nearestKey(key);
      problems.push({ severity: 'warning', path: `agent.${key}`, ...at(keyNode.offset + bomShift), message: `agent.${key}: unknown setting, ignored.${hint ? ` Did you mean "${hint}"?` : ''}` });
      continue;
    }
    raw[key] = valueNode ? nodeValue(valueNode) : undefined;
  }

  const parsed = agentSettingsSchema.safeParse(raw);
  const origins = allDefault();
  for (const key of Object.keys(raw)) origins[key as keyof AgentSettings] = 'file';
  if (parsed.success) return { settings: parsed.data, origins, problems, valid: true };

  const issues = parsed.error.issues.map((issue): SettingsProblem => {
    const path = ['agent', ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
    const node = findNodeAtLocation(root, path) ?? agent;
    const jsonPath = formatPath(path);
    return { severity: 'error', path: jsonPath, ...at(node.offset + bomShift), message: `${jsonPath}: ${describeIssue(issue, node)} Until this is fixed the safe defaults apply (cautious, no allowed commands).` };
  });
  problems.push(...issues);
  // Keep a valid forbidden list: it can only make the gate stricter.
  const forbidden = agentSettingsSchema.shape.forbiddenCommands.safeParse(raw.forbiddenCommands);
  const settings = { ...SAFE_DEFAULTS, forbiddenCommands: forbidden.success ? forbidden.data : [] };
  const fallbackOrigins = allDefault();
  if (forbidden.success && raw.forbiddenCommands !== undefined) fallbackOrigins.forbiddenCommands = 'file';
  return { settings, origins: fallbackOrigins, problems, valid: false };
}

function nodeValue(node: Node): unknown {
  switch (node.type) {
    case 'object':
      return Object.fromEntries((node.children ?? []).map((p) => [String(p.children![0]!.value), p.children![1] ? nodeValue(p.children![1]) : undefined]));
    case 'array':
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

export function formatPath(path: ReadonlyArray<string | number>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function describeIssue(issue: z.core.$ZodIssue, node: Node): string {
  const found = node.type === 'null' ? 'null' : node.type === 'array' || node.type === 'object' ? `an ${node.type}` : JSON.stringify(node.value);
  switch (issue.code) {
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')} (found ${found}).`;
    case 'invalid_type':
      return `must be ${issue.expected === 'array' ? 'an array of strings' : `a ${issue.expected}`} (found ${found}).`;
    case 'too_small':
      return issue.origin === 'string' ? 'must not be empty.' : `must be at least ${String(issue.minimum)} (found ${found}).`;
    case 'too_big':
      return issue.origin === 'number' ? `must be at most ${String(issue.maximum)} (found ${found}).` : `${issue.message} (found ${found}).`;
    default:
      return `${issue.message} (found ${found}).`;
  }
}

function describeParseError(e: ParseError): string {
  const words = printParseErrorCode(e.error).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words;
}

/** The known key closest to a misspelt one (edit distance at most 3, or equal ignoring case). */
export function nearestKey(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const known of AGENT_KEYS) {
    const d = known.toLowerCase() === key.toLowerCase() ? 0 : editDistance(known.toLowerCase(), key.toLowerCase());
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(3, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function position(starts: number[], offset: number): { line: number; column: number } {
  let line = 0;
  while (line + 1 < starts.length && starts[line + 1]! <= offset) line++;
  return { line: line + 1, column: offset - starts[line]! + 1 };
}
