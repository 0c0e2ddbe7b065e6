import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';

/** A connection pool and the Drizzle database over it. */
export interface Database<TSchema extends Record<string, unknown>> {
  db: PostgresJsDatabase<TSchema>;
  /** The raw postgres.js client, for health checks and hand-written SQL in repositories. */
  sql: postgres.Sql;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Pool size (default 10). */
  max?: number;
  /** Shown in `pg_stat_activity`. */
  applicationName?: string;
  /** Called with the text of every statement sent (tests count round trips with it). */
  onQuery?: (query: string) => void;
}

/**
 * Opens a pool to `url`. Sessions run in UTC so that timestamps travel unambiguously; presentation in
 * Asia/Tokyo happens at the edge.
 */
export function connect<TSchema extends Record<string, unknown>>(
  url: string,
  schema: TSchema,
  options: ConnectOptions = {},
): Database<TSchema> {
  const sql = postgres(url, {
    max: options.max ?? 10,
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => undefined,
    connection: { application_name: options.applicationName ?? 'kyoyo', TimeZone: 'UTC' },
    ...(options.onQuery ? { debug: (_connection: number, query: string) => options.onQuery!(query) } : {}),
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
