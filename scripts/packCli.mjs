// `npm run pack:cli`: the CLI as an npm package of its own, `spec-agent-cli-<version>.tgz`, to install on any
// machine with `npm install -g ./spec-agent-cli-<version>.tgz` and run as `spec-agent` in the user's own repository.
//
// Why a package of its own rather than `npm pack` of this folder: this package.json is the VS Code extension's
// manifest, whose `name` is part of the extension's id (spec-agent.spec-agent), and `spec-agent` on the npm
// registry is not ours to have (`npx spec-agent` outside this clone asks the registry for it). The CLI package
// is named `spec-agent-cli` (free on the registry when chosen) and keeps the bin name `spec-agent`. Its bundle
// holds everything but ripgrep's binary, so its one dependency is @vscode/ripgrep (the binary comes as that
// package's platform package); installing it fetches nothing else.
//
// Usage: node scripts/packCli.mjs [--dist <built dir>] [--out <folder for the .tgz>]; prints the tarball's path.
// --dist defaults to dist/ (run `node scripts/build.mjs --production` first, as `npm run pack:cli` does).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const root = resolve(new URL('..', import.meta.url).pathname);
const { values } = parseArgs({ options: { dist: { type: 'string' }, out: { type: 'string' } } });
const dist = resolve(values.dist ?? join(root, 'dist'));
const out = resolve(values.out ?? join(root, 'dist'));

// What the CLI loads at run time, beside its bundle: the shell grammar, the sandbox host and its helpers.
const needed = ['cli.js', 'sandboxHost.mjs', 'tree-sitter.wasm', 'tree-sitter-bash.wasm', 'vendor'];
const missing = needed.filter((f) => !existsSync(join(dist, f)));
if (missing.length > 0) {
  console.error(`pack:cli: ${dist} lacks ${missing.join(', ')}: build first (node scripts/build.mjs --production)`);
  process.exit(2);
}

// npm links the bin as it is: without its #! line the shell would read the bundle as a script.
if (!readFileSync(join(dist, 'cli.js'), 'utf8').startsWith('#!/usr/bin/env node\n')) {
  console.error(`pack:cli: ${join(dist, 'cli.js')} does not start with #!/usr/bin/env node: build it with node scripts/build.mjs`);
  process.exit(2);
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const manifest = {
  name: 'spec-agent-cli',
  version: pkg.version,
  description: 'The command line of Spec Agent: execute the tasks of a Kiro-style spec (tasks.md) with an autonomous coding agent, under a deterministic policy gate.',
  license: pkg.license,
  keywords: pkg.keywords,
  bin: { 'spec-agent': 'dist/cli.js' },
  engines: { node: pkg.engines.node },
  dependencies: { '@vscode/ripgrep': pkg.dependencies['@vscode/ripgrep'] },
  // The bundle and what it loads beside itself; npm adds package.json, README and LICENSE.
  files: ['dist/'],
};

const stage = mkdtempSync(join(tmpdir(), 'spec-agent-cli-pack-'));
try {
  mkdirSync(join(stage, 'dist'));
  for (const f of needed) cpSync(join(dist, f), join(stage, 'dist', f), { recursive: true });
  for (const f of ['README.md', 'LICENSE']) cpSync(join(root, f), join(stage, f));
  writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  mkdirSync(out, { recursive: true });
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: stage, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
  console.log(join(out, packed.filename));
} finally {
  rmSync(stage, { recursive: true, force: true });
}
