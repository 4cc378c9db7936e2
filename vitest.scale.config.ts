import { defineConfig } from 'vitest/config';

// The floor tests take every core of the machine (dozens of node processes at once): they run
// alone, after the main suite (`npm test` runs both), so they neither slow other tests down nor
// are slowed by them.
export default defineConfig({
  test: {
    include: ['test/scale/**/*.test.ts'],
    globalSetup: ['test/support/build-once.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
