import { and, asc, desc, eq, gte, inArray, sql, type SQL } from 'drizzle-orm';
import { equipmentSchema, type Period } from '@kyoyo/db';
import { HELD_BOOKING_STATUSES, type OpenHoursRule, type TimeRange, type Yen } from '@kyoyo/domain';
import { toInstrument, type EquipmentDb } from '../instruments/instruments.repository';
import type { Instrument } from '../instruments/instruments.types';
import type { CoveredInstrument } from './reports.types';

const { instrumentsTable: t, bookingsTable: b, openHoursTable: oh } = equipmentSchema;

function periodSql(range: TimeRange): SQL {
  return sql`tstzrange(${range.start.toISOString()}::timestamptz, ${range.end.toISOString()}::timestamptz, '[)')`;
}

/**
 * The instruments a sharing report of `period` covers: acquired for `threshold` or more, acquired (a Tokyo
 * calendar day, from its 00:00) before the period ends or on an unknown day, and still listed when it ends —
 * a decommissioned instrument leaves every report of a period that ends after it left (the current fiscal
 * year's included), while the reports of years it finished stay as they were.
 */
function coveredSql(period: TimeRange, threshold: Yen): SQL {
  return and(
    gte(t.acquisitionPrice, threshold),
    sql`(${t.acquiredOn} IS NULL OR (${t.acquiredOn}::timestamp AT TIME ZONE 'Asia/Tokyo') < ${period.end.toISOString()}::timestamptz)`,
    sql`(${t.decommissionedAt} IS NULL OR ${t.decommissionedAt} >= ${period.end.toISOString()}::timestamptz)`,
  )!;
}

/** Everything one sharing report reads, from one snapshot of the database. */
export interface SharingSnapshot {
  /** Covered instruments, by id. */
  covered: CoveredInstrument[];
  /** Covered instruments not shared externally, by acquisition price (highest first), then id. */
  notShared: Instrument[];
  /** Hours held by bookings of covered instruments (`HELD_BOOKING_STATUSES`), clipped to the period. */
  bookedHours: number;
  /** The part of `bookedHours` booked by users who are not INTERNAL. */
  externalBookedHours: number;
  /** Weekly open hours of the covered instruments (absent: never open). */
  openHours: Map<number, OpenHoursRule[]>;
  /** Periods of covered instruments held by bookings overlapping the period (not clipped). */
  bookedPeriods: Map<number, Period[]>;
}

function group<T>(rows: readonly { instrumentId: number; value: T }[]): Map<number, T[]> {
  const byInstrument = new Map<number, T[]>();
  for (const { instrumentId, value } of rows) {
    const list = byInstrument.get(instrumentId) ?? [];
    list.push(value);
    byInstrument.set(instrumentId, list);
  }
  return byInstrument;
}

/** What the sharing report reads of one institution's database. */
export class ReportsRepository {
  constructor(private readonly db: EquipmentDb) {}

  /**
   * The figures of a sharing report of `period`, one query per kind of data whatever the number of
   * instruments, all in one read-only repeatable-read transaction so that counts, the not-shared list and the
   * hours agree with each other even while listings and bookings change. Booked hours are summed by
   * PostgreSQL (range intersection with the period); open hours come back as weekly rules for the caller to
   * lay out in Tokyo time.
   */
  async sharingSnapshot(period: TimeRange, threshold: Yen): Promise<SharingSnapshot> {
    const covered = coveredSql(period, threshold);
    const window = periodSql(period);
    const held = and(inArray(b.status, [...HELD_BOOKING_STATUSES]), sql`${b.period} && ${window}`);
    const clipped = sql`(${b.period} * ${window})`;
    const hours = sql`extract(epoch FROM upper(${clipped}) - lower(${clipped})) / 3600`;
    return this.db.transaction(
      async (tx) => {
        const instruments = await tx
          .select({
            id: t.id,
            sharedExternally: t.sharedExternally,
            acquiredOn: t.acquiredOn,
            decommissionedAt: t.decommissionedAt,
          })
          .from(t)
          .where(covered)
          .orderBy(asc(t.id));
        const notShared = await tx
          .select()
          .from(t)
          .where(and(covered, eq(t.sharedExternally, false)))
          .orderBy(desc(t.acquisitionPrice), asc(t.id));
        const [sums] = await tx
          .select({
            booked: sql<number>`coalesce(sum(${hours}), 0)::float8`,
            external: sql<number>`coalesce(sum(${hours}) FILTER (WHERE ${b.userCategory} <> 'INTERNAL'), 0)::float8`,
          })
          .from(b)
          .innerJoin(t, eq(t.id, b.instrumentId))
          .where(and(covered, held));
        const rules = await tx
          .select({ instrumentId: oh.instrumentId, weekday: oh.weekday, opensAt: oh.opensAt, closesAt: oh.closesAt })
          .from(oh)
          .innerJoin(t, eq(t.id, oh.instrumentId))
          .where(covered)
          .orderBy(asc(oh.instrumentId), asc(oh.weekday), asc(oh.opensAt));
        const periods = await tx
          .select({ instrumentId: b.instrumentId, value: b.period })
          .from(b)
          .innerJoin(t, eq(t.id, b.instrumentId))
          .where(and(covered, held));
        return {
          covered: instruments,
          notShared: notShared.map(toInstrument),
          bookedHours: Number(sums?.booked ?? 0),
          externalBookedHours: Number(sums?.external ?? 0),
          openHours: group(rules.map(({ instrumentId, ...rule }) => ({ instrumentId, value: rule }))),
          bookedPeriods: group(periods),
        };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }
}
