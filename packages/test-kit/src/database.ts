import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { ensureDatabase, equipmentMigrationsFolder, runMigrations, withDatabase } from '@kyoyo/db';

/** A fresh database for one test file, migrated with the production migrations. */
export async function createTestDatabase(migrationsFolder = equipmentMigrationsFolder): Promise<string> {
  const adminUrl = inject('pgAdminUrl');
  const name = `${inject('pgRunPrefix')}${randomBytes(4).toString('hex')}`;
  await ensureDatabase(adminUrl, name);
  const url = withDatabase(adminUrl, name);
  await runMigrations(url, migrationsFolder);
  return url;
}
