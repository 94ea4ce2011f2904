import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Database and multi-process suites share one PostgreSQL and the machine has 2 cores.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: { name: 'suites', include: ['test/**/*.test.ts'], exclude: ['test/fleet/**'] },
      },
      // The fleet test measures how 200 devices fare on two server processes with 2 s tokens; run
      // beside the browser and interop suites on 2 cores, it measured their CPU, not Tessera. So it
      // runs after every other suite, alone (groupOrder), in the same `npm test`.
      {
        extends: true,
        test: { name: 'fleet', include: ['test/fleet/**/*.test.ts'], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
