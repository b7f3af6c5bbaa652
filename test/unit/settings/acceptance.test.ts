import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { PolicyFileError, runPolicy } from '../../../src/core/agent/runSession.js';
import { accept, addVerifyCommands, agentSettingsSchema, allowCommandAlways, applicableSettings, isAccepted, SAFE_DEFAULTS } from '../../../src/core/settings/index.js';

beforeEach(async () => {
  process.env.SPEC_AGENT_ACCEPTANCE_FILE = join(await mkdtemp(join(tmpdir(), 'spec-agent-accept-')), 'nested', 'accepted.json');
});

const permissive = agentSettingsSchema.parse({ autonomyLevel: 'full', allowedCommands: ['npm test'], forbiddenCommands: ['git push'] });

describe('accepting a workspace policy', () => {
  it('keeps the safe defaults, with the file\'s forbidden commands, until the exact text is accepted for that folder', async () => {
    const before = await applicableSettings('/w/a', 'TEXT', permissive);
    expect(before.accepted).toBe(false);
    expect(before.settings).toMatchObject({ autonomyLevel: SAFE_DEFAULTS.autonomyLevel, allowedCommands: [], forbiddenCommands: ['git push'] });

    await accept('/w/a', 'TEXT');
    expect(await applicableSettings('/w/a', 'TEXT', permissive)).toMatchObject({ settings: permissive, accepted: true });
    expect(await isAccepted('/w/a', 'TEXT changed')).toBe(false);
    expect(await isAccepted('/w/b', 'TEXT')).toBe(false);
    expect(Object.values(JSON.parse(readFileSync(process.env.SPEC_AGENT_ACCEPTANCE_FILE!, 'utf8')))).toEqual([expect.objectContaining({ workspace: '/w/a' })]);
  });

  it('needs no acceptance for a policy that grants nothing beyond the safe defaults, or for no file', async () => {
    const strict = agentSettingsSchema.parse({ forbiddenCommands: ['curl'], maxFileEditsPerTask: 3 });
    expect(await applicableSettings('/w/a', 'TEXT', strict)).toEqual({ settings: strict, accepted: true, registries: [], projectRegistries: true });
    expect(await applicableSettings('/w/a', undefined, SAFE_DEFAULTS)).toEqual({ settings: SAFE_DEFAULTS, accepted: true, registries: [], projectRegistries: false });
  });
});

describe('the policy a run starts with', () => {
  it('is the accepted file, or cautious with no allowlist and the reason, and refuses a file with errors', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'spec-agent-policy-'));
    mkdirSync(join(ws, '.kiro'));
    writeFileSync(join(ws, '.kiro/settings.json'), '{ "agent": { "autonomyLevel": "full", "allowedCommands": ["make"] } }');
    expect(await runPolicy(ws)).toMatchObject({ settings: { autonomyLevel: 'cautious', allowedCommands: [] }, levelSource: 'default (.kiro/settings.json not accepted)', unaccepted: ['autonomy level full (instead of cautious)', 'run without asking: make'] });
    const accepted = await runPolicy(ws, { acceptPolicy: true });
    expect(accepted).toEqual({ settings: expect.objectContaining({ autonomyLevel: 'full', allowedCommands: ['make'] }), levelSource: '.kiro/settings.json', projectRegistries: true });
    expect((await runPolicy(ws)).unaccepted).toBeUndefined();

    writeFileSync(join(ws, '.kiro/settings.json'), '{ "agent": { "autonomyLevel": "yolo" } }');
    const err = await runPolicy(ws).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyFileError);
    expect((err as Error).message).toMatch(/settings\.json:1:\d+: agent\.autonomyLevel/);
  });
});

describe('the registry hosts the project\'s own files name', () => {
  const workspace = (settings?: string) => {
    const ws = mkdtempSync(join(tmpdir(), 'spec-agent-policy-'));
    if (settings !== undefined) {
      mkdirSync(join(ws, '.kiro'));
      writeFileSync(join(ws, '.kiro/settings.json'), settings);
    }
    return ws;
  };

  it('are a grant to accept: a registry written into .yarnrc.yml or .npmrc makes the accepted policy unaccepted again', async () => {
    const ws = workspace('{ "agent": { "autonomyLevel": "balanced", "allowedCommands": ["npm test"] } }');
    expect(await runPolicy(ws, { acceptPolicy: true })).toMatchObject({ settings: { autonomyLevel: 'balanced' }, projectRegistries: true });
    // What a confined command of run N can do: name a host for run N+1.
    writeFileSync(join(ws, '.yarnrc.yml'), 'npmRegistryServer: "https://exfil.example:18777"\n');
    const next = await runPolicy(ws);
    expect(next).toMatchObject({ settings: { autonomyLevel: 'cautious', allowedCommands: [] }, projectRegistries: false });
    expect(next.unaccepted).toContain('commands may reach exfil.example:18777 (named by .yarnrc.yml)');
    expect(await runPolicy(ws, { acceptPolicy: true })).toMatchObject({ settings: { autonomyLevel: 'balanced' }, projectRegistries: true });
    writeFileSync(join(ws, '.npmrc'), 'registry=https://npm.corp.example/\n');
    expect((await runPolicy(ws)).unaccepted).toEqual(['autonomy level balanced (instead of cautious)', 'run without asking: npm test', 'commands may reach exfil.example:18777 (named by .yarnrc.yml)', 'commands may reach npm.corp.example (named by .npmrc)']);
  });

  it('make a policy that grants nothing else one to accept, and are not honoured without a settings file', async () => {
    const ws = workspace('{ "agent": { "forbiddenCommands": ["curl"] } }');
    expect(await runPolicy(ws)).toMatchObject({ projectRegistries: true });
    writeFileSync(join(ws, '.npmrc'), '@acme:registry=https://acme.pkg.example/\n');
    expect(await runPolicy(ws)).toMatchObject({ projectRegistries: false, unaccepted: ['commands may reach acme.pkg.example (named by .npmrc)'] });
    expect((await runPolicy(ws, { acceptPolicy: true })).projectHosts).toEqual(['acme.pkg.example']);
    const none = workspace();
    writeFileSync(join(none, '.npmrc'), 'registry=https://npm.corp.example/\n');
    expect(await runPolicy(none)).toMatchObject({ levelSource: 'default', projectRegistries: false });
    expect((await runPolicy(none)).unaccepted).toBeUndefined();
  });

  it('count as the user saw them: accepting with the hosts shown does not accept a host named since', async () => {
    const ws = workspace('{ "agent": { "autonomyLevel": "full" } }');
    writeFileSync(join(ws, '.npmrc'), 'registry=https://shown.example/\n');
    const text = readFileSync(join(ws, '.kiro/settings.json'), 'utf8');
    const shown = (await applicableSettings(ws, text, agentSettingsSchema.parse({ autonomyLevel: 'full' }))).registries;
    expect(shown).toEqual([{ host: 'shown.example', file: '.npmrc' }]);
    writeFileSync(join(ws, '.npmrc'), 'registry=https://swapped.example/\n');
    await accept(ws, text, shown);
    expect(await isAccepted(ws, text)).toBe(false);
    writeFileSync(join(ws, '.npmrc'), 'registry=https://shown.example/\n');
    expect(await isAccepted(ws, text)).toBe(true);
  });

  it('stay accepted through "Always allow" on an accepted file', async () => {
    const ws = workspace('{ "agent": { "autonomyLevel": "balanced" } }');
    writeFileSync(join(ws, '.npmrc'), 'registry=https://npm.corp.example/\n');
    await runPolicy(ws, { acceptPolicy: true });
    await allowCommandAlways(ws, 'make test');
    expect(await runPolicy(ws)).toMatchObject({ settings: { allowedCommands: ['make test'] }, projectRegistries: true });
    expect((await runPolicy(ws)).unaccepted).toBeUndefined();
  });

  it('are not accepted by "Always allow" creating the settings file: that file is then to review', async () => {
    const ws = workspace();
    writeFileSync(join(ws, '.npmrc'), 'registry=https://npm.corp.example/\n');
    await allowCommandAlways(ws, 'make test');
    expect(await runPolicy(ws)).toMatchObject({ settings: { allowedCommands: [] }, projectRegistries: false, unaccepted: ['run without asking: make test', 'commands may reach npm.corp.example (named by .npmrc)'] });
  });
});

describe('"Always allow" from an approval', () => {
  it('keeps an accepted file accepted after adding the command, and leaves an unaccepted one unaccepted', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'spec-agent-policy-'));
    mkdirSync(join(ws, '.kiro'));
    const file = join(ws, '.kiro/settings.json');
    writeFileSync(file, '{\n  // ours\n  "agent": { "autonomyLevel": "balanced", "allowedCommands": ["npm test"] }\n}\n');
    await runPolicy(ws, { acceptPolicy: true });
    await allowCommandAlways(ws, 'npm run lint');
    expect(readFileSync(file, 'utf8')).toContain('// ours');
    expect(await runPolicy(ws)).toMatchObject({ settings: { autonomyLevel: 'balanced', allowedCommands: ['npm test', 'npm run lint'] } });
    expect((await runPolicy(ws)).unaccepted).toBeUndefined();

    writeFileSync(file, '{ "agent": { "autonomyLevel": "full" } }');
    await allowCommandAlways(ws, 'make');
    expect((await runPolicy(ws)).unaccepted).toEqual(['autonomy level full (instead of cautious)', 'run without asking: make']);
  });

  it('accepts a new file it creates, since it grants only what the user just allowed', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'spec-agent-policy-'));
    await allowCommandAlways(ws, 'make test');
    expect(await runPolicy(ws)).toMatchObject({ settings: { allowedCommands: ['make test'] } });
    expect((await runPolicy(ws)).unaccepted).toBeUndefined();
  });
});

describe('the panel\'s "no verifyCommands set" link', () => {
  it('adds the checks to verifyCommands keeping comments, once each; an accepted file stays accepted, an unaccepted one does not become so', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'spec-agent-policy-'));
    mkdirSync(join(ws, '.kiro'));
    const file = join(ws, '.kiro/settings.json');
    writeFileSync(file, '{\n  // ours\n  "agent": {\n    "autonomyLevel": "balanced"\n  }\n}\n');
    await runPolicy(ws, { acceptPolicy: true });
    await addVerifyCommands(ws, ['npm test', 'npm run lint']);
    await addVerifyCommands(ws, ['npm test']);
    expect(readFileSync(file, 'utf8')).toContain('// ours');
    expect(await runPolicy(ws)).toMatchObject({ settings: { autonomyLevel: 'balanced', verifyCommands: ['npm test', 'npm run lint'] } });
    expect((await runPolicy(ws)).unaccepted).toBeUndefined();

    writeFileSync(file, '{ "agent": { "autonomyLevel": "full" } }');
    await addVerifyCommands(ws, ['npm test']);
    expect((await runPolicy(ws)).unaccepted).toEqual(['autonomy level full (instead of cautious)']);
  });

  it('creates the file when there is none, accepted (it grants nothing)', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'spec-agent-policy-'));
    await addVerifyCommands(ws, ['npm test']);
    expect(await runPolicy(ws)).toMatchObject({ settings: { verifyCommands: ['npm test'] } });
    expect((await runPolicy(ws)).unaccepted).toBeUndefined();
  });
});
