import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Builds dist/ once, before any file runs, when it is older than the sources.
    globalSetup: ['test/support/build-once.ts'],
    // The floor tests take the whole machine: vitest.scale.config.ts runs them alone, afterwards.
    exclude: [...configDefaults.exclude, 'test/scale/**'],
    // Network-namespace and process tests spawn real nodes; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // netns tests share global state (namespaces, bridges): they serialise themselves by prefix,
    // but two cores do not benefit from more than two workers.
    maxWorkers: 2,
  },
});
