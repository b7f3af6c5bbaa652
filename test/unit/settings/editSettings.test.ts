import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addAllowedCommandText, editSettingsFile, readSettingsText, setAutonomyLevelText } from '../../../src/core/settings/index.js';

const original = `{
    // Team policy: keep it strict.
    "agent": {
        "autonomyLevel": "cautious", // reviewed 2026-10
        "allowedCommands": [
            "npm test", // the suite
        ],
    },
    "other": true
}
`;

describe('editing .kiro/settings.json in place', () => {
  it('sets the autonomy level keeping comments, order and indentation', () => {
    expect(setAutonomyLevelText(original, 'full')).toBe(original.replace('"cautious"', '"full"'));
  });

  it('appends an allowed command with the file\'s own indentation', () => {
    const next = addAllowedCommandText(original, 'npm run lint');
    expect(next).toContain('            "npm test", // the suite\n');
    expect(next).toContain('"npm run lint"');
    expect(next).toContain('// Team policy: keep it strict.');
    expect(readSettingsText(next).settings.allowedCommands).toEqual(['npm test', 'npm run lint']);
    expect(addAllowedCommandText(next, 'npm run lint')).toBe(next);
  });

  it('creates the agent block and the list when they are absent', () => {
    const next = addAllowedCommandText('{\n  "mcp": {}\n}\n', 'npm test');
    expect(readSettingsText(next)).toMatchObject({ valid: true, settings: { allowedCommands: ['npm test'] } });
    expect(next).toContain('"mcp": {}');
  });

  it('writes atomically, creating .kiro/settings.json if needed, and refuses when the file changed meanwhile', async () => {
    const root = await mkdtemp(join(tmpdir(), 'spec-agent-edit-'));
    const file = join(root, '.kiro/settings.json');
    await editSettingsFile(file, (t) => setAutonomyLevelText(t, 'balanced'));
    expect(readSettingsText(await readFile(file, 'utf8')).settings.autonomyLevel).toBe('balanced');
    expect(await readdir(join(root, '.kiro'))).toEqual(['settings.json']);
    const seen = await readFile(file, 'utf8');
    await writeFile(file, seen.replace('balanced', 'full'));
    await expect(editSettingsFile(file, (t) => addAllowedCommandText(t, 'npm test'), seen)).rejects.toThrow(/changed since it was read/);
    expect(readSettingsText(await readFile(file, 'utf8')).settings).toMatchObject({ autonomyLevel: 'full', allowedCommands: [] });
  });
});

describe('appending to a one-item-per-line list', () => {
  it('adds the comma the last item lacked, before its comment', () => {
    const text = '{\r\n  "agent": {\r\n    "allowedCommands": [\r\n      "npm test" // tests\r\n    ]\r\n  }\r\n}\r\n';
    expect(addAllowedCommandText(text, 'npm run lint')).toBe('{\r\n  "agent": {\r\n    "allowedCommands": [\r\n      "npm test", // tests\r\n      "npm run lint"\r\n    ]\r\n  }\r\n}\r\n');
  });

  it('keeps an inline list inline', () => {
    const next = addAllowedCommandText('{"agent": {"allowedCommands": ["npm test"]}}', 'npm run lint');
    expect(readSettingsText(next).settings.allowedCommands).toEqual(['npm test', 'npm run lint']);
    expect(next.split('\n')).toHaveLength(1);
  });
});
