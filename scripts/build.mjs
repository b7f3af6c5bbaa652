// Bundles the extension host, the CLI and the in-host tests with esbuild. `--production` minifies.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

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

// The JSON Schema of .kiro/settings.json, generated from the zod schema (contributes.jsonValidation).
const schemaModule = 'dist/.settings-schema.cjs';
await build({ ...common, sourcemap: false, entryPoints: ['src/core/settings/schema.ts'], outfile: schemaModule });
const { createRequire } = await import('node:module');
const { settingsJsonSchema } = createRequire(import.meta.url)(`../${schemaModule}`);
mkdirSync('dist', { recursive: true });
writeFileSync('dist/kiro-settings.schema.json', JSON.stringify(settingsJsonSchema(), null, 2) + '\n');
rmSync(schemaModule);
