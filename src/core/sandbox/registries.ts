import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

/** A registry host the project's own files name (the workspace's `.npmrc`, `.yarnrc`, `.yarnrc.yml`), and which. */
export interface ProjectRegistry {
  host: string;
  /** The file that names it, relative to the workspace. */
  file: string;
}

/**
 * The registry hosts the workspace's own package-manager files name. A command can write those files, so what they
 * name is part of what the workspace's policy grants (acceptance.ts): honoured only once that policy is accepted.
 */
export function projectRegistryHosts(workspace: string): ProjectRegistry[] {
  const out = new Map<string, ProjectRegistry>();
  const add = (url: string | undefined, file: string) => {
    const host = hostOf(url);
    if (host && !out.has(`${host}\0${file}`)) out.set(`${host}\0${file}`, { host, file });
  };
  const npmrc = readIni(join(workspace, '.npmrc'));
  add(npmrc.registry, '.npmrc');
  for (const [key, value] of Object.entries(npmrc)) if (SCOPED_REGISTRY.test(key)) add(value, '.npmrc');
  for (const m of read(join(workspace, '.yarnrc')).matchAll(YARN1_REGISTRY)) add(m[1], '.yarnrc');
  for (const m of read(join(workspace, '.yarnrc.yml')).matchAll(YARN_BERRY_REGISTRY)) add(m[1], '.yarnrc.yml');
  return [...out.values()].sort((a, b) => a.host.localeCompare(b.host) || a.file.localeCompare(b.file));
}

/**
 * RULES.md §4 S3: the hosts the package managers are configured to use, read from their own configuration when a
 * run starts, so that installing a dev dependency works in the sandbox and nothing else gets out: the defaults, the
 * user's own configuration (home folder, environment), and `projectHosts`: the hosts the project's files named
 * when its policy was accepted with them (read then, not again, so a file changed since widens nothing). Never a host that names the
 * machine or a private network (an IP literal, localhost): only sandbox.allowedDomains, which the user accepts, can.
 */
export function packageRegistryHosts(workspace: string, home: string, env: NodeJS.ProcessEnv, opts: { projectHosts?: readonly string[] } = {}): string[] {
  const hosts = new Set<string>();
  const add = (url: string | undefined) => {
    const host = hostOf(url);
    if (host) hosts.add(host);
  };

  // npm (and pnpm, and yarn 1, which read .npmrc too): the environment over the user's file over the default.
  const userNpmrc = readIni(join(home, '.npmrc'));
  add(env.npm_config_registry ?? env.NPM_CONFIG_REGISTRY ?? userNpmrc.registry ?? 'https://registry.npmjs.org/');
  for (const [key, value] of Object.entries(userNpmrc)) if (SCOPED_REGISTRY.test(key)) add(value);

  // yarn: 1 reads .yarnrc ("registry"), berry .yarnrc.yml (npmRegistryServer, per scope too).
  const yarnUsed = ['yarn.lock', '.yarnrc', '.yarnrc.yml'].some((f) => existsSync(join(workspace, f)));
  if (yarnUsed) {
    add('https://registry.yarnpkg.com/');
    for (const m of read(join(home, '.yarnrc')).matchAll(YARN1_REGISTRY)) add(m[1]);
    for (const m of read(join(home, '.yarnrc.yml')).matchAll(YARN_BERRY_REGISTRY)) add(m[1]);
  }

  // pip: the index and extra indexes of pip.conf and the environment; PyPI when the project is a Python one.
  const python = ['requirements.txt', 'pyproject.toml', 'setup.py', 'Pipfile'].some((f) => existsSync(join(workspace, f)));
  const pipConf = [join('/etc', 'pip.conf'), join(home, '.pip', 'pip.conf'), join(home, '.config', 'pip', 'pip.conf')].map(readIni);
  const pipIndexes = [env.PIP_INDEX_URL, ...(env.PIP_EXTRA_INDEX_URL ?? '').split(/\s+/), ...pipConf.flatMap((c) => [c['index-url'], ...(c['extra-index-url'] ?? '').split(/\s+/)])].filter(Boolean);
  for (const url of pipIndexes) add(url);
  if (python && !env.PIP_INDEX_URL && !pipConf.some((c) => c['index-url'])) {
    add('https://pypi.org/simple');
    add('https://files.pythonhosted.org/');
  }

  for (const host of opts.projectHosts ?? []) hosts.add(host);
  return [...hosts].sort();
}

/**
 * npm's registries from the user's `~/.npmrc`, as npm_config_* variables: commands cannot read that file (it holds
 * tokens, S2), so without these a mirror configured there would be replaced by the default registry, which the
 * sandbox does not let through. Only the registry URLs: never a token. Variables already set win.
 */
export function userRegistryEnv(home: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  const set = (key: string) => env[`npm_config_${key}`] !== undefined || env[`NPM_CONFIG_${key.toUpperCase()}`] !== undefined;
  for (const [key, value] of Object.entries(readIni(join(home, '.npmrc')))) {
    if ((key === 'registry' || SCOPED_REGISTRY.test(key)) && hostOf(value) && !set(key)) out[`npm_config_${key}`] = value;
  }
  return out;
}

const SCOPED_REGISTRY = /^@[^:]+:registry$/;
const YARN1_REGISTRY = /^\s*registry\s+"?([^"\s]+)"?/gm;
const YARN_BERRY_REGISTRY = /^\s*npmRegistryServer:\s*["']?([^"'\s#]+)/gm;

/**
 * Whether a host names this machine or a private network: an IP literal (any: only sandbox.allowedDomains may name
 * one), `localhost` or a name below it. Checked on the parsed URL, so `http://2130706433/` (127.0.0.1) counts.
 */
export function isLocalOrAddressHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '').replace(/^\[|\]$/g, '');
  return isIP(h) !== 0 || h === 'localhost' || h.endsWith('.localhost') || h === '';
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url.trim());
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
    if (isLocalOrAddressHost(u.hostname)) return undefined;
    return u.port ? `${u.hostname}:${u.port}` : u.hostname;
  } catch {
    return undefined;
  }
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The `key=value` lines of an ini-style file (.npmrc, pip.conf), sections flattened: only a few keys are read. */
function readIni(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of read(file).split(/\r?\n/)) {
    const m = /^\s*([^#;=\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!.replace(/^["']|["']$/g, '');
  }
  return out;
}
