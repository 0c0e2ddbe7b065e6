import postgres from 'postgres';

/** `url` with its database name replaced by `database`. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** The database name of a connection URL. */
export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

const SAFE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function assertSafeName(name: string): void {
  if (!SAFE_NAME.test(name)) throw new Error(`unsafe database name: ${name}`);
}

/**
 * Creates database `name` on the server of `adminUrl` unless it exists. Returns true when it was created.
 * Safe to call from several processes at once.
 */
export async function ensureDatabase(adminUrl: string, name: string): Promise<boolean> {
  assertSafeName(name);
  const sql = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await sql<{ exists: boolean }[]>`SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ${name}) AS exists`;
    if (row?.exists) return false;
    try {
      await sql.unsafe(`CREATE DATABASE "${name}" ENCODING 'UTF8' TEMPLATE template0`);
      return true;
    } catch (error) {
      // 42P04 duplicate_database: another process created it between our check and our CREATE.
      if ((error as { code?: string }).code === '42P04') return false;
      throw error;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Drops database `name` if it exists, closing other sessions on it first. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  assertSafeName(name);
  const sql = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Names of the databases on the server of `adminUrl` that start with `prefix`. */
export async function listDatabases(adminUrl: string, prefix: string): Promise<string[]> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql<
      { datname: string }[]
    >`SELECT datname FROM pg_database WHERE starts_with(datname, ${prefix}) ORDER BY datname`;
    return rows.map((r) => r.datname);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/**
 * Why the server of `url` cannot be used, in one line (`connection refused`, `password authentication
 * failed …`), or null when it answers. For launchers that must fail with a clear message before they start.
 */
export async function serverProblem(url: string): Promise<string | null> {
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => undefined });
  try {
    await sql`SELECT 1`;
    return null;
  } catch (error) {
    const failure = error as NodeJS.ErrnoException;
    const reason = failure.code === 'ECONNREFUSED' ? 'connection refused' : failure.message || String(failure.code);
    return `cannot reach the PostgreSQL server at ${new URL(url).host} (${reason.split('\n')[0]})`;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}
