import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundaryNotes } from '../../../src/core/sandbox/boundaries.js';
import { containmentFor } from '../../../src/core/sandbox/containment.js';
import { commandEnvironment, isCredentialName } from '../../../src/core/sandbox/environment.js';
import { packageRegistryHosts } from '../../../src/core/sandbox/registries.js';
import { applicableSettings, describeGrant, grantsMoreThanSafe } from '../../../src/core/settings/acceptance.js';
import { agentSettingsSchema, sandboxSettingsSchema } from '../../../src/core/settings/schema.js';
import { readSettingsText } from '../../../src/core/settings/loadSettings.js';

const dirs = () => {
  const root = mkdtempSync(join(tmpdir(), 'spec-agent-containment-'));
  const ws = join(root, 'ws');
  const home = join(root, 'home');
  mkdirSync(ws);
  mkdirSync(home);
  return { root, ws, home };
};

describe('S4: the environment of a command', () => {
  it('leaves out credentials by name, keeps the rest and what passEnv names', () => {
    const base = { PATH: '/usr/bin', HOME: '/h', OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k', GITHUB_TOKEN: 't', NPM_TOKEN: 't', AWS_SECRET_ACCESS_KEY: 's', AWS_ACCESS_KEY_ID: 'i', DB_PASSWORD: 'p', MY_SERVICE_SECRET: 's', SSH_AUTH_SOCK: '/s', CI_JOB_TOKEN: 't', NODE_ENV: 'test', TOKENIZER: 'x' };
    const { env, removed } = commandEnvironment(base, ['CI_JOB_TOKEN'], { TMPDIR: '/t' });
    expect(removed).toEqual(['ANTHROPIC_API_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'DB_PASSWORD', 'GITHUB_TOKEN', 'MY_SERVICE_SECRET', 'NPM_TOKEN', 'OPENAI_API_KEY', 'SSH_AUTH_SOCK']);
    expect(env).toMatchObject({ PATH: '/usr/bin', HOME: '/h', CI_JOB_TOKEN: 't', NODE_ENV: 'test', TOKENIZER: 'x', TMPDIR: '/t', PAGER: 'cat', GIT_TERMINAL_PROMPT: '0' });
    expect(isCredentialName('openrouter_api_key')).toBe(true);
    expect(isCredentialName('TOKEN_COUNT')).toBe(false);
  });
});

describe('S3: the package registries a project is configured to use', () => {
  it('npm by default; a mirror and scoped registries of .npmrc (the project over the user); the environment over both', () => {
    const { ws, home } = dirs();
    expect(packageRegistryHosts(ws, home, {})).toEqual(['registry.npmjs.org']);
    writeFileSync(join(home, '.npmrc'), 'registry=https://npm.corp.example/\n@acme:registry=https://acme.pkg.example:8443/npm/\n//npm.corp.example/:_authToken=secret\n');
    expect(packageRegistryHosts(ws, home, {})).toEqual(['acme.pkg.example:8443', 'npm.corp.example']);
    writeFileSync(join(ws, '.npmrc'), 'registry = "https://mirror.example/npm/"\n');
    expect(packageRegistryHosts(ws, home, {})).toEqual(['acme.pkg.example:8443', 'mirror.example']);
    expect(packageRegistryHosts(ws, home, { npm_config_registry: 'http://localhost:4873/' })).toEqual(['acme.pkg.example:8443', 'localhost:4873']);
  });

  it('yarn and pip when the project uses them, with their own configured hosts', () => {
    const { ws, home } = dirs();
    writeFileSync(join(ws, 'yarn.lock'), '');
    writeFileSync(join(ws, '.yarnrc.yml'), 'npmRegistryServer: "https://yarn.corp.example"\n');
    writeFileSync(join(ws, 'requirements.txt'), 'requests\n');
    expect(packageRegistryHosts(ws, home, {})).toEqual(['files.pythonhosted.org', 'pypi.org', 'registry.npmjs.org', 'registry.yarnpkg.com', 'yarn.corp.example']);
    expect(packageRegistryHosts(ws, home, { PIP_INDEX_URL: 'https://pypi.corp.example/simple' })).toContain('pypi.corp.example');
    expect(packageRegistryHosts(ws, home, { PIP_INDEX_URL: 'https://pypi.corp.example/simple' })).not.toContain('pypi.org');
  });
});

describe('S1-S3: what a run\'s commands may write, read and reach', () => {
  it('from the workspace, the home folder and agent.sandbox', () => {
    const { ws, home } = dirs();
    const c = containmentFor({ workspace: ws, home, tmpDir: '/tmp/run-x', env: {}, settings: sandboxSettingsSchema.parse({ allowWrite: ['~/.cache/ms-playwright', '/opt/out'], denyRead: ['secrets', '~/private'], allowedDomains: ['api.github.com'] }) });
    expect(c.allowWrite).toEqual([ws, '/tmp/run-x', join(home, '.cache/ms-playwright'), '/opt/out']);
    expect(c.denyWrite).toEqual([join(ws, '.kiro'), join(ws, '.git/hooks'), join(ws, '.git/config'), join(ws, '.vscode')]);
    expect(c.denyRead).toEqual(expect.arrayContaining([join(home, '.ssh'), join(home, '.aws'), join(home, '.config/gh'), join(home, '.netrc'), join(ws, 'secrets'), join(home, 'private')]));
    expect(c.allowedDomains).toEqual(['registry.npmjs.org', 'api.github.com']);
  });
});

describe('what a refusal says', () => {
  it('names the write, the host or the secret, and what to do', () => {
    const { ws, home } = dirs();
    const c = containmentFor({ workspace: ws, home, tmpDir: '/tmp/run-x', env: {}, settings: sandboxSettingsSchema.parse({}) });
    const notes = boundaryNotes(
      "bash: line 1: /etc/hosts: Read-only file system\nError: EROFS: read-only file system, open '/usr/lib/x.js'\ntouch: cannot touch '/opt/y': Read-only file system\n",
      ['deny network-outbound example.com:443 (host is not on the allow list)'],
      c,
    );
    expect(notes).toEqual([
      'network access to example.com:443 refused by the sandbox: commands reach only the package registries and sandbox.allowedDomains (add the host there in .kiro/settings.json if the task needs it)',
      expect.stringMatching(/^write to \/etc\/hosts refused by the sandbox/),
      expect.stringMatching(/^write to \/usr\/lib\/x\.js refused by the sandbox/),
      expect.stringMatching(/^write to \/opt\/y refused by the sandbox/),
    ]);
    expect(boundaryNotes(`cat: ${join(home, '.ssh/id_rsa')}: No such file or directory`, [], c)).toEqual([`${join(home, '.ssh')} is hidden from commands by the sandbox (it holds secrets)`]);
    expect(boundaryNotes('all good', [], c)).toEqual([]);
  });
});

describe('agent.sandbox in the settings', () => {
  it('is validated with its JSON path, and what widens is a grant to accept', async () => {
    const bad = readSettingsText('{ "agent": { "sandbox": { "mode": "loose", "allowedDomains": ["https://x.example/path"] } } }');
    expect(bad.problems.map((p) => p.message).join('\n')).toMatch(/agent\.sandbox\.mode/);
    expect(bad.problems.map((p) => p.message).join('\n')).toMatch(/agent\.sandbox\.allowedDomains\[0\]: must be a host name/);
    const s = agentSettingsSchema.parse({ sandbox: { mode: 'off', allowedDomains: ['api.github.com'], allowWrite: ['~/.cache/x'], passEnv: ['CI_TOKEN'], denyRead: ['~/notes'] } });
    expect(grantsMoreThanSafe(s)).toBe(true);
    expect(describeGrant(s)).toEqual(['commands run without a sandbox (sandbox.mode "off")', 'commands may reach api.github.com', 'commands may write ~/.cache/x', 'commands keep the variable CI_TOKEN']);
    expect(grantsMoreThanSafe(agentSettingsSchema.parse({ sandbox: { mode: 'required', denyRead: ['~/notes'] } }))).toBe(false);
    // Not accepted: what widens does not apply, what narrows does.
    process.env.SPEC_AGENT_ACCEPTANCE_FILE = join(mkdtempSync(join(tmpdir(), 'spec-agent-accept-')), 'accepted.json');
    const { settings, accepted } = await applicableSettings(mkdtempSync(join(tmpdir(), 'ws-')), '{}', s);
    expect(accepted).toBe(false);
    expect(settings.sandbox).toEqual({ mode: 'auto', allowedDomains: [], allowWrite: [], passEnv: [], denyRead: ['~/notes'] });
  });
});
