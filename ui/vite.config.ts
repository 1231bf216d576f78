import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The dashboard build (docs/dashboard.md): `npm run build` → dist/ui, served
 * by `triage serve` at /ui. Preact's JSX through vite's own oxc transform
 * (no plugin); nothing inlined, so the page runs under a CSP of 'self' only.
 */
export const config = defineConfig({
  root: here,
  base: '/ui/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: join(here, '..', 'dist', 'ui'),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});

// vite needs a default export from its config file; the lint rule is about our modules.
// eslint-disable-next-line no-restricted-syntax
export default config;
