import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * RULES.md §4 S3: the hosts the project's package managers are configured to use, read from their own
 * configuration when a run starts, so that installing a dev dependency works in the sandbox and nothing else
 * gets out. A registry moved to a mirror in `.npmrc` is followed; a host that no configuration names is not.
 */
export function packageRegistryHosts(workspace: string, home: string, env: NodeJS.ProcessEnv): string[] {
  const hosts = new Set<string>();
  const add = (url: string | undefined) => {
    const host = hostOf(url);
    if (host) hosts.add(host);
  };

  // npm (and pnpm, and yarn 1, which read .npmrc too): the project's file wins over the user's, the environment over both.
  const npmrc = [join(home, '.npmrc'), join(workspace, '.npmrc')].map(readIni);
  const registry = env.npm_config_registry ?? env.NPM_CONFIG_REGISTRY ?? npmrc.reduce<string | undefined>((found, ini) => ini.registry ?? found, undefined);
  add(registry ?? 'https://registry.npmjs.org/');
  for (const ini of npmrc) for (const [key, value] of Object.entries(ini)) if (/^@[^:]+:registry$/.test(key)) add(value);

  // yarn: 1 reads .yarnrc ("registry"), berry .yarnrc.yml (npmRegistryServer, per scope too).
  const yarnUsed = ['yarn.lock', '.yarnrc', '.yarnrc.yml'].some((f) => existsSync(join(workspace, f)));
  if (yarnUsed) {
    add('https://registry.yarnpkg.com/');
    for (const file of [join(home, '.yarnrc'), join(workspace, '.yarnrc')]) for (const m of read(file).matchAll(/^\s*registry\s+"?([^"\s]+)"?/gm)) add(m[1]);
    for (const file of [join(home, '.yarnrc.yml'), join(workspace, '.yarnrc.yml')]) for (const m of read(file).matchAll(/^\s*npmRegistryServer:\s*["']?([^"'\s#]+)/gm)) add(m[1]);
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
  return [...hosts].sort();
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url.trim());
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return undefined;
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
