import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const globalSetup = ['packages/test-kit/src/global-setup.ts'];

/**
 * Three tiers (CONVENTIONS.md): `unit` (pure, beside the code), `int` (real PostgreSQL through the
 * production migrations), `e2e` (gateway and services as real processes' code over HTTP); and `bench`, the
 * benchmarks (`npm run bench`; `npm test` runs the three tiers only), which write their tables to BENCHMARKS.md.
 */
/**
 * Node loads `graphql` as CommonJS (its package has no `exports`), and so do Apollo Server and graphql-tools;
 * Vite would pick its ES module build for our own files. One copy everywhere, as in production, or
 * `instanceof` checks between the two fail ("Cannot use GraphQLObjectType from another module or realm").
 */
const graphqlCommonJs = createRequire(import.meta.url).resolve('graphql');

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlCommonJs }] },
  test: {
    // Vitest's default is one worker per core but one (a single worker on CI's 2 cores). The e2e and browser
    // files spend most of their time waiting on PostgreSQL, HTTP and Chromium, so two at a time nearly halves
    // `npm test`; every file has its own databases and ports, and the multi-host test still runs alone (groupOrder).
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{packages,services,gateway,infra}/**/src/**/*.test.ts', 'packages/console/web/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.int.test.ts'],
        },
      },
      {
        extends: true,
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
        extends: true,
        test: {
          name: 'bench',
          include: ['tests/bench/**/*.bench.ts'],
          globalSetup,
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.browser.test.ts'],
          globalSetup: [...globalSetup, 'tests/browser/support/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.e2e.test.ts'],
          globalSetup,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          // Hosts in network namespaces with injected latency, loss and partitions (needs root; see the file).
          name: 'netns',
          include: ['tests/netns/**/*.netns.test.ts'],
          // After every other project, alone: its figures are timings and its hosts take four PostgreSQLs.
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
