// @ts-check
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'examples/', 'test-output/', '**/*.d.ts'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // The layering of DESIGN.md: only src/vscode/ talks to VS Code, so core/ runs in the CLI and the tests.
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Only src/vscode/ may import vscode (see DESIGN.md, Layers).' }] }],
    },
  },
  {
    // The webview runs in the browser (src/webview/tsconfig.json types it with the DOM, not Node). It must not import
    // vscode, nor Node built-ins; activityHtml.ts is the host's half and runs in Node.
    files: ['src/webview/**/*.ts', 'test/webview/page/**/*.ts'],
    ignores: ['src/webview/activityHtml.ts'],
    languageOptions: {
      globals: { window: 'readonly', document: 'readonly', console: 'readonly', performance: 'readonly', requestAnimationFrame: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setTimeout: 'readonly', ResizeObserver: 'readonly', PerformanceObserver: 'readonly', MessageChannel: 'readonly', CSS: 'readonly', structuredClone: 'readonly', acquireVsCodeApi: 'readonly' },
    },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'The webview cannot import vscode: it talks to the host with messages (activityProtocol.ts).' }],
        patterns: [{ group: ['node:*', '**/vscode/**', '**/cli/**', '**/agent/**', '**/tools/**'], message: 'The webview bundle runs in the browser: only core/runs (events, protocol) and src/webview/ modules.' }],
      }],
    },
  },
  {
    files: ['src/vscode/**/*.ts', 'test/vscode/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'Only src/vscode/ may import vscode (see DESIGN.md, Layers).' }],
        patterns: [{ group: ['**/vscode/**', '**/cli/**'], message: 'core/ must not reach up into vscode/ or cli/.' }],
      }],
    },
  },
);
