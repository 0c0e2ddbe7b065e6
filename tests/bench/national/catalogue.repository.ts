/**
 * The benchmark's databases, built with SQL the services never run: a base catalogue cloned into shards
 * (`CREATE DATABASE … TEMPLATE`), scaled up in place, given a booking history. Everything else goes through
 * the production migrations and `InstrumentsRepository`.
 */
import postgres from 'postgres';
import { withDatabase } from '@kyoyo/db';

type Sql = postgres.Sql;

const open = (url: string): Sql => postgres(url, { max: 1, onnotice: () => undefined });

async function withSql<T>(url: string, work: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = open(url);
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** `CREATE DATABASE name TEMPLATE template` (nothing may be connected to the template). */
export async function cloneDatabase(adminUrl: string, template: string, name: string): Promise<string> {
  await withSql(adminUrl, (sql) => sql.unsafe(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return withDatabase(adminUrl, name);
}

/** Server version and the settings that shape query plans, for the report. */
export async function serverFacts(url: string): Promise<{ version: string; sharedBuffers: string; workMem: string }> {
  return withSql(url, async (sql) => {
    const [row] = await sql<{ version: string; sb: string; wm: string }[]>`
      SELECT current_setting('server_version') AS version, current_setting('shared_buffers') AS sb,
             current_setting('work_mem') AS wm`;
    return { version: row!.version, sharedBuffers: row!.sb, workMem: row!.wm };
  });
}

/** How many connections the server accepts (`max_connections`). */
export async function maxConnectionsOf(url: string): Promise<number> {
  return withSql(url, async (sql) => {
    const [row] = await sql<{ max: number }[]>`SELECT current_setting('max_connections')::int AS max`;
    return row!.max;
  });
}

/** Keeps only the listings with these ids (and their fees, hours and bookings), then compacts and analyses. */
export async function keepOnly(url: string, ids: readonly number[]): Promise<void> {
  await withSql(url, async (sql) => {
    const keep = sql.array([...ids].map(String), 20);
    await sql.begin(async (tx) => {
      for (const table of ['bookings', 'fee_rates', 'open_hours']) {
        await tx.unsafe(`DELETE FROM ${table} WHERE NOT (instrument_id = ANY($1::bigint[]))`, [keep as never]);
      }
      await tx.unsafe(`DELETE FROM instruments WHERE NOT (id = ANY($1::bigint[]))`, [keep as never]);
    });
    await sql.unsafe('VACUUM (FULL, ANALYZE) instruments, fee_rates, open_hours, bookings');
  });
}

/** Columns of `table` that copies take over (all but generated ids and timestamps). */
async function copiedColumns(sql: Sql, table: string): Promise<string[]> {
  const rows = await sql<{ column_name: string }[]>`
    SELECT column_name FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name = ${table}
      AND column_name NOT IN ('id', 'created_at', 'updated_at') AND is_identity = 'NO'
    ORDER BY ordinal_position`;
  return rows.map((r) => r.column_name);
}

/**
 * Scales the catalogue of `url` up to `factor` times its listings: copy k (1 … factor − 1) of a listing has
 * local id `<id>~k`, the same names, texts, category, fees and hours (so the same word and category
 * distributions), its price varied by up to ±20% and its location moved by up to ±0.02°. The secondary
 * indexes are dropped for the copy and built again after it, exactly as the migrations define them.
 */
export async function scaleUp(url: string, factor: number): Promise<{ listings: number; ms: number }> {
  const started = performance.now();
  return withSql(url, async (sql) => {
    if (factor > 1) {
      await sql`SET maintenance_work_mem = '512MB'`;
      const indexes = await sql<{ name: string; definition: string }[]>`
        SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
        FROM pg_index i
        WHERE i.indrelid = 'instruments'::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`;
      const columns = await copiedColumns(sql, 'instruments');
      const varied: Record<string, string> = {
        local_id: `local_id || '~' || k`,
        acquisition_price: `(acquisition_price * (0.8 + ((k * 7919 + id) % 41) / 100.0))::bigint`,
        latitude: `latitude + (((k * 31 + id) % 41) - 20) / 1000.0`,
        longitude: `longitude + (((k * 17 + id) % 41) - 20) / 1000.0`,
      };
      await sql.begin(async (tx) => {
        for (const index of indexes) await tx.unsafe(`DROP INDEX ${index.name}`);
        await tx.unsafe(
          `INSERT INTO instruments (${columns.join(', ')})
           SELECT ${columns.map((c) => varied[c] ?? c).join(', ')}
           FROM instruments CROSS JOIN generate_series(1, ${factor - 1}) AS k
           WHERE decommissioned_at IS NULL`,
        );
        // The copies' fees and hours are found through local ids: that index first, and statistics that know
        // the table grew (planned on the old count, the join below is a nested loop: minutes at 500,000).
        const localId = indexes.find((index) => /\(local_id\)/.test(index.definition));
        if (localId) await tx.unsafe(localId.definition);
        await tx.unsafe('ANALYZE instruments');
        for (const table of ['fee_rates', 'open_hours']) {
          const cols = (await copiedColumns(tx as unknown as Sql, table)).filter((c) => c !== 'instrument_id');
          await tx.unsafe(
            `INSERT INTO ${table} (instrument_id, ${cols.join(', ')})
             SELECT copy.id, ${cols.map((c) => `t.${c}`).join(', ')}
             FROM instruments copy
             JOIN instruments original ON original.local_id = split_part(copy.local_id, '~', 1)
             JOIN ${table} t ON t.instrument_id = original.id
             WHERE copy.local_id LIKE '%~%'`,
          );
        }
        for (const index of indexes) if (index !== localId) await tx.unsafe(index.definition);
      });
    }
    await sql.unsafe('VACUUM ANALYZE instruments, fee_rates, open_hours');
    const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM instruments WHERE decommissioned_at IS NULL`;
    return { listings: row!.n, ms: performance.now() - started };
  });
}

/**
 * A past year of use for the sharing report: for every third listing, three finished two-hour bookings between
 * April and October of `fiscalYear` (one in four of them by an outside user).
 */
export async function seedBookingHistory(url: string, fiscalYear: number): Promise<number> {
  return withSql(url, async (sql) => {
    const rows = await sql.unsafe<{ id: number }[]>(
      `INSERT INTO bookings (instrument_id, requester_id, requester_organization, requester_institution,
         user_category, mode, period, status, fee, purpose, idempotency_key, request_hash)
       SELECT i.id, 'bench-user-' || (i.id % 97), CASE WHEN k = 3 THEN 'Bench Industry KK' ELSE 'Bench University' END,
         NULL, CASE WHEN k = 3 THEN 'INDUSTRY' ELSE 'ACADEMIC' END::user_category, 'SELF',
         tstzrange(day + time '01:00', day + time '03:00'), 'COMPLETED', 8000, 'benchmark history',
         'history-' || i.id || '-' || k, 'history'
       FROM instruments i
       CROSS JOIN generate_series(1, 3) AS k
       CROSS JOIN LATERAL (SELECT make_date($1, 4, 1) + ((i.id * 7 + k * 61) % 200)::int AS day) d
       WHERE i.id % 3 = 0
       RETURNING id`,
      [fiscalYear],
    );
    await sql.unsafe('ANALYZE bookings');
    return rows.length;
  });
}

/** Instruments of a catalogue by local id: their database ids and booking-relevant flags. */
export async function instrumentIds(url: string): Promise<{ id: number; localId: string; bookable: boolean }[]> {
  return withSql(
    url,
    (sql) =>
      sql<{ id: number; localId: string; bookable: boolean }[]>`
      SELECT id::int AS id, local_id AS "localId",
             (shared_externally AND NOT requires_approval AND NOT requires_qualification) AS bookable
      FROM instruments WHERE decommissioned_at IS NULL ORDER BY id`,
  );
}

/** On-disk size of the gateway's national catalogue (its `catalogue_*` tables with indexes and TOAST) and of its whole database (bytes). */
export async function catalogueSize(url: string): Promise<{ catalogue: number; database: number }> {
  return withSql(url, async (sql) => {
    const [row] = await sql<{ catalogue: string; database: string }[]>`
      SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS catalogue,
             pg_database_size(current_database())::bigint AS database
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'catalogue\\_%'`;
    return { catalogue: Number(row!.catalogue), database: Number(row!.database) };
  });
}
