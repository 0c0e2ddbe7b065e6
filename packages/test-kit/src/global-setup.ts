/**
 * Vitest global setup for tests that need PostgreSQL: the server named by `DATABASE_URL` when set (CI),
 * otherwise an embedded server started for this run and deleted afterwards. Tests get the admin URL
 * through `inject('pgAdminUrl')` and make their own databases with `createTestDatabase`; every database
 * this run made is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { dropDatabase, listDatabases, startEmbeddedPostgres, type EmbeddedServer } from '@kyoyo/db';

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
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: join(tmpdir(), `kyoyo-test-${process.pid}-${randomBytes(3).toString('hex')}`, 'data'),
      persistent: false,
    });
    adminUrl = embedded.adminUrl;
  }
  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgRunPrefix', runPrefix);

  return async () => {
    if (embedded) {
      await embedded.stop();
      return;
    }
    for (const name of await listDatabases(adminUrl, runPrefix)) await dropDatabase(adminUrl, name);
  };
}
