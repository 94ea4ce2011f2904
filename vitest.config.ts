import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Database and multi-process suites share one PostgreSQL and the machine has 2 cores.
    maxWorkers: 2,
  },
});
