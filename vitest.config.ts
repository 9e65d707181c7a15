import { defineConfig } from 'vitest/config';

// One vitest run for the whole repository: unit tests beside the code, cross-package tests in test/.
export default defineConfig({
  test: {
    include: ['*/src/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '.tools/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
