import { defineConfig } from 'vitest/config';

const globalSetup = ['packages/test-kit/src/global-setup.ts'];

/**
 * Three tiers (CONVENTIONS.md): `unit` (pure, beside the code), `int` (real PostgreSQL through the
 * production migrations), `e2e` (gateway and services as real processes' code over HTTP); and `bench`, the
 * benchmarks (`npm run bench`; `npm test` runs the three tiers only), which write their tables to BENCHMARKS.md.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{packages,services,gateway,infra}/**/src/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.int.test.ts'],
        },
      },
      {
        test: {
          name: 'int',
          include: ['{packages,services,gateway,infra}/**/src/**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup,
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'bench',
          include: ['tests/bench/**/*.bench.ts'],
          globalSetup,
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.e2e.test.ts'],
          globalSetup,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
