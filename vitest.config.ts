import { defineConfig } from 'vitest/config';
import { SummaryReporter } from './test/helpers/summary-reporter.js';

export const config = defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // vitest's default is one worker per core minus one: a single worker on a 2-core CI machine. Most of the
    // suite waits on PostgreSQL, Dovecot, child processes and fsync rather than computing, so three files at a
    // time finish in about half the time; VITEST_MAX_WORKERS overrides.
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? 3),
    reporters: ['default', new SummaryReporter()],
  },
});

// vitest needs a default export from its config file; the lint rule is about our modules.
// eslint-disable-next-line no-restricted-syntax
export default config;
