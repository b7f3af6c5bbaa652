// Bundles the extension host, the CLI and the in-host tests with esbuild. `--production` minifies.
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync } from 'node:fs';

const production = process.argv.includes('--production');
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  define: { SPEC_AGENT_VERSION: JSON.stringify(pkg.version) },
};

rmSync('dist', { recursive: true, force: true });
await Promise.all([
  build({ ...common, entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  build({ ...common, entryPoints: ['src/cli/bin.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: ['bench/index.ts'], outfile: 'dist/bench.js' }),
  build({
    ...common,
    entryPoints: readdirSync('test/vscode/suite').filter((f) => f.endsWith('.ts')).map((f) => `test/vscode/suite/${f}`),
    outdir: 'dist/test/vscode/suite',
    bundle: true,
    external: ['vscode', 'mocha'],
  }),
]);
