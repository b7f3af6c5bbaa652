import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings, readSettingsText, SAFE_DEFAULTS } from '../../../src/core/settings/index.js';

describe('reading .kiro/settings.json', () => {
  it('uses the safe defaults when there is no file', async () => {
    const root = await mkdtemp(join(tmpdir(), 'spec-agent-settings-'));
    const loaded = await loadSettings(root);
    expect(loaded).toMatchObject({ file: undefined, problems: [], valid: true });
    expect(loaded.settings).toEqual(SAFE_DEFAULTS);
    expect(SAFE_DEFAULTS).toMatchObject({ autonomyLevel: 'cautious', allowedCommands: [], forbiddenCommands: [], maxFileEditsPerTask: 20, requireApprovalForNewFiles: false, maxSelfCorrections: 3, commandTimeoutSeconds: 600, largeRewriteLines: 200, pauseBetweenGroups: true });
  });

  it('reads JSONC with comments and trailing commas, ignoring other tools\' keys', async () => {
    const root = await mkdtemp(join(tmpdir(), 'spec-agent-settings-'));
    await mkdir(join(root, '.kiro'));
    await writeFile(join(root, '.kiro/settings.json'), '{\n  // ours\n  "agent": {\n    "autonomyLevel": "balanced", /* inline */\n    "allowedCommands": ["npm test",],\n  },\n  "mcp": { "servers": [] },\n}\n');
    const loaded = await loadSettings(root);
    expect(loaded.valid).toBe(true);
    expect(loaded.problems).toEqual([]);
    expect(loaded.settings).toEqual({ ...SAFE_DEFAULTS, autonomyLevel: 'balanced', allowedCommands: ['npm test'] });
    expect(loaded.origins.autonomyLevel).toBe('file');
    expect(loaded.origins.maxFileEditsPerTask).toBe('default');
  });

  it('warns on an unknown key inside agent, suggesting the nearest one', () => {
    const loaded = readSettingsText('{\n  "agent": {\n    "allowedCommand": ["npm test"],\n    "frobnicate": 1\n  }\n}');
    expect(loaded.valid).toBe(true);
    expect(loaded.problems).toEqual([
      { severity: 'warning', path: 'agent.allowedCommand', line: 3, column: 5, message: 'agent.allowedCommand: unknown setting, ignored. Did you mean "allowedCommands"?' },
      { severity: 'warning', path: 'agent.frobnicate', line: 4, column: 5, message: 'agent.frobnicate: unknown setting, ignored.' },
    ]);
    expect(loaded.settings.allowedCommands).toEqual([]);
  });

  it('names the JSON path and line of an invalid value, and falls back to the safe defaults', () => {
    const loaded = readSettingsText('{\n  "agent": {\n    "autonomyLevel": "yolo",\n    "allowedCommands": ["npm test", 42],\n    "forbiddenCommands": ["curl"],\n    "maxFileEditsPerTask": 0\n  }\n}');
    expect(loaded.valid).toBe(false);
    expect(loaded.problems.map((p) => [p.path, p.line, p.column])).toEqual([
      ['agent.autonomyLevel', 3, 22],
      ['agent.allowedCommands[1]', 4, 37],
      ['agent.maxFileEditsPerTask', 6, 28],
    ]);
    expect(loaded.problems[0]!.message).toBe('agent.autonomyLevel: must be one of "cautious", "balanced", "full" (found "yolo"). Until this is fixed the safe defaults apply (cautious, no allowed commands).');
    expect(loaded.problems[1]!.message).toMatch(/^agent\.allowedCommands\[1\]: must be a string \(found 42\)/);
    expect(loaded.problems[2]!.message).toMatch(/^agent\.maxFileEditsPerTask: must be at least 1 \(found 0\)/);
    // Never a half-read permissive policy; a valid forbidden list is kept because it only adds denials.
    expect(loaded.settings).toEqual({ ...SAFE_DEFAULTS, forbiddenCommands: ['curl'] });
  });

  it('commandTimeoutSeconds is at most an hour: more is an error that names it', () => {
    const loaded = readSettingsText('{\n  "agent": {\n    "commandTimeoutSeconds": 86400\n  }\n}');
    expect(loaded.problems.map((p) => [p.path, p.line])).toEqual([['agent.commandTimeoutSeconds', 3]]);
    expect(loaded.problems[0]!.message).toMatch(/^agent\.commandTimeoutSeconds: must be at most 3600 \(found 86400\)/);
    expect(readSettingsText('{"agent": {"commandTimeoutSeconds": 3600}}')).toMatchObject({ valid: true, settings: { commandTimeoutSeconds: 3600 } });
  });

  it('reports broken JSON with its line and falls back to the safe defaults', () => {
    const loaded = readSettingsText('{\n  "agent": {\n    "autonomyLevel": "full"\n    "allowedCommands": []\n  }\n}');
    expect(loaded.valid).toBe(false);
    expect(loaded.settings).toEqual(SAFE_DEFAULTS);
    expect(loaded.problems[0]).toMatchObject({ severity: 'error', line: 4, column: 5 });
    expect(loaded.problems[0]!.message).toMatch(/^is not valid JSON: comma expected\./);
  });

  it('rejects a file that is not an object, or an agent block that is not one', () => {
    expect(readSettingsText('[]').problems[0]!.message).toMatch(/must be a JSON object/);
    expect(readSettingsText('{"agent": "full"}').problems[0]).toMatchObject({ path: 'agent', message: 'agent: must be an object.' });
    expect(readSettingsText('{"agent": "full"}').settings).toEqual(SAFE_DEFAULTS);
  });
});
