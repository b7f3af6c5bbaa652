import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { alwaysAllowEntries } from '../../../src/core/policy/alwaysAllow.js';
import { PolicyGate } from '../../../src/core/policy/gate.js';
import { accept, SAFE_DEFAULTS } from '../../../src/core/settings/index.js';

let gate: PolicyGate;
beforeAll(async () => {
  gate = await PolicyGate.create();
});

const entries = (command: string) => gate.allowlistEntries(command, SAFE_DEFAULTS, { workspaceRoot: '/ws', home: '/home/u' });

describe('the entries "Always allow" would add', () => {
  it('is the command itself for one simple command', () => {
    expect(entries('npm test')).toEqual(['npm test']);
    expect(entries('npm test -- --watch')).toEqual(['npm test -- --watch']);
  });

  it('is one entry per simple command of a compound line, each once, none for neutral ones or cd inside', () => {
    expect(entries('npm test && npm run lint')).toEqual(['npm test', 'npm run lint']);
    expect(entries('cd src && npm test; npm test')).toEqual(['npm test']);
    expect(entries('npm run build | tee build.log')).toEqual(['npm run build', 'tee build.log']);
  });

  it('is nothing an entry could not express or the gate would ask about anyway', () => {
    expect(entries("echo 'two words' && npm test")).toBeUndefined(); // an entry is split on spaces: 'two words' cannot be one word of it
    expect(entries("grep 'two words' src")).toBeUndefined();
    expect(entries('./gradlew test')).toBeUndefined();
    expect(entries('npm test $(cat x)')).toBeUndefined();
    expect(entries('node --test')).toBeUndefined(); // C6: node runs code the gate cannot see
    expect(entries('rm -rf dist')).toBeUndefined();
  });

  it('offers only entries that, added, make the gate allow the very command', () => {
    for (const command of ['npm test', 'npm test && npm run lint', 'cd src && make']) {
      const e = entries(command);
      if (!e) continue;
      expect(gate.check({ kind: 'command', command }, { ...SAFE_DEFAULTS, autonomyLevel: 'balanced', allowedCommands: e }, { workspaceRoot: '/ws', home: '/home/u' }).verdict).toBe('allow');
    }
  });
});

describe('the entries offered for a workspace', () => {
  async function workspace(settings?: string): Promise<string> {
    process.env.SPEC_AGENT_ACCEPTANCE_FILE = join(await mkdtemp(join(tmpdir(), 'spec-agent-accept-')), 'accepted.json');
    const ws = await mkdtemp(join(tmpdir(), 'spec-agent-always-'));
    if (settings !== undefined) {
      await mkdir(join(ws, '.kiro'));
      await writeFile(join(ws, '.kiro/settings.json'), settings);
    }
    return ws;
  }
  const policy = JSON.stringify({ agent: { autonomyLevel: 'balanced', allowedCommands: ['npm test'] } });

  it('leaves out what the accepted policy already allows', async () => {
    const ws = await workspace(policy);
    await accept(ws, policy);
    expect(gate.allowlistEntries('npm test && npm run lint', { ...SAFE_DEFAULTS, allowedCommands: ['npm test'] })).toEqual(['npm run lint']);
    expect(await alwaysAllowEntries(gate, ws, 'npm test && npm run lint')).toEqual(['npm run lint']);
    expect(await alwaysAllowEntries(gate, ws, 'npm run build')).toEqual(['npm run build']);
  });

  it('offers the whole line while the policy is not accepted (the gate applies no allowlist then), and with no file', async () => {
    expect(await alwaysAllowEntries(gate, await workspace(policy), 'npm test && npm run lint')).toEqual(['npm test', 'npm run lint']);
    expect(await alwaysAllowEntries(gate, await workspace(), 'npm test && npm run lint')).toEqual(['npm test', 'npm run lint']);
  });

  it('reads an invalid file as the gate does: the safe defaults', async () => {
    expect(await alwaysAllowEntries(gate, await workspace('{ "agent": { "allowedCommands": 3 } }'), 'npm test')).toEqual(['npm test']);
  });
});
