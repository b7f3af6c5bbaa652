import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/webview/**/*.test.ts'],
    globalSetup: ['test/unit/globalSetup.ts'],
    setupFiles: ['test/unit/setupEnv.ts'],
    testTimeout: 20_000,
  },
});
