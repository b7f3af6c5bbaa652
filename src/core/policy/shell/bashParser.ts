import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Language, Parser } from 'web-tree-sitter';

export { SyntaxNode } from './syntaxTree.js';

/**
 * The WASM files: beside the bundle in dist/ (the extension and the CLI; the build copies them there), or in
 * node_modules when running from source (tests).
 */
function wasmPath(file: 'tree-sitter.wasm' | 'tree-sitter-bash.wasm'): string {
  const beside = join(__dirname, file);
  if (existsSync(beside)) return beside;
  return require.resolve(file === 'tree-sitter.wasm' ? 'web-tree-sitter/tree-sitter.wasm' : 'tree-sitter-bash/tree-sitter-bash.wasm');
}

let loading: Promise<Parser> | undefined;

/**
 * The bash grammar (tree-sitter-bash through web-tree-sitter). Loaded on first use, never at activation:
 * about 30 ms of WASM start-up.
 */
export function loadBashParser(): Promise<Parser> {
  loading ??= (async () => {
    await Parser.init({ locateFile: () => wasmPath('tree-sitter.wasm') });
    const bash = await Language.load(wasmPath('tree-sitter-bash.wasm'));
    const parser = new Parser();
    parser.setLanguage(bash);
    return parser;
  })();
  return loading;
}
