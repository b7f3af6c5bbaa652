// Starts code-server (VS Code 1.139 in the browser, Node extension host) from the cache that
// scripts/real-vscode/setup.sh fills, with a fresh profile, and opens the workbench in Debian chromium.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const CACHE = process.env.SPEC_AGENT_VSCODE_CACHE || path.join(os.homedir(), '.cache/spec-agent/real-vscode');
const NODE24 = path.join(CACHE, 'node24/bin/node');
const ENTRY = path.join(CACHE, 'cs/node_modules/code-server/out/node/entry.js');

export async function loadPlaywright() {
  return import(path.join(CACHE, 'pw/node_modules/playwright-core/index.mjs'));
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * Starts code-server in its own process group; `stop()` kills the group (watchers and language servers too).
 * `extensions`: unpacked extension folders to install first (the workbench takes one development extension only).
 * `trust`: workspace trust on, so a folder opens in Restricted Mode until the user trusts it.
 */
export async function startCodeServer({ env = {}, runDir, extensions = [], trust = false }) {
  const port = await freePort();
  fs.mkdirSync(path.join(runDir, 'user-data/User'), { recursive: true });
  fs.mkdirSync(path.join(runDir, 'extensions'), { recursive: true });
  for (const dir of extensions) {
    const { publisher, name, version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    fs.cpSync(dir, path.join(runDir, 'extensions', `${publisher}.${name}-${version}`), { recursive: true });
  }
  fs.writeFileSync(path.join(runDir, 'user-data/User/settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'security.workspace.trust.enabled': trust,
    // Opened folders stay untrusted without a modal asking about it.
    'security.workspace.trust.startupPrompt': 'never',
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'chat.disableAIFeatures': true,
    'git.enabled': false,
    'window.restoreWindows': 'none',
  }, null, 2));
  const log = fs.openSync(path.join(runDir, 'server.log'), 'w');
  const child = spawn(NODE24, [ENTRY,
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--config', path.join(runDir, 'config.yaml'),
    '--disable-telemetry', '--disable-update-check', ...(trust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override',
    '--user-data-dir', path.join(runDir, 'user-data'), '--extensions-dir', path.join(runDir, 'extensions'),
    // Required for the extensionDevelopmentPath / extensionTestsPath payload: without it the extension is silently not loaded.
    '--vscode-option', 'enable-smoke-test-driver',
  ], { env: { ...process.env, ...env }, stdio: ['ignore', log, log], detached: true });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
    if (child.exitCode !== null || i > 300) throw new Error(`code-server did not start; see ${path.join(runDir, 'server.log')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    authority: `127.0.0.1:${port}`,
    stop() { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } },
  };
}

/** Installs a .vsix into the extensions folder of a (not yet started) code-server run. */
export function installVsix(runDir, vsix) {
  fs.mkdirSync(path.join(runDir, 'extensions'), { recursive: true });
  const r = spawnSync(NODE24, [ENTRY, '--extensions-dir', path.join(runDir, 'extensions'), '--user-data-dir', path.join(runDir, 'user-data'), '--install-extension', vsix], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`installing ${vsix} failed: ${r.stdout}${r.stderr}`);
}

/** The workbench URL that opens `folder`, with `extensionPath` (if any) loaded as a development extension. */
export function workbenchUrl(server, { folder, extensionPath, testsPath }) {
  const url = new URL(server.base);
  url.searchParams.set('folder', folder);
  const payload = [['skipWelcome', 'true']];
  if (extensionPath) payload.push(['extensionDevelopmentPath', `vscode-remote://${server.authority}${extensionPath}`]);
  if (testsPath) payload.push(['extensionTestsPath', `vscode-remote://${server.authority}${testsPath}`]);
  url.searchParams.set('payload', JSON.stringify(payload));
  return url.toString();
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
