/**
 * Vitest global setup for tests that need PostgreSQL: the server named by `DATABASE_URL` when set (CI),
 * otherwise an embedded server started for this run and deleted afterwards. Tests get the admin URL
 * through `inject('pgAdminUrl')` and make their own databases with `createTestDatabase`; every database
 * this run made is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  dropDatabase,
  isEmbeddedPostgresError,
  listDatabases,
  serverProblem,
  startEmbeddedPostgres,
  type EmbeddedServer,
} from '@kyoyo/db';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgRunPrefix: string;
  }
}

export default async function setup(project: TestProject) {
  const runPrefix = `kyoyo_t${randomBytes(3).toString('hex')}_`;
  let embedded: EmbeddedServer | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (adminUrl) {
    const problem = await serverProblem(adminUrl);
    if (problem) {
      process.stderr.write(
        `kyoyo: the tests need PostgreSQL: ${problem}; start it, or unset DATABASE_URL to use an embedded server\n`,
      );
      process.exit(1);
    }
  }
  const workDir = join(tmpdir(), `kyoyo-test-${process.pid}-${randomBytes(3).toString('hex')}`);
  if (!adminUrl) {
    try {
      embedded = await startEmbeddedPostgres({ dataDir: join(workDir, 'data'), persistent: false });
    } catch (error) {
      // One clear line instead of a stack trace: the tests cannot run without a database.
      if (!isEmbeddedPostgresError(error)) throw error;
      await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
      process.stderr.write(`kyoyo: the tests need PostgreSQL: ${error.oneLine()}\n`);
      process.exit(1);
    }
    adminUrl = embedded.adminUrl;
  }
  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgRunPrefix', runPrefix);

  return async () => {
    if (embedded) {
      await embedded.stop();
      await rm(workDir, { recursive: true, force: true });
      return;
    }
    for (const name of await listDatabases(adminUrl, runPrefix)) await dropDatabase(adminUrl, name);
  };
}
