import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { equipmentSchema, type Period } from '@kyoyo/db';
import { ACTIVE_BOOKING_STATUSES, errors, type OpenHoursRule, type TimeRange } from '@kyoyo/domain';
import { recordChanges, type ChangeAuthor } from '../listings/listings.repository';
import { lockInstrument, type EquipmentDb } from '../instruments/instruments.repository';
import type { Blackout } from './availability.types';

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

  /** Closures of these instruments overlapping `window`, by start, keyed by instrument id. */
  async blackoutsOf(instrumentIds: readonly number[], window: TimeRange): Promise<Map<number, Blackout[]>> {
    if (instrumentIds.length === 0) return new Map();
    const rows = await this.db
      .select()
      .from(blackoutsTable)
      .where(and(inArray(blackoutsTable.instrumentId, [...instrumentIds]), sql`${blackoutsTable.period} && ${periodSql(window)}`))
      .orderBy(sql`lower(${blackoutsTable.period})`, asc(blackoutsTable.id));
    return group(
      rows.map((r) => ({
        instrumentId: r.instrumentId,
        value: { id: r.id, instrumentId: r.instrumentId, period: r.period, reason: r.reason, createdBy: r.createdBy },
      })),
    );
  }

  /**
   * Replaces the weekly open hours of a listed instrument in one transaction; false when there is no such
   * instrument. Existing bookings stay as they are.
   */
  async replaceOpenHours(instrumentId: number, rules: readonly OpenHoursRule[], author: ChangeAuthor): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if (!(await lockInstrument(tx, instrumentId))) return false;
      const before = await tx
        .delete(openHoursTable)
        .where(eq(openHoursTable.instrumentId, instrumentId))
        .returning({ weekday: openHoursTable.weekday, opensAt: openHoursTable.opensAt, closesAt: openHoursTable.closesAt });
      if (rules.length > 0) await tx.insert(openHoursTable).values(rules.map((r) => ({ instrumentId, ...r })));
      const order = (a: OpenHoursRule, b: OpenHoursRule) => a.weekday - b.weekday || a.opensAt - b.opensAt;
      const from = before.sort(order);
      const to = rules.map(({ weekday, opensAt, closesAt }) => ({ weekday, opensAt, closesAt })).sort(order);
      if (JSON.stringify(from) !== JSON.stringify(to)) {
        await recordChanges(tx, [{ instrumentId, ...author, action: 'OPEN_HOURS', changes: { openHours: { from, to } } }]);
      }
      return true;
    });
  }

  /**
   * Closes `period` of a listed instrument, or refuses with `SLOT_UNAVAILABLE` while an active booking holds
   * part of it; null when there is no such instrument. The instrument lock comes first: a booking being made
   * takes it too before it looks for closures, so the two serialise and neither can miss the other.
   */
  async addBlackout(
    instrumentId: number,
    period: TimeRange,
    reason: string | null,
    author: ChangeAuthor,
  ): Promise<Blackout | null> {
    const createdBy = author.changedBy;
    return this.db.transaction(async (tx) => {
      if (!(await lockInstrument(tx, instrumentId))) return null;
      const [held] = await tx
        .select({ id: bookingsTable.id })
        .from(bookingsTable)
        .where(
          and(
            eq(bookingsTable.instrumentId, instrumentId),
            inArray(bookingsTable.status, [...ACTIVE_BOOKING_STATUSES]),
            sql`${bookingsTable.period} && ${periodSql(period)}`,
          ),
        )
        .limit(1);
      if (held) {
        throw errors.slotUnavailable(
          `Booking ${held.id} holds part of this period; cancel or move it before closing the instrument`,
          'start',
        );
      }
      const [row] = await tx
        .insert(blackoutsTable)
        .values({ instrumentId, period: { start: period.start, end: period.end }, reason, createdBy })
        .returning();
      if (!row) throw new Error('insert returned no row');
      const closure = { id: row.id, start: period.start.toISOString(), end: period.end.toISOString(), reason };
      await recordChanges(tx, [
        { instrumentId, ...author, action: 'BLACKOUT_ADDED', changes: { blackout: { from: null, to: closure } } },
      ]);
      return { id: row.id, instrumentId: row.instrumentId, period: row.period, reason: row.reason, createdBy: row.createdBy };
    });
  }

  /** Reopens a closure, with its change record; false when there was none with this id. */
  async removeBlackout(id: number, author: ChangeAuthor): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.delete(blackoutsTable).where(eq(blackoutsTable.id, id)).returning();
      if (!row) return false;
      const closure = {
        id: row.id,
        start: row.period.start.toISOString(),
        end: row.period.end.toISOString(),
        reason: row.reason,
      };
      await recordChanges(tx, [
        {
          instrumentId: row.instrumentId,
          ...author,
          action: 'BLACKOUT_REMOVED',
          changes: { blackout: { from: closure, to: null } },
        },
      ]);
      return true;
    });
  }
}
