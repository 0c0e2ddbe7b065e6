import { and, asc, inArray, sql } from 'drizzle-orm';
import { equipmentSchema, type Period } from '@kyoyo/db';
import type { OpenHoursRule, TimeRange } from '@kyoyo/domain';
import type { EquipmentDb } from '../instruments/instruments.repository';

const { openHoursTable, bookingsTable, blackoutsTable } = equipmentSchema;

function periodSql(range: TimeRange) {
  return sql`tstzrange(${range.start.toISOString()}::timestamptz, ${range.end.toISOString()}::timestamptz, '[)')`;
}

function group<T>(rows: { instrumentId: number; value: T }[]): Map<number, T[]> {
  const byInstrument = new Map<number, T[]>();
  for (const { instrumentId, value } of rows) {
    const list = byInstrument.get(instrumentId) ?? [];
    list.push(value);
    byInstrument.set(instrumentId, list);
  }
  return byInstrument;
}

/** Open hours, blackouts and the periods held by active bookings. */
export class AvailabilityRepository {
  constructor(private readonly db: EquipmentDb) {}

  /** Weekly open hours of these instruments, keyed by instrument id (absent: never open). */
  async openHoursOf(instrumentIds: readonly number[]): Promise<Map<number, OpenHoursRule[]>> {
    if (instrumentIds.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(openHoursTable)
      .where(inArray(openHoursTable.instrumentId, [...instrumentIds]))
      .orderBy(asc(openHoursTable.instrumentId), asc(openHoursTable.weekday), asc(openHoursTable.opensAt));
    return group(rows.map(({ instrumentId, ...rule }) => ({ instrumentId, value: rule })));
  }

  /**
   * Periods inside `window` that are not free: active (PENDING, CONFIRMED) bookings and blackouts, keyed by
   * instrument id. One query for all instruments.
   */
  async busyPeriodsOf(instrumentIds: readonly number[], window: TimeRange): Promise<Map<number, Period[]>> {
    if (instrumentIds.length === 0) return new Map();
    const ids = [...instrumentIds];
    const bookings = this.db
      .select({ instrumentId: bookingsTable.instrumentId, value: bookingsTable.period })
      .from(bookingsTable)
      .where(
        and(
          inArray(bookingsTable.instrumentId, ids),
          inArray(bookingsTable.status, ['PENDING', 'CONFIRMED']),
          sql`${bookingsTable.period} && ${periodSql(window)}`,
        ),
      );
    const blackouts = this.db
      .select({ instrumentId: blackoutsTable.instrumentId, value: blackoutsTable.period })
      .from(blackoutsTable)
      .where(and(inArray(blackoutsTable.instrumentId, ids), sql`${blackoutsTable.period} && ${periodSql(window)}`));
    const [booked, closed] = await Promise.all([bookings, blackouts]);
    return group([...booked, ...closed]);
  }

  /** Periods inside `window` that were or are booked and used (CONFIRMED, COMPLETED, NO_SHOW), by instrument. */
  async bookedPeriodsOf(instrumentIds: readonly number[], window: TimeRange): Promise<Map<number, Period[]>> {
    if (instrumentIds.length === 0) return new Map();
    const rows = await this.db
      .select({ instrumentId: bookingsTable.instrumentId, value: bookingsTable.period })
      .from(bookingsTable)
      .where(
        and(
          inArray(bookingsTable.instrumentId, [...instrumentIds]),
          inArray(bookingsTable.status, ['CONFIRMED', 'COMPLETED', 'NO_SHOW']),
          sql`${bookingsTable.period} && ${periodSql(window)}`,
        ),
      );
    return group(rows);
  }
}
