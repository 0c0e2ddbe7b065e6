import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';

/** The committed migrations of an institution's equipment database. */
export const equipmentMigrationsFolder = fileURLToPath(new URL('../migrations/equipment', import.meta.url));

/**
 * Applies every pending migration in `folder` to the database at `url`. Concurrent callers (several
 * processes starting at once) are serialised by an advisory lock, so each migration runs exactly once.
 */
export async function runMigrations(url: string, folder: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined, connection: { TimeZone: 'UTC' } });
  try {
    await sql`SELECT pg_advisory_lock(hashtext('kyoyo:migrations'))`;
    await migrate(drizzle(sql), { migrationsFolder: folder, migrationsSchema: 'drizzle' });
  } finally {
    await sql.end({ timeout: 5 });
  }
}
