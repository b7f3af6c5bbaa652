import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { NODE_BUNDLE } from '../support/nodeBundle.js';

/** Builds the CLI bundle once, so CLI tests run the real program in a child process. */
export default async function setup(project: TestProject) {
  // Inside the project, so the bundle resolves packages (ripgrep's binary) from node_modules like dist/ does.
  mkdirSync(join(__dirname, '../../node_modules/.cache'), { recursive: true });
  const dir = mkdtempSync(join(__dirname, '../../node_modules/.cache/spec-agent-cli-'));
  const outfile = join(dir, 'cli.js');
  await build({
    ...NODE_BUNDLE,
    entryPoints: ['src/cli/bin.ts'],
    outfile,
    define: { SPEC_AGENT_VERSION: JSON.stringify('0.0.0-test') },
    // As scripts/build.mjs: the bundle is the package's bin, run as a program (the install test runs it so).
    banner: { js: '#!/usr/bin/env node' },
  });
  // The shell grammar sits beside the bundle, as in dist/.
  const require = createRequire(__filename);
  copyFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm'), join(dir, 'tree-sitter.wasm'));
  copyFileSync(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'), join(dir, 'tree-sitter-bash.wasm'));
  // The sandbox host beside it, with the helpers its library looks for there (as scripts/build.mjs lays them out).
  await build({
    entryPoints: ['src/core/sandbox/sandboxHost.ts'],
    outfile: join(dir, 'sandboxHost.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  const runtime = join(dirname(require.resolve('@anthropic-ai/sandbox-runtime')), '..');
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  const seccomp = join(dir, 'vendor/seccomp', arch);
  mkdirSync(seccomp, { recursive: true });
  copyFileSync(join(runtime, 'vendor/seccomp', arch, 'apply-seccomp'), join(seccomp, 'apply-seccomp'));
  chmodSync(join(seccomp, 'apply-seccomp'), 0o755);
  project.provide('cliPath', outfile);
  project.provide('sandboxHost', join(dir, 'sandboxHost.mjs'));
  return () => rmSync(dir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    cliPath: string;
    sandboxHost: string;
  }
}
