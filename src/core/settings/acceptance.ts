import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { atomicWrite } from '../fs/atomicWrite.js';
import { projectRegistryHosts, type ProjectRegistry } from '../sandbox/registries.js';
import { addAllowedCommandText, addVerifyCommandText, editSettingsFile } from './editSettings.js';
import { readSettingsText, SETTINGS_PATH } from './loadSettings.js';
import { SAFE_DEFAULTS, type AgentSettings } from './schema.js';

/**
 * A repository must not grant itself autonomy: a `.kiro/settings.json` that allows more than the safe default
 * (balanced or full, or any allowed command) applies only once its user has accepted it. Acceptances are kept
 * outside the repository, keyed by the workspace and the file's exact content, so a changed file asks again.
 *
 * The registry hosts the project's own package-manager files name (`.npmrc`, `.yarnrc`, `.yarnrc.yml`; see
 * projectRegistryHosts) are part of that policy: a command can write those files, so a host they name is a grant
 * to accept like sandbox.allowedDomains, and is in the key: a changed registry asks again. `registries` below are
 * those hosts as the user was shown them; by default they are read from the workspace now.
 */
export function acceptanceStorePath(): string {
  return process.env.SPEC_AGENT_ACCEPTANCE_FILE ?? join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'spec-agent', 'accepted-policies.json');
}

export function grantsMoreThanSafe(s: AgentSettings, registries: readonly ProjectRegistry[]): boolean {
  return s.autonomyLevel !== 'cautious' || s.allowedCommands.length > 0 || widensSandbox(s) || registries.length > 0;
}

/** Whether the sandbox block lets commands do more than the safe defaults (denyRead only narrows). */
function widensSandbox(s: AgentSettings): boolean {
  const b = s.sandbox;
  return b.mode === 'off' || b.allowedDomains.length > 0 || b.allowWrite.length > 0 || b.passEnv.length > 0;
}

function key(workspace: string, text: string, registries: readonly ProjectRegistry[]): string {
  const hash = createHash('sha256').update(resolve(workspace)).update('\0').update(text);
  // None: the key of a policy accepted before the project's registries counted, still valid.
  if (registries.length) hash.update('\0registries\0').update(JSON.stringify(sortRegistries(registries).map((r) => [r.host, r.file])));
  return hash.digest('hex');
}

function sortRegistries(registries: readonly ProjectRegistry[]): ProjectRegistry[] {
  return [...registries].sort((a, b) => a.host.localeCompare(b.host) || a.file.localeCompare(b.file));
}

async function readStore(): Promise<Record<string, { workspace: string; acceptedAt: string }>> {
  try {
    return JSON.parse(await readFile(acceptanceStorePath(), 'utf8')) as Record<string, { workspace: string; acceptedAt: string }>;
  } catch {
    return {};
  }
}

export async function isAccepted(workspace: string, text: string, registries: readonly ProjectRegistry[] = projectRegistryHosts(workspace)): Promise<boolean> {
  return key(workspace, text, registries) in (await readStore());
}

/** Accepts `text` with the project's `registries` (pass those the user was shown; by default, those named now). */
export async function accept(workspace: string, text: string, registries: readonly ProjectRegistry[] = projectRegistryHosts(workspace)): Promise<void> {
  const store = await readStore();
  store[key(workspace, text, registries)] = { workspace: resolve(workspace), acceptedAt: new Date().toISOString() };
  await mkdir(dirname(acceptanceStorePath()), { recursive: true });
  await atomicWrite(acceptanceStorePath(), JSON.stringify(store, null, 2) + '\n');
}

/** What the policy grants beyond the safe default, in words, for the user to accept. */
export function describeGrant(s: AgentSettings, registries: readonly ProjectRegistry[]): string[] {
  const out: string[] = [];
  if (s.autonomyLevel !== 'cautious') out.push(`autonomy level ${s.autonomyLevel} (instead of cautious)`);
  for (const c of s.allowedCommands) out.push(`run without asking: ${c}`);
  if (s.sandbox.mode === 'off') out.push('commands run without a sandbox (sandbox.mode "off")');
  for (const d of s.sandbox.allowedDomains) out.push(`commands may reach ${d}`);
  for (const r of sortRegistries(registries)) out.push(`commands may reach ${r.host} (named by ${r.file})`);
  for (const p of s.sandbox.allowWrite) out.push(`commands may write ${p}`);
  for (const v of s.sandbox.passEnv) out.push(`commands keep the variable ${v}`);
  return out;
}

/** What applicableSettings found. */
export interface ApplicableSettings {
  settings: AgentSettings;
  accepted: boolean;
  /** The registry hosts the project's own files name, as read for this answer (for describeGrant, accept). */
  registries: ProjectRegistry[];
  /** Whether commands may reach `registries`: only when there is a settings file and it is accepted with them. */
  projectRegistries: boolean;
}

/** The settings the gate may use: the file's, or (not accepted yet) the safe defaults with its forbidden list. */
export async function applicableSettings(workspace: string, text: string | undefined, settings: AgentSettings): Promise<ApplicableSettings> {
  const registries = projectRegistryHosts(workspace);
  // No file: nothing to accept, and nothing the project's files name is honoured.
  if (text === undefined) return { settings, accepted: true, registries, projectRegistries: false };
  if (!grantsMoreThanSafe(settings, registries) || (await isAccepted(workspace, text, registries))) return { settings, accepted: true, registries, projectRegistries: true };
  // Until accepted, what narrows still applies (forbidden commands, the stricter sandbox modes, denyRead); what widens does not.
  const sandbox = { ...SAFE_DEFAULTS.sandbox, mode: settings.sandbox.mode === 'off' ? SAFE_DEFAULTS.sandbox.mode : settings.sandbox.mode, denyRead: settings.sandbox.denyRead };
  return { settings: { ...settings, autonomyLevel: SAFE_DEFAULTS.autonomyLevel, allowedCommands: [], sandbox }, accepted: false, registries, projectRegistries: false };
}

/**
 * "Always allow" from an approval: adds the command to allowedCommands and, when the file applied before (accepted,
 * or granting nothing beyond the safe defaults), accepts the new content too, so the user's own answer does not
 * turn into a request to accept the file again. An unaccepted file stays unaccepted.
 */
export async function allowCommandAlways(workspace: string, command: string | readonly string[]): Promise<void> {
  const entries = typeof command === 'string' ? [command] : command;
  const file = join(workspace, SETTINGS_PATH);
  const before = await readFile(file, 'utf8').catch(() => undefined);
  const current = before === undefined ? undefined : await applicableSettings(workspace, before, readSettingsText(before).settings);
  // One write for all the entries of a compound command: the file is never left with half of them.
  const after = await editSettingsFile(file, (t) => entries.reduce((text, e) => addAllowedCommandText(text, e), t));
  // Accepted with the registries that applied before, none without a file: the user's answer accepts no host the
  // project's .npmrc names that was not already accepted (a new one leaves the file to review).
  if (current === undefined) await accept(workspace, after, []);
  else if (current.accepted) await accept(workspace, after, current.registries);
}

/**
 * The panel's "no verifyCommands set" link: adds the checks to verifyCommands. They run through the gate like any
 * command, so they grant nothing: a file that applied before (accepted, or within the safe defaults) stays accepted
 * with its new content, as with Always allow; an unaccepted file stays unaccepted.
 */
export async function addVerifyCommands(workspace: string, commands: readonly string[]): Promise<void> {
  const file = join(workspace, SETTINGS_PATH);
  const before = await readFile(file, 'utf8').catch(() => undefined);
  const current = before === undefined ? undefined : await applicableSettings(workspace, before, readSettingsText(before).settings);
  const after = await editSettingsFile(file, (t) => commands.reduce((text, c) => addVerifyCommandText(text, c), t));
  if (current === undefined) await accept(workspace, after, []);
  else if (current.accepted) await accept(workspace, after, current.registries);
}
