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
