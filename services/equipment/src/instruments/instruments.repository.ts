import { and, asc, count, eq, getTableColumns, inArray, isNull, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import { equipmentSchema, translateConstraintViolation } from '@kyoyo/db';
import { DEFAULT_OPEN_HOURS, escapeLike } from '@kyoyo/domain';
import type {
  FacetCount,
  Instrument,
  InstrumentListing,
  SearchCandidate,
  SearchColumns,
  SearchCriteria,
  SearchHit,
} from './instruments.types';

const { instrumentsTable: t, feeRatesTable, openHoursTable } = equipmentSchema;

export type EquipmentDb = PostgresJsDatabase<typeof equipmentSchema>;

type Row = typeof t.$inferSelect;

/** The listing's own columns, without the derived search columns (long texts and token arrays no caller reads back). */
export const {
  nameNorm: _n,
  nameEnNorm: _e,
  searchText: _s,
  searchTokens: _k,
  compactText: _c,
  ...LISTING_COLUMNS
} = getTableColumns(t);
export type ListingRow = Omit<Row, 'nameNorm' | 'nameEnNorm' | 'searchText' | 'searchTokens' | 'compactText'>;

/** A transaction of an equipment database. */
export type Transaction = Parameters<Parameters<EquipmentDb['transaction']>[0]>[0];

/**
 * Takes the row lock that every change to what is free on an instrument takes first (a booking that holds
 * a slot, a closure, an approval): `FOR NO KEY UPDATE` on the listed instrument, held to the end of the
 * transaction. False when there is no listed instrument with this id.
 */
export async function lockInstrument(tx: Transaction, instrumentId: number | SQL): Promise<boolean> {
  const [row] = await tx
    .select({ id: t.id })
    .from(t)
    .where(and(eq(t.id, instrumentId), isNull(t.decommissionedAt)))
    .for('no key update');
  return row !== undefined;
}

/** A listing as the rules see it, from its row. */
export function toInstrument(row: ListingRow): Instrument {
  return {
    id: row.id,
    localId: row.localId,
    name: row.name,
    nameEn: row.nameEn,
    category: row.category,
    manufacturer: row.manufacturer,
    model: row.model,
    description: row.description,
    acquisitionPrice: row.acquisitionPrice,
    acquiredOn: row.acquiredOn,
    building: row.building,
    location: row.latitude !== null && row.longitude !== null ? { latitude: row.latitude, longitude: row.longitude } : null,
    sharedExternally: row.sharedExternally,
    remoteOperable: row.remoteOperable,
    requiresApproval: row.requiresApproval,
    requiresQualification: row.requiresQualification,
    maxBookingMinutes: row.maxBookingMinutes,
    cancellationFreeHours: row.cancellationFreeHours,
    cancellationFeePercent: row.cancellationFeePercent,
    decommissionedAt: row.decommissionedAt,
  };
}

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance in SQL from the instrument (or the fallback location) to `point`. */
function distanceSql(
  point: { latitude: number; longitude: number },
  fallback: { latitude: number; longitude: number } | null,
): SQL {
  const lat = fallback ? sql`coalesce(${t.latitude}, ${fallback.latitude}::float8)` : sql`${t.latitude}`;
  const lon = fallback ? sql`coalesce(${t.longitude}, ${fallback.longitude}::float8)` : sql`${t.longitude}`;
  return sql`(${EARTH_RADIUS_KM}::float8 * 2 * asin(least(1, sqrt(
    power(sin(radians(${lat} - ${point.latitude}::float8) / 2), 2)
    + cos(radians(${point.latitude}::float8)) * cos(radians(${lat})) * power(sin(radians(${lon} - ${point.longitude}::float8) / 2), 2)))))`;
}

function textArray(values: string[]): SQL {
  return sql`ARRAY[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::text[]`;
}

/**
 * How well `column` (a normalised name) matches the query: a tier by where it matches (whole name 0.9,
 * name prefix 0.8, inside the name 0.7, all words in the name 0.6), plus up to 0.1 for the share of the
 * name the query covers; null when the name does not hold the query.
 */
function nameMatchSql(column: AnyColumn, c: SearchCriteria & { query: string }): SQL {
  const like = `%${escapeLike(c.query)}%`;
  const allWords = sql.join(
    c.words.map((w) => sql`${column} LIKE ${`%${escapeLike(w)}%`}`),
    sql` AND `,
  );
  const tier = sql`CASE
    WHEN ${column} = ${c.query} THEN 0.9
    WHEN starts_with(${column}, ${c.query}) THEN 0.8
    WHEN ${column} LIKE ${like} THEN 0.7
    WHEN ${allWords} THEN 0.6 END`;
  const coverage = sql`least(1, ${[...c.query].length}::float8 / greatest(char_length(${column}), 1))`;
  return sql`(${tier} + 0.1 * ${coverage})`;
}

/**
 * Relevance in [0, 1], the same formula at every institution so the gateway can merge lists: the better of
 * the Japanese and the English name's match, or 0.4 for a match elsewhere (maker, model, category,
 * description). Rounded so that ties are exact.
 */
function scoreSql(c: SearchCriteria): SQL {
  if (!c.query) return sql`0::float8`;
  const query = { ...c, query: c.query };
  const best = sql`greatest(${nameMatchSql(t.nameNorm, query)}, ${nameMatchSql(t.nameEnNorm, query)})`;
  return sql`round(coalesce(${best}, 0.4)::numeric, 6)::float8`;
}

function whereSql(c: SearchCriteria): SQL {
  const conditions: SQL[] = [isNull(t.decommissionedAt)];
  for (const word of c.words) conditions.push(sql`${t.searchText} LIKE ${`%${escapeLike(word)}%`}`);
  if (c.tokens.length > 0) conditions.push(sql`${t.searchTokens} @> ${textArray(c.tokens)}`);
  if (c.categories) conditions.push(inArray(t.category, c.categories));
  if (c.minAcquisitionPrice !== null) conditions.push(sql`${t.acquisitionPrice} >= ${c.minAcquisitionPrice}`);
  if (c.sharedExternally !== null) conditions.push(eq(t.sharedExternally, c.sharedExternally));
  if (c.remoteOperable !== null) conditions.push(eq(t.remoteOperable, c.remoteOperable));
  if (c.near) conditions.push(sql`${distanceSql(c.near.point, c.fallbackLocation)} <= ${c.near.radiusKm}::float8`);
  return and(...conditions)!;
}

/** Rows per insert statement of a bulk upsert (PostgreSQL allows 65,535 parameters; a row has 25). */
const UPSERT_CHUNK = 1000;

export function rowValuesOf(listing: InstrumentListing, search: SearchColumns): typeof t.$inferInsert {
  return {
    localId: listing.localId,
    name: listing.name,
    nameEn: listing.nameEn,
    category: listing.category,
    manufacturer: listing.manufacturer,
    model: listing.model,
    description: listing.description,
    acquisitionPrice: listing.acquisitionPrice,
    acquiredOn: listing.acquiredOn,
    building: listing.building,
    latitude: listing.location?.latitude ?? null,
    longitude: listing.location?.longitude ?? null,
    sharedExternally: listing.sharedExternally,
    remoteOperable: listing.remoteOperable,
    requiresApproval: listing.requiresApproval,
    requiresQualification: listing.requiresQualification,
    maxBookingMinutes: listing.maxBookingMinutes,
    cancellationFreeHours: listing.cancellationFreeHours,
    cancellationFeePercent: listing.cancellationFeePercent,
    ...search,
  };
}

/** On conflict, every listing column takes the proposed row's value (`excluded.*`). */
const EXCLUDED_LISTING_COLUMNS = Object.fromEntries(
  (
    [
      'name',
      'nameEn',
      'category',
      'manufacturer',
      'model',
      'description',
      'acquisitionPrice',
      'acquiredOn',
      'building',
      'latitude',
      'longitude',
      'sharedExternally',
      'remoteOperable',
      'requiresApproval',
      'requiresQualification',
      'maxBookingMinutes',
      'cancellationFreeHours',
      'cancellationFeePercent',
      'nameNorm',
      'nameEnNorm',
      'searchText',
      'searchTokens',
      'compactText',
    ] as const
  ).map((key) => [key, sql.raw(`excluded.${t[key].name}`)]),
);

/**
 * Keyset paging: rows strictly after `c.after` in the order (`key`, id), `key` descending for relevance and
 * ascending with nulls last otherwise. A null `after.id` skips every row whose key equals `after.key`.
 */
function afterSql(c: SearchCriteria, key: SQL): SQL | undefined {
  if (!c.after) return undefined;
  const value = c.sort === 'PRICE_ASC' ? sql`${c.after.key}::bigint` : sql`${c.after.key}::float8`;
  const tie = c.after.id === null ? sql`false` : sql`${t.id} > ${c.after.id}`;
  if (c.after.key === null) return sql`(${key} IS NULL AND ${tie})`;
  if (c.sort === 'RELEVANCE') return sql`(${key} < ${value} OR (${key} = ${value} AND ${tie}))`;
  return sql`(${key} > ${value} OR ${key} IS NULL OR (${key} = ${value} AND ${tie}))`;
}

/** Instruments of one institution's database. The only place that knows their tables. */
export class InstrumentsRepository {
  constructor(private readonly db: EquipmentDb) {}

  /** Listed (not decommissioned, unless asked) instruments with these ids, in no particular order. */
  async findByIds(ids: readonly number[], options: { includeDecommissioned?: boolean } = {}): Promise<Instrument[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .select(LISTING_COLUMNS)
      .from(t)
      .where(and(inArray(t.id, [...ids]), options.includeDecommissioned ? undefined : isNull(t.decommissionedAt)));
    return rows.map(toInstrument);
  }

  async findByLocalId(localId: string): Promise<Instrument | null> {
    const [row] = await this.db.select().from(t).where(eq(t.localId, localId));
    return row ? toInstrument(row) : null;
  }

  /** Number of listed instruments. */
  async countListed(): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(t).where(isNull(t.decommissionedAt));
    return row?.n ?? 0;
  }

  /** The query of one page of matches in the requested order (ties by id), after `c.after` when given. */
  private pageQuery(c: SearchCriteria) {
    const score = scoreSql(c);
    const distance = c.near ? distanceSql(c.near.point, c.fallbackLocation) : sql`NULL::float8`;
    const key = c.sort === 'DISTANCE' ? distance : c.sort === 'PRICE_ASC' ? sql`${t.acquisitionPrice}` : score;
    const order = c.sort === 'RELEVANCE' ? sql`${key} DESC` : sql`${key} ASC NULLS LAST`;
    return this.db
      .select({
        row: LISTING_COLUMNS,
        score: sql<number>`${score}`.as('score'),
        distance: sql<number | null>`${distance}`.as('distance'),
      })
      .from(t)
      .where(and(whereSql(c), afterSql(c, key)))
      .orderBy(order, asc(t.id))
      .limit(c.limit);
  }

  /** One page of matches; sorts that need availability go through `candidates` instead. */
  async search(c: SearchCriteria): Promise<Omit<SearchHit, 'availableFrom'>[]> {
    const rows = await this.pageQuery(c);
    return rows.map((r) => ({
      instrument: toInstrument(r.row),
      score: Number(r.score),
      distanceKm: r.distance === null ? null : Number(r.distance),
    }));
  }

  /** PostgreSQL's plan for the page query of `search(c)` (`EXPLAIN` text), for tests and benchmarks. */
  async explainSearch(c: SearchCriteria, options: { analyze?: boolean } = {}): Promise<string> {
    const explain = options.analyze ? sql.raw('EXPLAIN (ANALYZE, BUFFERS)') : sql.raw('EXPLAIN');
    const rows = await this.db.execute<{ 'QUERY PLAN': string }>(sql`${explain} ${this.pageQuery(c)}`);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }

  /** Every match, with what ordering needs but not the listing itself (for availability-aware searches). */
  async candidates(c: SearchCriteria): Promise<SearchCandidate[]> {
    const distance = c.near ? distanceSql(c.near.point, c.fallbackLocation) : sql`NULL::float8`;
    const rows = await this.db
      .select({
        id: t.id,
        category: t.category,
        score: sql<number>`${scoreSql(c)}`,
        distanceKm: sql<number | null>`${distance}`,
        acquisitionPrice: t.acquisitionPrice,
      })
      .from(t)
      .where(whereSql(c));
    return rows.map((r) => ({ ...r, score: Number(r.score), distanceKm: r.distanceKm === null ? null : Number(r.distanceKm) }));
  }

  /**
   * For each probe, in order, up to `limit` listed instruments that may be equivalent: those whose compacted
   * name or model holds one of the probe's model keys, or whose Japanese or English name is like the probe's
   * text (pg_trgm word similarity at least 0.4), all served by trigram indexes. Model hits first, then by word
   * similarity. Only the listing's own columns come back. One
   * transaction, so the similarity threshold set for it stays local. (Matching the search text as well found
   * little more on real listings and took four times as long: its rows are long to recheck.)
   */
  async equivalenceCandidates(
    probes: readonly { modelKeys: readonly string[]; text: string }[],
    limit: number,
  ): Promise<Instrument[][]> {
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT set_config('pg_trgm.word_similarity_threshold', '0.4', true)`);
      const results: Instrument[][] = [];
      for (const probe of probes) {
        const modelHit =
          probe.modelKeys.length > 0
            ? sql`(${sql.join(
                probe.modelKeys.map((k) => sql`${t.compactText} LIKE ${`%${escapeLike(k)}%`}`),
                sql` OR `,
              )})`
            : null;
        const textHit = probe.text ? sql`(${probe.text} <% ${t.nameNorm} OR ${probe.text} <% ${t.nameEnNorm})` : null;
        const hits = [modelHit, textHit].filter((hit): hit is SQL => hit !== null);
        if (hits.length === 0) {
          results.push([]);
          continue;
        }
        const order = [
          ...(modelHit ? [sql`${modelHit} DESC`] : []),
          ...(probe.text
            ? [
                sql`greatest(word_similarity(${probe.text}, ${t.nameNorm}), word_similarity(${probe.text}, coalesce(${t.nameEnNorm}, ''))) DESC`,
              ]
            : []),
          asc(t.id),
        ];
        const rows = await tx
          .select(LISTING_COLUMNS)
          .from(t)
          .where(and(isNull(t.decommissionedAt), sql`(${sql.join(hits, sql` OR `)})`))
          .orderBy(...order)
          .limit(limit);
        results.push(rows.map(toInstrument));
      }
      return results;
    });
  }

  /** Total matches and their categories, most frequent first. */
  async aggregate(c: SearchCriteria): Promise<{ totalCount: number; categories: FacetCount[] }> {
    const rows = await this.db
      .select({ value: t.category, count: count() })
      .from(t)
      .where(whereSql(c))
      .groupBy(t.category)
      .orderBy(sql`count(*) DESC`, asc(t.category));
    return { totalCount: rows.reduce((sum, r) => sum + r.count, 0), categories: rows };
  }

  /**
   * Creates or updates the listing with `listing.localId`, with its search columns, in one transaction:
   * the fee schedule is replaced when given; a new listing gets default open hours.
   */
  async upsert(listing: InstrumentListing, search: SearchColumns): Promise<{ instrument: Instrument; created: boolean }> {
    const [result] = await this.upsertMany([{ listing, search }]);
    if (!result) throw new Error('upsert returned no row');
    return result;
  }

  /**
   * Creates or updates many listings (distinct `localId`s) in one transaction, all or nothing, a chunk of rows
   * per statement: fee schedules are replaced where given; new listings get default open hours. Results
   * come back in input order.
   */
  async upsertMany(
    entries: readonly { listing: InstrumentListing; search: SearchColumns }[],
  ): Promise<{ instrument: Instrument; created: boolean }[]> {
    if (entries.length === 0) return [];
    try {
      return await this.db.transaction((tx) => writeListings(tx, entries));
    } catch (error) {
      throw translateConstraintViolation(error);
    }
  }
}

/**
 * Inside `tx`: creates or updates listings (distinct `localId`s), a chunk of rows per statement; fee schedules
 * are replaced where given; new listings get default open hours (or their own). Results in input order.
 */
export async function writeListings(
  tx: Transaction,
  entries: readonly { listing: InstrumentListing; search: SearchColumns }[],
): Promise<{ instrument: Instrument; created: boolean }[]> {
  const results: { instrument: Instrument; created: boolean }[] = [];
  for (let i = 0; i < entries.length; i += UPSERT_CHUNK) {
    const chunk = entries.slice(i, i + UPSERT_CHUNK);
    const rows = await tx
      .insert(t)
      .values(chunk.map(({ listing, search }) => rowValuesOf(listing, search)))
      .onConflictDoUpdate({ target: t.localId, set: { ...EXCLUDED_LISTING_COLUMNS, updatedAt: sql`now()` } })
      .returning({ ...getTableColumns(t), created: sql<boolean>`(xmax = 0)` });
    const byLocalId = new Map(rows.map(({ created, ...stored }) => [stored.localId, { stored, created }]));
    const fees: (typeof feeRatesTable.$inferInsert)[] = [];
    const hours: (typeof openHoursTable.$inferInsert)[] = [];
    const feesReplaced: number[] = [];
    const hoursReplaced: number[] = [];
    for (const { listing } of chunk) {
      const row = byLocalId.get(listing.localId);
      if (!row) throw new Error(`upsert returned no row for ${listing.localId}`);
      const id = row.stored.id;
      if (listing.fees) {
        feesReplaced.push(id);
        fees.push(...listing.fees.map((f) => ({ instrumentId: id, ...f })));
      }
      if (row.created || listing.openHours) {
        hoursReplaced.push(id);
        hours.push(...(listing.openHours ?? DEFAULT_OPEN_HOURS).map((h) => ({ instrumentId: id, ...h })));
      }
      results.push({ instrument: toInstrument(row.stored), created: row.created });
    }
    if (feesReplaced.length > 0) await tx.delete(feeRatesTable).where(inArray(feeRatesTable.instrumentId, feesReplaced));
    if (fees.length > 0) await tx.insert(feeRatesTable).values(fees);
    if (hoursReplaced.length > 0) await tx.delete(openHoursTable).where(inArray(openHoursTable.instrumentId, hoursReplaced));
    if (hours.length > 0) await tx.insert(openHoursTable).values(hours);
  }
  return results;
}
