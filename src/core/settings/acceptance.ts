import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { atomicWrite } from '../fs/atomicWrite.js';
import { addAllowedCommandText, editSettingsFile } from './editSettings.js';
import { readSettingsText, SETTINGS_PATH } from './loadSettings.js';
import { SAFE_DEFAULTS, type AgentSettings } from './schema.js';

/**
 * A repository must not grant itself autonomy: a `.kiro/settings.json` that allows more than the safe default
 * (balanced or full, or any allowed command) applies only once its user has accepted it. Acceptances are kept
 * outside the repository, keyed by the workspace and the file's exact content, so a changed file asks again.
 */
export function acceptanceStorePath(): string {
  return process.env.SPEC_AGENT_ACCEPTANCE_FILE ?? join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'spec-agent', 'accepted-policies.json');
}

export function grantsMoreThanSafe(s: AgentSettings): boolean {
  return s.autonomyLevel !== 'cautious' || s.allowedCommands.length > 0 || widensSandbox(s);
}

/** Whether the sandbox block lets commands do more than the safe defaults (denyRead only narrows). */
function widensSandbox(s: AgentSettings): boolean {
  const b = s.sandbox;
  return b.mode === 'off' || b.allowedDomains.length > 0 || b.allowWrite.length > 0 || b.passEnv.length > 0;
}

function key(workspace: string, text: string): string {
  return createHash('sha256').update(resolve(workspace)).update('\0').update(text).digest('hex');
}

async function readStore(): Promise<Record<string, { workspace: string; acceptedAt: string }>> {
  try {
    return JSON.parse(await readFile(acceptanceStorePath(), 'utf8')) as Record<string, { workspace: string; acceptedAt: string }>;
  } catch {
    return {};
  }
}

export async function isAccepted(workspace: string, text: string): Promise<boolean> {
  return key(workspace, text) in (await readStore());
}

export async function accept(workspace: string, text: string): Promise<void> {
  const store = await readStore();
  store[key(workspace, text)] = { workspace: resolve(workspace), acceptedAt: new Date().toISOString() };
  await mkdir(dirname(acceptanceStorePath()), { recursive: true });
  await atomicWrite(acceptanceStorePath(), JSON.stringify(store, null, 2) + '\n');
}

/** What the policy grants beyond the safe default, in words, for the user to accept. */
export function describeGrant(s: AgentSettings): string[] {
  const out: string[] = [];
  if (s.autonomyLevel !== 'cautious') out.push(`autonomy level ${s.autonomyLevel} (instead of cautious)`);
  for (const c of s.allowedCommands) out.push(`run without asking: ${c}`);
  if (s.sandbox.mode === 'off') out.push('commands run without a sandbox (sandbox.mode "off")');
  for (const d of s.sandbox.allowedDomains) out.push(`commands may reach ${d}`);
  for (const p of s.sandbox.allowWrite) out.push(`commands may write ${p}`);
  for (const v of s.sandbox.passEnv) out.push(`commands keep the variable ${v}`);
  return out;
}

/** The settings the gate may use: the file's, or (not accepted yet) the safe defaults with its forbidden list. */
export async function applicableSettings(workspace: string, text: string | undefined, settings: AgentSettings): Promise<{ settings: AgentSettings; accepted: boolean }> {
  if (text === undefined || !grantsMoreThanSafe(settings) || (await isAccepted(workspace, text))) return { settings, accepted: true };
  // Until accepted, what narrows still applies (forbidden commands, the stricter sandbox modes, denyRead); what widens does not.
  const sandbox = { ...SAFE_DEFAULTS.sandbox, mode: settings.sandbox.mode === 'off' ? SAFE_DEFAULTS.sandbox.mode : settings.sandbox.mode, denyRead: settings.sandbox.denyRead };
  return { settings: { ...settings, autonomyLevel: SAFE_DEFAULTS.autonomyLevel, allowedCommands: [], sandbox }, accepted: false };
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
  const applied = before === undefined || (await applicableSettings(workspace, before, readSettingsText(before).settings)).accepted;
  // One write for all the entries of a compound command: the file is never left with half of them.
  const after = await editSettingsFile(file, (t) => entries.reduce((text, e) => addAllowedCommandText(text, e), t));
  if (applied) await accept(workspace, after);
}
