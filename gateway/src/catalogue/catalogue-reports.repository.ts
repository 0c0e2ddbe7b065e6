import { and, asc, eq, gte, sql, type SQL } from 'drizzle-orm';
import type { OpenHoursRule, TimeRange, Yen } from '@kyoyo/domain';
import * as gatewaySchema from '../db/schema';
import type { FederatedInstrument } from '../instruments/instruments.types';
import type { GatewayDb } from '../registry/registry.repository';
import { catalogueKeyOf } from './catalogue-equivalents.repository';
import { LISTING, OPEN_HOURS, TERMS_OF_LISTING, toFederatedInstrument } from './catalogue-search.repository';

const { catalogueInstrumentsTable: ci, catalogueTermsTable: ct, catalogueBusyPeriodsTable: cb } = gatewaySchema;

/** One covered instrument of the catalogue, as a report lays out its use. */
export interface CatalogueCoveredInstrument {
  institution: string;
  id: number;
  sharedExternally: boolean;
  acquiredOn: string | null;
  openHours: OpenHoursRule[];
}

/** Everything a sharing report reads of the catalogue, from one snapshot of it. */
export interface CatalogueSharingSnapshot {
  /** Covered instruments, by institution and id. */
  covered: CatalogueCoveredInstrument[];
  /** Covered instruments not shared externally, by acquisition price (highest first), then institution and id. */
  notShared: FederatedInstrument[];
  /** Hours held by bookings of covered instruments, clipped to the period. */
  bookedHours: number;
  /** The part of `bookedHours` booked by users who are not INTERNAL. */
  externalBookedHours: number;
  /** Held periods of covered instruments that overlap the period (not clipped), keyed `institution/id`. */
  heldPeriods: Map<string, TimeRange[]>;
}

/**
 * The instruments of the catalogue that a report of `period` covers: acquired for `threshold` or more, on an
 * unknown day or (a Tokyo calendar day, from its 00:00) before the period ends. The catalogue holds listed
 * instruments only, so this is the owners' rule for a period that ends now: an instrument decommissioned
 * before now has left the report.
 */
function coveredSql(institution: string | null, period: TimeRange, threshold: Yen): SQL {
  return and(
    institution === null ? undefined : eq(ci.institution, institution),
    gte(ci.acquisitionPrice, threshold),
    sql`(${ci.acquiredOn} IS NULL OR (${ci.acquiredOn}::timestamp AT TIME ZONE 'Asia/Tokyo') < ${period.end.toISOString()}::timestamptz)`,
  )!;
}

/** What a sharing report reads of the national catalogue. */
export class CatalogueReportsRepository {
  constructor(private readonly db: GatewayDb) {}

  /**
   * The figures of a sharing report of `period` (one that ends now: the current fiscal year so far) for one
   * institution, or the nation when it is null: four queries whatever the number of institutions, in one
   * read-only repeatable-read transaction, so that counts, the not-shared list and the hours agree even while
   * the harvest applies pages. Booked hours are summed by PostgreSQL (range intersection with the period).
   */
  async sharingSnapshot(institution: string | null, period: TimeRange, threshold: Yen): Promise<CatalogueSharingSnapshot> {
    const covered = coveredSql(institution, period, threshold);
    const window = sql`tstzrange(${period.start.toISOString()}::timestamptz, ${period.end.toISOString()}::timestamptz, '[)')`;
    const held = and(
      eq(cb.kind, 'booking'),
      eq(cb.held, true),
      sql`${cb.period} && ${window}`,
      eq(cb.institution, ci.institution),
      eq(cb.instrumentId, ci.id),
    );
    const clipped = sql`(${cb.period} * ${window})`;
    const hours = sql`extract(epoch FROM upper(${clipped}) - lower(${clipped})) / 3600`;
    return this.db.transaction(
      async (tx) => {
        const instruments = await tx
          .select({
            institution: ci.institution,
            id: ci.id,
            sharedExternally: ci.sharedExternally,
            acquiredOn: ci.acquiredOn,
            openHours: OPEN_HOURS,
          })
          .from(ci)
          .leftJoin(ct, TERMS_OF_LISTING)
          .where(covered)
          .orderBy(asc(ci.institution), asc(ci.id));
        const notShared = await tx
          .select(LISTING)
          .from(ci)
          .leftJoin(ct, TERMS_OF_LISTING)
          .where(and(covered, eq(ci.sharedExternally, false)))
          .orderBy(sql`${ci.acquisitionPrice} DESC NULLS LAST`, sql`${ci.institution} COLLATE "C"`, asc(ci.id));
        const [sums] = await tx
          .select({
            booked: sql<number>`coalesce(sum(${hours}), 0)::float8`,
            external: sql<number>`coalesce(sum(${hours}) FILTER (WHERE ${cb.external}), 0)::float8`,
          })
          .from(cb)
          .innerJoin(ci, held)
          .where(covered);
        const periods = await tx
          .select({ institution: cb.institution, instrumentId: cb.instrumentId, period: cb.period })
          .from(cb)
          .innerJoin(ci, held)
          .where(covered);
        const heldPeriods = new Map<string, TimeRange[]>();
        for (const row of periods) {
          const key = catalogueKeyOf({ institution: row.institution, id: row.instrumentId });
          const list = heldPeriods.get(key);
          if (list) list.push(row.period);
          else heldPeriods.set(key, [row.period]);
        }
        return {
          covered: instruments,
          notShared: notShared.map(toFederatedInstrument),
          bookedHours: Number(sums?.booked ?? 0),
          externalBookedHours: Number(sums?.external ?? 0),
          heldPeriods,
        };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }
}
