import { defineConfig } from 'vitest/config';

export const config = defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

// vitest needs a default export from its config file; the lint rule is about our modules.
// eslint-disable-next-line no-restricted-syntax
export default config;
