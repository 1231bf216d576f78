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
    // time finish in about half the time; VITEST_MAX_WORKERS overrides. `npm test` runs the drills
    // (test/e2e/*-drill.e2e.test.ts) after the rest, by themselves: each starts several real servers with a pool of
    // up to 10 PostgreSQL connections, and beside three PostgreSQL contract files that passed the server's default
    // limit of 100 connections (error 53300, seen on a fast 2-core machine on 2026-11-30).
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? 3),
    reporters: ['default', new SummaryReporter()],
  },
});

// vitest needs a default export from its config file; the lint rule is about our modules.
// eslint-disable-next-line no-restricted-syntax
export default config;
