import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql 16 has no "exports": Node (and every dependency it loads) gets
    // its CommonJS build via "main", while Vite would pick the ESM build via
    // "module" for our own files — two graphql instances. Use Node's choice.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // One embedded PostgreSQL for the run, migrated once into a template;
    // every test file clones its own database from it (test/support/database.ts).
    globalSetup: ['test/support/globalSetup.ts'],
    pool: 'forks',
    // The WebAssembly schema engine (migrations) triggers an experimental-feature warning on import.
    execArgv: ['--disable-warning=ExperimentalWarning'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
