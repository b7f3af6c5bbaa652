// Bundles the extension host, the CLI, the webview and the in-host tests with esbuild. `--production` minifies.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { buildHostStub, buildNaivePeer, buildWebview } from './buildWebview.mjs';

const production = process.argv.includes('--production');
const require = createRequire(import.meta.url);
/** web-tree-sitter's ESM build reads import.meta.url, which a CJS bundle does not have: take its CJS build. */
const cjsWebTreeSitter = {
  name: 'cjs-web-tree-sitter',
  setup(b) {
    b.onResolve({ filter: /^web-tree-sitter$/ }, () => ({ path: require.resolve('web-tree-sitter') }));
  },
};
/**
 * These bundles run in Node only. Bundled libraries probe `navigator` to detect a browser (zod's allowsEval at the
 * first z.object(), the SDKs' platform detection); in VS Code's extension host (Node 22+) `globalThis.navigator` is a
 * getter that reports `PendingMigrationError: navigator is now a global in nodejs` at each activation. Compiled to
 * `undefined`, every probe takes its non-browser branch without touching the global.
 */
const NO_NAVIGATOR = { navigator: 'undefined', 'globalThis.navigator': 'undefined' };
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  // jsonc-parser's UMD build requires its own files at run time; its ESM build bundles.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  plugins: [cjsWebTreeSitter],
  define: { SPEC_AGENT_VERSION: JSON.stringify(pkg.version), ...NO_NAVIGATOR },
};

rmSync('dist', { recursive: true, force: true });
await Promise.all([
  build({ ...common, entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  build({ ...common, entryPoints: ['src/cli/bin.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: ['bench/index.ts'], outfile: 'dist/bench.js' }),
  // The sandbox host (one process per run, src/core/sandbox/sandboxHost.ts): ESM, as its library reads import.meta.url
  // to find its helpers, which are copied beside it below.
  build({ ...common, plugins: [], format: 'esm', entryPoints: ['src/core/sandbox/sandboxHost.ts'], outfile: 'dist/sandboxHost.mjs', banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" } }),
  // The Agent Activity webview (browser), with its CSS and codicons; the test host stub goes beside the test bundles.
  buildWebview({ outdir: 'dist/webview', production }),
  buildHostStub({ outfile: 'dist/test/webview/hostStub.js' }),
  buildNaivePeer({ outfile: 'dist/test/webview/activityNaive.js' }),
  build({
    ...common,
    entryPoints: readdirSync('test/vscode/suite').filter((f) => f.endsWith('.ts')).map((f) => `test/vscode/suite/${f}`),
    outdir: 'dist/test/vscode/suite',
    bundle: true,
    external: ['vscode', 'mocha'],
  }),
  // The Restricted Mode suite runs in a window of its own (workspace trust on), with the same mocha entry point.
  build({
    ...common,
    entryPoints: ['test/vscode/suite/index.ts', ...readdirSync('test/vscode/restricted').filter((f) => f.endsWith('.ts')).map((f) => `test/vscode/restricted/${f}`)],
    outdir: 'dist/test/vscode/restricted',
    entryNames: '[name]',
    bundle: true,
    external: ['vscode', 'mocha'],
  }),
]);

// The JSON Schema of .kiro/settings.json, generated from the zod schema (contributes.jsonValidation).
const schemaModule = 'dist/.settings-schema.cjs';
await build({ ...common, sourcemap: false, entryPoints: ['src/core/settings/schema.ts'], outfile: schemaModule });
const { settingsJsonSchema } = createRequire(import.meta.url)(`../${schemaModule}`);
mkdirSync('dist', { recursive: true });
writeFileSync('dist/kiro-settings.schema.json', JSON.stringify(settingsJsonSchema(), null, 2) + '\n');
rmSync(schemaModule);

// The shell grammar of the policy gate, loaded at run time beside the bundles (bashParser.ts looks there first).
copyFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm'), 'dist/tree-sitter.wasm');
copyFileSync(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'), 'dist/tree-sitter-bash.wasm');

// What the sandbox library runs besides itself, where it looks for it beside a bundle: the seccomp helper that
// keeps a confined command from opening unix sockets (Linux), and the JVM agent that sends Java through the proxy.
const sandboxRuntime = join(dirname(require.resolve('@anthropic-ai/sandbox-runtime')), '..');
for (const arch of ['x64', 'arm64']) {
  mkdirSync(`dist/vendor/seccomp/${arch}`, { recursive: true });
  copyFileSync(join(sandboxRuntime, `vendor/seccomp/${arch}/apply-seccomp`), `dist/vendor/seccomp/${arch}/apply-seccomp`);
  chmodSync(`dist/vendor/seccomp/${arch}/apply-seccomp`, 0o755);
}
mkdirSync('dist/vendor/java-proxy-agent', { recursive: true });
copyFileSync(join(sandboxRuntime, 'vendor/java-proxy-agent/srt-proxy-agent.jar'), 'dist/vendor/java-proxy-agent/srt-proxy-agent.jar');
