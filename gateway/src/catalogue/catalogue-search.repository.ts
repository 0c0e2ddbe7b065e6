import { and, asc, count, eq, inArray, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { PgSelect } from 'drizzle-orm/pg-core';
import {
  compareSortKeys,
  escapeLike,
  freeSlots,
  type FeeRate,
  type GeoPoint,
  type OpenHoursRule,
  type TimeRange,
} from '@kyoyo/domain';
import * as gatewaySchema from '../db/schema';
import type { FederatedInstrument } from '../instruments/instruments.types';
import type { GatewayDb } from '../registry/registry.repository';
import type { CatalogueCriteria, CatalogueHit, CataloguePage, FacetCount } from './catalogue.types';

const {
  catalogueInstrumentsTable: ci,
  catalogueTermsTable: ct,
  catalogueBusyPeriodsTable: cb,
  institutionsTable: inst,
} = gatewaySchema;

type Row = typeof ci.$inferSelect;

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance in SQL from the instrument (or else its institution's campus) to `point`. */
function distanceSql(point: GeoPoint): SQL {
  const lat = sql`coalesce(${ci.latitude}, ${inst.latitude})`;
  const lon = sql`coalesce(${ci.longitude}, ${inst.longitude})`;
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
function nameMatchSql(column: AnyColumn, c: CatalogueCriteria & { query: string }): SQL {
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
 * Relevance in [0, 1]: the better of the Japanese and the English name's match, or 0.4 for a match elsewhere
 * (maker, model, category, description). Rounded so that ties are exact.
 */
function scoreSql(c: CatalogueCriteria): SQL {
  if (!c.query) return sql`0::float8`;
  const query = { ...c, query: c.query };
  const best = sql`greatest(${nameMatchSql(ci.nameNorm, query)}, ${nameMatchSql(ci.nameEnNorm, query)})`;
  return sql`round(coalesce(${best}, 0.4)::numeric, 6)::float8`;
}

function whereSql(c: CatalogueCriteria): SQL {
  const conditions: SQL[] = [];
  for (const word of c.words) conditions.push(sql`${ci.searchText} LIKE ${`%${escapeLike(word)}%`}`);
  if (c.tokens.length > 0) conditions.push(sql`${ci.searchTokens} @> ${textArray(c.tokens)}`);
  if (c.institutions) conditions.push(c.institutions.length > 0 ? inArray(ci.institution, c.institutions) : sql`false`);
  if (c.categories) conditions.push(inArray(ci.category, c.categories));
  if (c.minAcquisitionPrice !== null) conditions.push(sql`${ci.acquisitionPrice} >= ${c.minAcquisitionPrice}`);
  if (c.sharedExternally !== null) conditions.push(eq(ci.sharedExternally, c.sharedExternally));
  if (c.remoteOperable !== null) conditions.push(eq(ci.remoteOperable, c.remoteOperable));
  if (c.near) conditions.push(sql`${distanceSql(c.near.point)} <= ${c.near.radiusKm}::float8`);
  return conditions.length > 0 ? and(...conditions)! : sql`true`;
}

/** The sort key in SQL: score (RELEVANCE), distance (DISTANCE) or acquisition price (PRICE_ASC). */
function keySql(c: CatalogueCriteria, score: SQL, distance: SQL): SQL {
  if (c.sort === 'DISTANCE') return distance;
  if (c.sort === 'PRICE_ASC') return sql`${ci.acquisitionPrice}::float8`;
  return score;
}

/**
 * Keyset paging in the national order (key, then institution code, then local id): rows strictly after
 * `c.after`, the key descending for relevance and ascending with nulls last otherwise.
 */
function afterSql(c: CatalogueCriteria, key: SQL): SQL | undefined {
  if (!c.after) return undefined;
  const tie = sql`(${ci.institution}, ${ci.id}) > (${c.after.institution}, ${c.after.id}::bigint)`;
  if (c.after.key === null) return sql`(${key} IS NULL AND ${tie})`;
  const value = sql`${c.after.key}::float8`;
  if (c.sort === 'RELEVANCE') return sql`(${key} < ${value} OR (${key} = ${value} AND ${tie}))`;
  return sql`(${key} > ${value} OR ${key} IS NULL OR (${key} = ${value} AND ${tie}))`;
}

/**
 * Joins the institutions (for their campus coordinates) only where a distance is computed: the catalogue's
 * foreign key (on delete cascade) already keeps out the rows of an institution no longer registered, and the
 * join costs the common searches a hash join over every match.
 */
function withCampus<T extends PgSelect>(query: T, c: CatalogueCriteria): T {
  if (!c.near && !c.origin) return query;
  // Every caller selects its own columns, so the join leaves the rows' type as it is.
  return query.innerJoin(inst, eq(inst.code, ci.institution)) as unknown as T;
}

/** A catalogue row as the gateway's instrument. */
export function toFederatedInstrument(row: ListingRow): FederatedInstrument {
  return {
    institutionCode: row.institution,
    id: String(row.id),
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
    decommissionedAt: null,
    openHours: row.openHours,
    fees: row.fees,
  };
}

/** Columns of a listing as search returns it, but its terms (not the derived search columns, which nothing reads back). */
export const LISTING_CORE = {
  institution: ci.institution,
  id: ci.id,
  localId: ci.localId,
  name: ci.name,
  nameEn: ci.nameEn,
  category: ci.category,
  manufacturer: ci.manufacturer,
  model: ci.model,
  description: ci.description,
  acquisitionPrice: ci.acquisitionPrice,
  acquiredOn: ci.acquiredOn,
  building: ci.building,
  latitude: ci.latitude,
  longitude: ci.longitude,
  sharedExternally: ci.sharedExternally,
  remoteOperable: ci.remoteOperable,
  requiresApproval: ci.requiresApproval,
  requiresQualification: ci.requiresQualification,
  maxBookingMinutes: ci.maxBookingMinutes,
  cancellationFreeHours: ci.cancellationFreeHours,
  cancellationFeePercent: ci.cancellationFeePercent,
};

/** A listing's terms, as stored beside it. */
export type ListingTerms = { fees: FeeRate[]; openHours: OpenHoursRule[] };

/** What a listing without a terms row (none is written without one) reads as. */
const NO_TERMS: ListingTerms = { fees: [], openHours: [] };

/** The join to each listing's terms: `.leftJoin(ct, TERMS_OF_LISTING)` wherever `LISTING` is selected. */
export const TERMS_OF_LISTING = and(eq(ct.institution, ci.institution), eq(ct.id, ci.id))!;

/** A listing's open hours through `TERMS_OF_LISTING`, none when it has no terms row. */
export const OPEN_HOURS = sql<OpenHoursRule[]>`coalesce(${ct.openHours}, '[]'::jsonb)`.mapWith(ct.openHours);

/** Every column of a listing as search returns it: select from the catalogue left-joined `TERMS_OF_LISTING`. */
export const LISTING = {
  ...LISTING_CORE,
  openHours: OPEN_HOURS,
  fees: sql<FeeRate[]>`coalesce(${ct.fees}, '[]'::jsonb)`.mapWith(ct.fees),
};

export type ListingRow = Pick<Row, keyof typeof LISTING_CORE> & ListingTerms;

/** Where (`institution`, `id`) is one of `keys` (institution, owner's id): a row comparison an index on both serves. */
export function listingKeyIn(institution: AnyColumn, id: AnyColumn, keys: readonly { institution: string; id: number }[]): SQL {
  return sql`(${institution}, ${id}) IN (${sql.join(
    keys.map((k) => sql`(${k.institution}, ${k.id}::bigint)`),
    sql`, `,
  )})`;
}

const facetOrder = (a: FacetCount, b: FacetCount) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);

/**
 * National search over the catalogue: one query for a page and one for the count and facets, whatever the
 * number of institutions, with the services' text handling (NFKC-normalised columns, trigram and bigram
 * indexes). A search that filters or sorts by availability computes each match's earliest free stretch from
 * the replicated open hours, closures and busy periods (one query for all matches).
 */
export class CatalogueSearchRepository {
  constructor(private readonly db: GatewayDb) {}

  async search(c: CatalogueCriteria): Promise<CataloguePage> {
    if (c.availability) return this.searchByAvailability(c, c.availability);
    const [page, aggregate] = await Promise.all([this.page(c), this.aggregate(c)]);
    return { hits: page.slice(0, c.limit), hasMore: page.length > c.limit, ...aggregate };
  }

  private pageQuery(c: CatalogueCriteria) {
    const score = scoreSql(c);
    const distance = c.origin ? distanceSql(c.origin) : sql`NULL::float8`;
    const key = keySql(c, score, distance);
    const order = c.sort === 'RELEVANCE' ? sql`${key} DESC` : sql`${key} ASC NULLS LAST`;
    const query = this.db
      .select({
        row: LISTING_CORE,
        score: sql<number>`${score}`.as('score'),
        distance: sql<number | null>`${distance}`.as('distance'),
        key: sql<number | null>`${key}`.as('key'),
      })
      .from(ci)
      .$dynamic();
    return withCampus(query, c)
      .where(and(whereSql(c), afterSql(c, key)))
      .orderBy(order, asc(ci.institution), asc(ci.id))
      .limit(c.limit + 1);
  }

  /** A page of hits: the listings in order, then the terms of those shown (a primary-key lookup each). */
  private async page(c: CatalogueCriteria): Promise<CatalogueHit[]> {
    const rows = await this.pageQuery(c);
    const terms = await this.termsOf(rows.slice(0, c.limit).map((r) => r.row));
    return rows.map((r) => ({
      instrument: toFederatedInstrument({ ...r.row, ...(terms.get(`${r.row.institution}/${r.row.id}`) ?? NO_TERMS) }),
      score: Number(r.score),
      distanceKm: r.distance === null ? null : Number(r.distance),
      availableFrom: null,
      key: r.key === null ? null : Number(r.key),
    }));
  }

  /** PostgreSQL's plan for the page query (`EXPLAIN` text), for tests and benchmarks. */
  async explain(c: CatalogueCriteria, options: { analyze?: boolean } = {}): Promise<string> {
    const explain = options.analyze ? sql.raw('EXPLAIN (ANALYZE, BUFFERS)') : sql.raw('EXPLAIN');
    const rows = await this.db.execute<{ 'QUERY PLAN': string }>(sql`${explain} ${this.pageQuery(c)}`);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  }

  /** Total matches and their counts by category and by institution, most frequent first. */
  private async aggregate(c: CatalogueCriteria): Promise<Omit<CataloguePage, 'hits' | 'hasMore'>> {
    const query = this.db.select({ institution: ci.institution, category: ci.category, count: count() }).from(ci).$dynamic();
    const rows = await withCampus(query, c).where(whereSql(c)).groupBy(ci.institution, ci.category);
    return facetsOf(rows);
  }

  private async searchByAvailability(
    c: CatalogueCriteria,
    { window, minutes, required }: NonNullable<CatalogueCriteria['availability']>,
  ): Promise<CataloguePage> {
    const distance = c.origin ? distanceSql(c.origin) : sql`NULL::float8`;
    const where = whereSql(c);
    const periodOf = (w: TimeRange) =>
      sql`tstzrange(${w.start.toISOString()}::timestamptz, ${w.end.toISOString()}::timestamptz, '[)')`;
    const [candidates, busy] = await Promise.all([
      withCampus(
        this.db
          .select({
            institution: ci.institution,
            id: ci.id,
            category: ci.category,
            openHours: OPEN_HOURS,
            acquisitionPrice: ci.acquisitionPrice,
            score: sql<number>`${scoreSql(c)}`,
            distanceKm: sql<number | null>`${distance}`,
          })
          .from(ci)
          .leftJoin(ct, TERMS_OF_LISTING)
          .$dynamic(),
        c,
      ).where(where),
      withCampus(
        this.db
          .select({ institution: cb.institution, instrumentId: cb.instrumentId, period: cb.period })
          .from(cb)
          .innerJoin(ci, and(eq(ci.institution, cb.institution), eq(ci.id, cb.instrumentId)))
          .$dynamic(),
        c,
      ).where(and(where, sql`${cb.period} && ${periodOf(window)}`)),
    ]);
    const busyOf = new Map<string, TimeRange[]>();
    for (const b of busy) {
      const k = `${b.institution}/${b.instrumentId}`;
      busyOf.set(k, [...(busyOf.get(k) ?? []), b.period]);
    }
    const matches = candidates
      .map((x) => {
        const [first] = freeSlots(x.openHours, window, busyOf.get(`${x.institution}/${x.id}`) ?? [], minutes);
        const availableFrom = first?.start ?? null;
        const score = Number(x.score);
        const distanceKm = x.distanceKm === null ? null : Number(x.distanceKm);
        const key =
          c.sort === 'EARLIEST_AVAILABLE'
            ? (availableFrom?.getTime() ?? null)
            : c.sort === 'DISTANCE'
              ? distanceKm
              : c.sort === 'PRICE_ASC'
                ? x.acquisitionPrice
                : score;
        return { institution: x.institution, id: x.id, category: x.category, score, distanceKm, availableFrom, key };
      })
      .filter((x) => !required || x.availableFrom !== null);
    type Match = (typeof matches)[number];
    const order = (a: Match, b: Match) =>
      compareSortKeys(c.sort, a.key, b.key) ||
      (a.institution < b.institution ? -1 : a.institution > b.institution ? 1 : a.id - b.id);
    const after = c.after;
    const remaining = after
      ? matches.filter((x) => {
          const cmp = compareSortKeys(c.sort, x.key, after.key);
          return (
            cmp > 0 ||
            (cmp === 0 && (x.institution > after.institution || (x.institution === after.institution && x.id > after.id)))
          );
        })
      : matches;
    const page = remaining.sort(order).slice(0, c.limit + 1);
    const shown = page.slice(0, c.limit);
    const rows = await this.rowsOf(shown);
    const hits = shown.flatMap((x): CatalogueHit[] => {
      const row = rows.get(`${x.institution}/${x.id}`);
      // Removed by the harvest between the two reads: left out of this page.
      if (!row) return [];
      return [
        {
          instrument: toFederatedInstrument(row),
          score: x.score,
          distanceKm: x.distanceKm,
          availableFrom: x.availableFrom,
          key: x.key,
        },
      ];
    });
    return {
      hits,
      hasMore: page.length > c.limit,
      ...facetsOf(matches.map((m) => ({ institution: m.institution, category: m.category, count: 1 }))),
    };
  }

  private async rowsOf(keys: readonly { institution: string; id: number }[]): Promise<Map<string, ListingRow>> {
    if (keys.length === 0) return new Map();
    const rows = await this.db
      .select(LISTING)
      .from(ci)
      .leftJoin(ct, TERMS_OF_LISTING)
      .where(listingKeyIn(ci.institution, ci.id, keys));
    return new Map(rows.map((r) => [`${r.institution}/${r.id}`, r]));
  }

  private async termsOf(keys: readonly { institution: string; id: number }[]): Promise<Map<string, ListingTerms>> {
    if (keys.length === 0) return new Map();
    const rows = await this.db
      .select({ institution: ct.institution, id: ct.id, fees: ct.fees, openHours: ct.openHours })
      .from(ct)
      .where(listingKeyIn(ct.institution, ct.id, keys));
    return new Map(rows.map(({ institution, id, ...terms }) => [`${institution}/${id}`, terms]));
  }
}

/** Total, categories and institutions of counted (institution, category) groups. */
function facetsOf(groups: readonly { institution: string; category: string; count: number }[]) {
  const categories = new Map<string, number>();
  const institutions = new Map<string, number>();
  let totalCount = 0;
  for (const g of groups) {
    totalCount += g.count;
    categories.set(g.category, (categories.get(g.category) ?? 0) + g.count);
    institutions.set(g.institution, (institutions.get(g.institution) ?? 0) + g.count);
  }
  const list = (m: Map<string, number>) => [...m].map(([value, n]) => ({ value, count: n })).sort(facetOrder);
  return { totalCount, categories: list(categories), institutions: list(institutions) };
}
