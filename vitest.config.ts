import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    // CLI tests spawn node processes; on a loaded two-core machine one start can take tens of seconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: more workers only add contention on the shared PostgreSQL and Redis.
    poolOptions: { forks: { maxForks: 2 } },
  },
});
