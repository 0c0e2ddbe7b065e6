import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';

/** A connection pool and the Drizzle database over it. */
export interface Database<TSchema extends Record<string, unknown>> {
  db: PostgresJsDatabase<TSchema>;
  /** The raw postgres.js client, for health checks and hand-written SQL in repositories. */
  sql: postgres.Sql;
  /** What the pool is doing now (`/metrics` reads it at every scrape). */
  pool: PoolUsage;
  close(): Promise<void>;
}

/**
 * How busy a pool is, counted by the pool's own client as work goes in and out. postgres.js publishes no
 * pool statistics (its connection queues are private), so this counts what passes through its public entry
 * points: statements (`sql\`…\``, `sql.unsafe`, what Drizzle sends outside a transaction) from the moment
 * they are executed until they settle, and transactions (`sql.begin`, Drizzle's `db.transaction`) from the
 * call until they commit or roll back. A statement in flight may be waiting for a connection, or share one
 * (postgres.js pipelines); a transaction holds one connection while it runs, so `transactionsInFlight`
 * near `max` means a saturated pool. Statements inside a transaction count as the transaction. Not
 * counted: cursors and `sql.reserve()` (unused in Kyoyo).
 */
export interface PoolUsage {
  /** The most connections the pool opens (its `max` option). */
  readonly max: number;
  readonly queriesInFlight: number;
  readonly transactionsInFlight: number;
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
  const client = postgres(url, {
    max: options.max ?? 10,
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => undefined,
    connection: { application_name: options.applicationName ?? 'kyoyo', TimeZone: 'UTC' },
    ...(options.onQuery ? { debug: (_connection: number, query: string) => options.onQuery!(query) } : {}),
  });
  const { sql, pool } = countingUsage(client);
  const db = drizzle(sql, { schema });
  return { db, sql, pool, close: () => sql.end({ timeout: 5 }) };
}

/** The parts of a postgres.js `Query` (3.4) that `countingUsage` hooks: it runs once, on its first `handle()`. */
interface QueryInternals {
  handle(): Promise<void>;
  executed: boolean;
  cursorRows?: number;
}

function isQuery(value: unknown): value is Promise<unknown> & QueryInternals {
  const q = value as Partial<QueryInternals> | null;
  return value instanceof Promise && typeof q?.handle === 'function' && typeof q.executed === 'boolean';
}

/**
 * `client` behind a proxy that keeps `PoolUsage` up to date: a counter up when a statement starts (postgres.js
 * starts one at its first `then`/`execute`, through `handle`) and down when it settles; the same for a
 * transaction around `begin`. A few integer operations and one promise reaction per statement.
 */
export function countingUsage(client: postgres.Sql): { sql: postgres.Sql; pool: PoolUsage } {
  const usage = { max: client.options.max, queriesInFlight: 0, transactionsInFlight: 0 };
  const queryDone = () => void (usage.queriesInFlight -= 1);
  const transactionDone = () => void (usage.transactionsInFlight -= 1);
  const counted = <T>(query: T): T => {
    if (!isQuery(query)) return query; // identifiers and fragments (`sql('name')`, `sql(object)`)
    const handle = query.handle;
    query.handle = function (this: QueryInternals) {
      if (!this.executed && this.cursorRows === undefined) {
        usage.queriesInFlight += 1;
        // The base `then` (Query's species is Promise): observes the settlement without starting anything.
        Promise.prototype.then.call(query, queryDone, queryDone);
      }
      return handle.call(this);
    };
    return query;
  };
  const unsafe = (...args: Parameters<postgres.Sql['unsafe']>) => counted(client.unsafe(...args));
  const begin = (...args: unknown[]): Promise<unknown> => {
    usage.transactionsInFlight += 1;
    const transaction = (client.begin as (...a: unknown[]) => Promise<unknown>)(...args);
    transaction.then(transactionDone, transactionDone);
    return transaction;
  };
  const sql = new Proxy(client, {
    apply: (target, thisArg, args) => counted(Reflect.apply(target, thisArg, args)),
    get: (target, property, receiver) => {
      if (property === 'unsafe') return unsafe;
      if (property === 'begin') return begin;
      return Reflect.get(target, property, receiver);
    },
  });
  return { sql, pool: usage };
}
