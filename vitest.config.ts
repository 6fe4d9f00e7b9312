import { defineConfig } from 'vitest/config';

export default defineConfig({
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
