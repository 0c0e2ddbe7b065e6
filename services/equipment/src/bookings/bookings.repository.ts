import { and, asc, eq, gt, inArray, or, sql, type SQL } from 'drizzle-orm';
import { equipmentSchema, translateConstraintViolation } from '@kyoyo/db';
import { ACTIVE_BOOKING_STATUSES, DomainError, ErrorCode, errors, type CancellationPolicy, type TimeRange } from '@kyoyo/domain';
import { lockInstrument, type EquipmentDb, type Transaction } from '../instruments/instruments.repository';
import type { Booking, BookingChange, BookingFilter, BookingStatus, NewBooking, UsageRow } from './bookings.types';

const { bookingsTable: t, blackoutsTable, instrumentsTable } = equipmentSchema;

type Row = typeof t.$inferSelect;

export function toBooking(row: Row): Booking {
  return {
    id: row.id,
    instrumentId: row.instrumentId,
    requesterId: row.requesterId,
    requesterOrganization: row.requesterOrganization,
    requesterInstitution: row.requesterInstitution,
    userCategory: row.userCategory,
    mode: row.mode,
    period: row.period,
    status: row.status,
    fee: row.fee,
    cancellationFee: row.cancellationFee,
    fundingSource: row.fundingSource,
    purpose: row.purpose,
    idempotencyKey: row.idempotencyKey,
    requestHash: row.requestHash,
    createdAt: row.createdAt,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt,
    decisionNote: row.decisionNote,
    cancelledAt: row.cancelledAt,
    cancelledBy: row.cancelledBy,
    cancelReason: row.cancelReason,
  };
}

function periodSql(range: TimeRange): SQL {
  return sql`tstzrange(${range.start.toISOString()}::timestamptz, ${range.end.toISOString()}::timestamptz, '[)')`;
}

const startSql = sql`lower(${t.period})`;

/**
 * Writes more in the transaction of a booking's change, after it (the messages it calls for): if it fails,
 * the change rolls back with it.
 */
export type AlsoInTransaction = (tx: Transaction, booking: Booking) => Promise<void>;

/** Bookings of one institution. Overlaps and key reuse are settled by the database, not by a prior read. */
export class BookingsRepository {
  constructor(private readonly db: EquipmentDb) {}

  /**
   * Stores a booking. A retry with the same requester, idempotency key and input finds the booking made
   * the first time (`replayed`); the same key with other input is `IDEMPOTENCY_CONFLICT`; a period that
   * overlaps another active booking of the instrument is `SLOT_UNAVAILABLE` (constraint
   * `bookings_no_overlap`), however many requests race for it; so is a period the instrument is closed for.
   *
   * One transaction: lock the instrument row (`lockInstrument`), look for closures in a snapshot taken after
   * the lock, insert. The lock queues the bookings of one instrument behind one another for the instant
   * their insert takes: without it, concurrent inserts that overlap wait for each other inside the exclusion
   * check and PostgreSQL breaks the cycle only after `deadlock_timeout` (1 s each; 50 racers took > 30 s).
   * The constraint, not the lock, still decides who gets the slot. A replay that loses to its own original
   * is recognised by its key and answered with the original. `also` runs in the transaction of a new
   * booking (not of a replay).
   */
  async create(booking: NewBooking, also?: AlsoInTransaction): Promise<{ booking: Booking; replayed: boolean }> {
    let inserted: Row | undefined;
    try {
      inserted = await this.db.transaction(async (tx) => {
        if (!(await lockInstrument(tx, booking.instrumentId))) throw errors.notFound('Instrument', 'input.instrumentId');
        const [closed] = await tx
          .select({ id: blackoutsTable.id })
          .from(blackoutsTable)
          .where(
            and(
              eq(blackoutsTable.instrumentId, booking.instrumentId),
              sql`${blackoutsTable.period} && ${periodSql(booking.period)}`,
            ),
          )
          .limit(1);
        if (closed) throw errors.slotUnavailable('The instrument is closed for part of this period (maintenance)');
        const [row] = await tx
          .insert(t)
          .values(booking)
          .onConflictDoNothing({ target: [t.requesterId, t.idempotencyKey] })
          .returning();
        if (row && also) await also(tx, toBooking(row));
        return row;
      });
    } catch (error) {
      const translated = translateConstraintViolation(error);
      if (translated instanceof DomainError && translated.code === ErrorCode.SLOT_UNAVAILABLE) {
        const replay = await this.replayOf(booking);
        if (replay) return { booking: replay, replayed: true };
      }
      throw translated;
    }
    if (inserted) return { booking: toBooking(inserted), replayed: false };
    const replay = await this.replayOf(booking);
    // ON CONFLICT only skips the insert when a row with this requester and key exists.
    if (!replay) throw new Error('insert skipped without an existing booking for its key');
    return { booking: replay, replayed: true };
  }

  /** The booking made earlier with this requester and key: the same request's, or `IDEMPOTENCY_CONFLICT`. */
  private async replayOf(booking: NewBooking): Promise<Booking | null> {
    const existing = await this.findByKey(booking.requesterId, booking.idempotencyKey);
    if (existing && existing.requestHash !== booking.requestHash) throw errors.idempotencyConflict();
    return existing;
  }

  /** The booking a requester made with an idempotency key, if any. */
  async findByKey(requesterId: string, idempotencyKey: string): Promise<Booking | null> {
    const [row] = await this.db
      .select()
      .from(t)
      .where(and(eq(t.requesterId, requesterId), eq(t.idempotencyKey, idempotencyKey)));
    return row ? toBooking(row) : null;
  }

  async findById(id: number): Promise<Booking | null> {
    const [row] = await this.db.select().from(t).where(eq(t.id, id));
    return row ? toBooking(row) : null;
  }

  /** A booking with its instrument's cancellation policy (decommissioned instruments included). */
  async findWithPolicy(id: number): Promise<{ booking: Booking; policy: CancellationPolicy } | null> {
    const [row] = await this.db
      .select({
        booking: t,
        freeUntilHours: instrumentsTable.cancellationFreeHours,
        lateFeePercent: instrumentsTable.cancellationFeePercent,
      })
      .from(t)
      .innerJoin(instrumentsTable, eq(instrumentsTable.id, t.instrumentId))
      .where(eq(t.id, id));
    if (!row) return null;
    return {
      booking: toBooking(row.booking),
      policy: { freeUntilHours: row.freeUntilHours, lateFeePercent: row.lateFeePercent },
    };
  }

  /** Bookings that start in [from, to) (open ends when null), by start, then id; at most `limit`. */
  async list(filter: BookingFilter): Promise<Booking[]> {
    const conditions: (SQL | undefined)[] = [];
    if (filter.requesterId !== undefined) conditions.push(eq(t.requesterId, filter.requesterId));
    if (filter.statuses) conditions.push(inArray(t.status, [...filter.statuses]));
    if (filter.from) conditions.push(sql`${startSql} >= ${filter.from.toISOString()}::timestamptz`);
    if (filter.to) conditions.push(sql`${startSql} < ${filter.to.toISOString()}::timestamptz`);
    const rows = await this.db
      .select()
      .from(t)
      .where(and(...conditions))
      .orderBy(startSql, asc(t.id))
      .limit(filter.limit);
    return rows.map(toBooking);
  }

  /**
   * Moves a booking out of `from` and writes `change`, in one conditional UPDATE: of two concurrent changes
   * only one finds the booking still in `from`. Null when it was not (anymore) in that status. A change
   * into an active status (an approval) first takes the instrument lock, like a new booking, because its
   * new row version goes through the exclusion check too; so does a change that runs `also` (the messages of a
   * cancellation or a decision, told to those waiting for the period it frees), in the change's transaction
   * once it was made.
   */
  async transition(id: number, from: BookingStatus, change: BookingChange, also?: AlsoInTransaction): Promise<Booking | null> {
    const update = async (tx: Transaction) => {
      const [row] = await tx
        .update(t)
        .set({ ...change, updatedAt: sql`now()` })
        .where(and(eq(t.id, id), eq(t.status, from)))
        .returning();
      const booking = row ? toBooking(row) : null;
      if (booking && also) await also(tx, booking);
      return booking;
    };
    // A change into an active status goes through the exclusion check; one out of it frees a period that those
    // waiting for it are told of (`also`), and a join of the waitlist reads the booking under the same lock.
    const locked = ACTIVE_BOOKING_STATUSES.includes(change.status) || also !== undefined;
    try {
      return await this.db.transaction(async (tx) => {
        if (locked) await lockInstrument(tx, sql`(SELECT ${t.instrumentId} FROM ${t} WHERE ${t.id} = ${id})`);
        return update(tx);
      });
    } catch (error) {
      throw translateConstraintViolation(error);
    }
  }

  /**
   * The charged bookings that start in `range`: COMPLETED, NO_SHOW, and CANCELLED with a cancellation fee,
   * with their instrument's name. One query.
   */
  async usageRows(range: TimeRange): Promise<UsageRow[]> {
    const rows = await this.db
      .select({
        bookingId: t.id,
        instrumentId: t.instrumentId,
        instrumentName: instrumentsTable.name,
        requesterId: t.requesterId,
        requesterOrganization: t.requesterOrganization,
        requesterInstitution: t.requesterInstitution,
        fundingSource: t.fundingSource,
        period: t.period,
        status: t.status,
        userCategory: t.userCategory,
        mode: t.mode,
        fee: t.fee,
        cancellationFee: t.cancellationFee,
      })
      .from(t)
      .innerJoin(instrumentsTable, eq(instrumentsTable.id, t.instrumentId))
      .where(
        and(
          sql`${startSql} >= ${range.start.toISOString()}::timestamptz`,
          sql`${startSql} < ${range.end.toISOString()}::timestamptz`,
          or(inArray(t.status, ['COMPLETED', 'NO_SHOW']), and(eq(t.status, 'CANCELLED'), gt(t.cancellationFee, 0))),
        ),
      )
      .orderBy(startSql, asc(t.id));
    return rows.map(({ period, ...row }) => ({ ...row, start: period.start, end: period.end }));
  }
}
