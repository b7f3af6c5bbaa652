// Bundles the Agent Activity webview for the browser and copies its stylesheets and the codicon font beside it.
// Shared by scripts/build.mjs (into dist/webview) and the webview tests (into a temp dir, so they never depend
// on a stale dist/).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The files a webview page loads: the host lists this folder in localResourceRoots. */
export const WEBVIEW_FILES = ['activity.js', 'activity.css', 'codicon.css', 'codicon.ttf'];

/**
 * zod's `z` namespace re-exports every locale (260 KB minified) though only English is ever used: the panel's
 * bundle gets English alone. Error messages are unchanged (zod registers `en` as its default either way).
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer) ? { path: join(dirname(args.importer), '../locales/en.js'), namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

const browser = { bundle: true, platform: 'browser', format: 'iife', target: ['chrome120'], logLevel: 'warning', absWorkingDir: ROOT, plugins: [zodEnglishOnly] };

export async function buildWebview({ outdir, production = false }) {
  mkdirSync(outdir, { recursive: true });
  await build({ ...browser, entryPoints: [join(ROOT, 'src/webview/main.ts')], outfile: join(outdir, 'activity.js'), sourcemap: production ? false : 'linked', minify: production });
  copyFileSync(join(ROOT, 'src/webview/activity.css'), join(outdir, 'activity.css'));
  const codicons = dirname(require.resolve('@vscode/codicons/dist/codicon.css'));
  copyFileSync(join(codicons, 'codicon.css'), join(outdir, 'codicon.css'));
  copyFileSync(join(codicons, 'codicon.ttf'), join(outdir, 'codicon.ttf'));
}

/** The stand-in for VS Code's side of the webview (acquireVsCodeApi, message delivery), for the tests and the benchmark. */
export async function buildHostStub({ outfile }) {
  await build({ ...browser, entryPoints: [join(ROOT, 'test/webview/page/hostStub.ts')], outfile });
}

/** The benchmark's peer: the same rows, naively re-rendered whole on every message (bench/webviewNaive.ts). */
export async function buildNaivePeer({ outfile }) {
  await build({ ...browser, minify: true, entryPoints: [join(ROOT, 'bench/webviewNaive.ts')], outfile });
}
