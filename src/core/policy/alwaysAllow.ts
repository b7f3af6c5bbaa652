import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applicableSettings } from '../settings/acceptance.js';
import { readSettingsText, SETTINGS_PATH } from '../settings/loadSettings.js';
import { SAFE_DEFAULTS } from '../settings/schema.js';
import type { PolicyGate } from './gate.js';

/**
 * What "Always allow" would add to the workspace's allowedCommands for `command`: only the entries its policy (as
 * the gate applies it now: accepted, or not yet) lacks, so `npm test && npm run lint` with `npm test` already allowed
 * offers `npm run lint` alone. Undefined when no entry would make the gate allow the command.
 */
export async function alwaysAllowEntries(gate: PolicyGate, workspace: string, command: string): Promise<string[] | undefined> {
  const text = await readFile(join(workspace, SETTINGS_PATH), 'utf8').catch(() => undefined);
  // An invalid file reads as the safe defaults (its forbidden list kept), as the gate reads it.
  const settings = text === undefined ? SAFE_DEFAULTS : (await applicableSettings(workspace, text, readSettingsText(text).settings)).settings;
  return gate.allowlistEntries(command, settings, { workspaceRoot: workspace });
}
