import type { BuildOptions } from 'esbuild';
import { createRequire } from 'node:module';

/**
 * How the tests bundle a Node program (the CLI, an extension-host stand-in), as scripts/build.mjs does for dist/:
 * CommonJS for Node 20, jsonc-parser's ESM build, web-tree-sitter's CJS build in a CJS bundle.
 */
export const NODE_BUNDLE: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  plugins: [{ name: 'cjs-web-tree-sitter', setup: (b) => void b.onResolve({ filter: /^web-tree-sitter$/ }, () => ({ path: createRequire(__filename).resolve('web-tree-sitter') })) }],
};
