import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boundaryNotes } from '../../../src/core/sandbox/boundaries.js';
import { containmentFor } from '../../../src/core/sandbox/containment.js';
import { commandEnvironment, isCredentialName } from '../../../src/core/sandbox/environment.js';
import { packageRegistryHosts, projectRegistryHosts, userRegistryEnv } from '../../../src/core/sandbox/registries.js';
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

  it('leaves out credentials by general rules: keys, passwords, PATs, DSNs, auth, npm\'s auth settings, credentials files', () => {
    const credentials = {
      'npm_config_//registry.npmjs.org/:_authToken': 't',
      npm_config__authToken: 't',
      'npm_config_//npm.corp.example/:_password': 'p',
      PGPASSWORD: 'p',
      MYSQL_PWD: 'p',
      STRIPE_KEY: 'k',
      AZURE_OPENAI_KEY: 'k',
      GITHUB_PAT: 'p',
      SENTRY_DSN: 'https://k@o1.ingest.sentry.io/1',
      DOCKER_AUTH_CONFIG: '{}',
      AWS_SHARED_CREDENTIALS_FILE: '/h/creds',
      NGROK_AUTHTOKEN: 't',
      BASIC_AUTH: 'u:p',
    };
    const kept = { PWD: '/w', OLDPWD: '/w/x', PATH: '/usr/bin', GIT_AUTHOR_NAME: 'a', npm_config_cache: '/c', npm_config_registry: 'https://registry.npmjs.org/', MONKEY: 'x', COMPAT: 'y', LANG: 'C' };
    const { env, removed } = commandEnvironment({ ...credentials, ...kept });
    expect(removed).toEqual(Object.keys(credentials).sort());
    expect(env).toMatchObject(kept);
    for (const name of Object.keys(credentials)) expect(env).not.toHaveProperty([name]);
  });

  it('keeps a URL-valued variable without the user:password@ of its URL, and never says the value', () => {
    const { env, removed, redacted } = commandEnvironment({
      DATABASE_URL: 'postgres://u:pw@db.example:5432/app?sslmode=require',
      REDIS_URL: 'redis://:s3cr@t@cache.example:6379/0',
      MONGO_URI: 'mongodb://a:b,c@h1:27017,h2:27017/db',
      CACHE_URLS: 'redis://:p1@h1/0 redis://:p2@h2/0',
      HOMEPAGE_URL: 'https://example.com/path',
      DB_HOST_URL: 'postgres://onlyuser@h/db',
      NOT_A_LINK: 'postgres://u:pw@h/db',
    });
    expect(env).toMatchObject({
      DATABASE_URL: 'postgres://db.example:5432/app?sslmode=require',
      REDIS_URL: 'redis://cache.example:6379/0',
      HOMEPAGE_URL: 'https://example.com/path',
      DB_HOST_URL: 'postgres://onlyuser@h/db',
      NOT_A_LINK: 'postgres://u:pw@h/db',
    });
    expect(env.MONGO_URI).toBe('mongodb://h1:27017,h2:27017/db');
    expect(env.CACHE_URLS).toBe('redis://h1/0 redis://h2/0');
    expect(removed).toEqual([]);
    expect(redacted).toEqual(['CACHE_URLS', 'DATABASE_URL', 'MONGO_URI', 'REDIS_URL']);
    // passEnv keeps a variable as it is.
    expect(commandEnvironment({ DATABASE_URL: 'postgres://u:pw@h/db', PGPASSWORD: 'p' }, ['DATABASE_URL', 'PGPASSWORD']).env).toMatchObject({ DATABASE_URL: 'postgres://u:pw@h/db', PGPASSWORD: 'p' });
  });
});

describe('S3: the package registries a project is configured to use', () => {
  it('npm by default; a mirror and scoped registries of the user\'s .npmrc; the environment over it; the project\'s .npmrc only when its policy is accepted', () => {
    const { ws, home } = dirs();
    expect(packageRegistryHosts(ws, home, {})).toEqual(['registry.npmjs.org']);
    writeFileSync(join(home, '.npmrc'), 'registry=https://npm.corp.example/\n@acme:registry=https://acme.pkg.example:8443/npm/\n//npm.corp.example/:_authToken=secret\n');
    expect(packageRegistryHosts(ws, home, {})).toEqual(['acme.pkg.example:8443', 'npm.corp.example']);
    writeFileSync(join(ws, '.npmrc'), 'registry = "https://mirror.example/npm/"\n@own:registry=https://own.pkg.example/\n');
    expect(packageRegistryHosts(ws, home, {})).toEqual(['acme.pkg.example:8443', 'npm.corp.example']);
    expect(packageRegistryHosts(ws, home, {}, { projectHosts: projectRegistryHosts(ws).map((r) => r.host) })).toEqual(['acme.pkg.example:8443', 'mirror.example', 'npm.corp.example', 'own.pkg.example']);
    expect(projectRegistryHosts(ws)).toEqual([
      { host: 'mirror.example', file: '.npmrc' },
      { host: 'own.pkg.example', file: '.npmrc' },
    ]);
    expect(packageRegistryHosts(ws, home, { npm_config_registry: 'https://env.example/' })).toEqual(['acme.pkg.example:8443', 'env.example']);
    // Commands cannot read ~/.npmrc (it holds the token): its registries reach them as variables, never the token.
    expect(userRegistryEnv(home, {})).toEqual({ npm_config_registry: 'https://npm.corp.example/', 'npm_config_@acme:registry': 'https://acme.pkg.example:8443/npm/' });
    expect(userRegistryEnv(home, { NPM_CONFIG_REGISTRY: 'https://env.example/' })).toEqual({ 'npm_config_@acme:registry': 'https://acme.pkg.example:8443/npm/' });
  });

  it('never a host that names the machine or a private network, from any file or the environment', () => {
    const { ws, home } = dirs();
    const local = ['http://localhost:4873/', 'http://LOCALHOST./', 'http://registry.localhost/', 'http://127.0.0.1:18777', 'http://2130706433/', 'http://0x7f.1/', 'http://10.0.0.5/', 'http://192.168.1.2:8080/', 'http://169.254.169.254/', 'http://[::1]:4873/', 'http://[fe80::1]/', 'http://93.184.216.34/'];
    const defaults = ['registry.npmjs.org', 'registry.yarnpkg.com'];
    for (const url of local) {
      for (const host of packageRegistryHosts(ws, home, { npm_config_registry: url, PIP_INDEX_URL: url, PIP_EXTRA_INDEX_URL: url }, { projectHosts: projectRegistryHosts(ws).map((r) => r.host) })) expect(defaults).toContain(host);
      writeFileSync(join(home, '.npmrc'), `registry=${url}\n@a:registry=${url}\n`);
      writeFileSync(join(ws, '.npmrc'), `registry=${url}\n`);
      writeFileSync(join(ws, '.yarnrc.yml'), `npmRegistryServer: "${url}"\n`);
      writeFileSync(join(ws, '.yarnrc'), `registry "${url}"\n`);
      expect(projectRegistryHosts(ws)).toEqual([]);
      for (const host of packageRegistryHosts(ws, home, {}, { projectHosts: projectRegistryHosts(ws).map((r) => r.host) })) expect(defaults).toContain(host);
    }
  });

  it('yarn and pip when the project uses them, with their own configured hosts', () => {
    const { ws, home } = dirs();
    writeFileSync(join(ws, 'yarn.lock'), '');
    writeFileSync(join(ws, '.yarnrc.yml'), 'npmRegistryServer: "https://yarn.corp.example"\n');
    writeFileSync(join(ws, 'requirements.txt'), 'requests\n');
    expect(packageRegistryHosts(ws, home, {})).toEqual(['files.pythonhosted.org', 'pypi.org', 'registry.npmjs.org', 'registry.yarnpkg.com']);
    expect(packageRegistryHosts(ws, home, {}, { projectHosts: projectRegistryHosts(ws).map((r) => r.host) })).toEqual(['files.pythonhosted.org', 'pypi.org', 'registry.npmjs.org', 'registry.yarnpkg.com', 'yarn.corp.example']);
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

  it('hides the credentials of package registries, build tools, VS Code\'s extension storage, and the files credential variables name', () => {
    const { ws, home } = dirs();
    const env = { GOOGLE_APPLICATION_CREDENTIALS: '/srv/keys/gcp.json', AWS_SHARED_CREDENTIALS_FILE: '~/work/aws-creds', AWS_CONFIG_FILE: 'aws.cfg' };
    const c = containmentFor({ workspace: ws, home, tmpDir: '/tmp/run-x', env, settings: sandboxSettingsSchema.parse({}) });
    const expected = ['.pypirc', '.cargo/credentials', '.cargo/credentials.toml', '.terraform.d/credentials.tfrc.json', '.yarnrc.yml', '.m2/settings.xml', '.gradle/gradle.properties', '.config/Code/User/globalStorage', '.config/Code - Insiders/User/globalStorage', '.config/VSCodium/User/globalStorage', '.local/share/code-server/User/globalStorage', 'Library/Application Support/Code/User/globalStorage'];
    expect(c.denyRead).toEqual(expect.arrayContaining([...expected.map((p) => join(home, p)), '/srv/keys/gcp.json', join(home, 'work/aws-creds'), join(ws, 'aws.cfg')]));
    expect(containmentFor({ workspace: ws, home, tmpDir: '/tmp/run-x', env: {}, settings: sandboxSettingsSchema.parse({}) }).denyRead).not.toContain('/srv/keys/gcp.json');
  });

  it('reaches the hosts the project\'s files name only when given them (the policy accepted with them), never by default', () => {
    const { ws, home } = dirs();
    writeFileSync(join(ws, '.yarnrc.yml'), 'npmRegistryServer: "https://yarn.corp.example"\n');
    const settings = sandboxSettingsSchema.parse({});
    expect(containmentFor({ workspace: ws, home, tmpDir: '/t', env: {}, settings }).allowedDomains).not.toContain('yarn.corp.example');
    expect(containmentFor({ workspace: ws, home, tmpDir: '/t', env: {}, settings, projectHosts: projectRegistryHosts(ws).map((r) => r.host) }).allowedDomains).toContain('yarn.corp.example');
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
    expect(grantsMoreThanSafe(s, [])).toBe(true);
    expect(describeGrant(s, [])).toEqual(['commands run without a sandbox (sandbox.mode "off")', 'commands may reach api.github.com', 'commands may write ~/.cache/x', 'commands keep the variable CI_TOKEN']);
    expect(grantsMoreThanSafe(agentSettingsSchema.parse({ sandbox: { mode: 'required', denyRead: ['~/notes'] } }), [])).toBe(false);
    // A registry the project's own files name is a grant too.
    expect(grantsMoreThanSafe(agentSettingsSchema.parse({}), [{ host: 'npm.corp.example', file: '.npmrc' }])).toBe(true);
    expect(describeGrant(agentSettingsSchema.parse({}), [{ host: 'npm.corp.example', file: '.npmrc' }])).toEqual(['commands may reach npm.corp.example (named by .npmrc)']);
    // Not accepted: what widens does not apply, what narrows does.
    process.env.SPEC_AGENT_ACCEPTANCE_FILE = join(mkdtempSync(join(tmpdir(), 'spec-agent-accept-')), 'accepted.json');
    const { settings, accepted } = await applicableSettings(mkdtempSync(join(tmpdir(), 'ws-')), '{}', s);
    expect(accepted).toBe(false);
    expect(settings.sandbox).toEqual({ mode: 'auto', allowedDomains: [], allowWrite: [], passEnv: [], denyRead: ['~/notes'] });
  });
});
