import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Identity } from '@kyoyo/auth';
import { equipmentSchema, translateConstraintViolation, violatedConstraint } from '@kyoyo/db';
import { ACTIVE_BOOKING_STATUSES, errors, type PeriodHolders, type TimeRange, type WaitlistEndReason } from '@kyoyo/domain';
import { lockInstrument, type EquipmentDb, type Transaction } from '../instruments/instruments.repository';
import { rememberPerson } from '../notifications/people.repository';
import type { NewWaitlistEntry, WaitingEntry, WaitlistEntry } from './waitlists.types';

const { waitlistEntriesTable: t, bookingsTable, blackoutsTable } = equipmentSchema;

function periodSql(range: TimeRange): SQL {
  return sql`tstzrange(${range.start.toISOString()}::timestamptz, ${range.end.toISOString()}::timestamptz, '[)')`;
}

const instant = (now: Date) => sql`${now.toISOString()}::timestamptz`;

/** Still waiting at `now`: not ended, and the period has not started (waiting ends by itself at the start). */
const waitingAt = (now: Date) => and(isNull(t.endedAt), sql`lower(${t.period}) > ${instant(now)}`)!;

/**
 * The place of the row's entry in its instrument's queue at `now`: 1 + the entries still waiting for an
 * overlapping period that joined before it (created_at, then id); null once it no longer waits. The outer
 * row's columns are spelled out with the table's name: Drizzle writes columns of a select list unqualified,
 * and inside the subquery they would name the inner row's.
 */
const positionAt = (now: Date) => sql<number | null>`CASE WHEN ${waitingAt(now)} THEN 1 + (
  SELECT count(*)::int FROM ${t} AS earlier
  WHERE earlier.instrument_id = waitlist_entries.instrument_id
    AND earlier.ended_at IS NULL
    AND lower(earlier.period) > ${instant(now)}
    AND earlier.period && waitlist_entries.period
    AND (earlier.created_at, earlier.id) < (waitlist_entries.created_at, waitlist_entries.id)) END`;

type Row = typeof t.$inferSelect;

function toEntry(row: Row & { position: number | null }, now: Date): WaitlistEntry {
  return {
    id: row.id,
    instrumentId: row.instrumentId,
    subject: row.subject,
    period: row.period,
    createdAt: row.createdAt,
    endedAt: row.endedAt,
    endReason: row.endReason as WaitlistEndReason | null,
    active: row.endedAt === null && row.period.start.getTime() > now.getTime(),
    position: row.position,
  };
}

/** Who waits for what at this institution. Overlapping entries of one person are refused by the database. */
export class WaitlistsRepository {
  constructor(private readonly db: EquipmentDb) {}

  /**
   * Puts `identity` on the waitlist for `entry`, in one transaction: lock the instrument (`lockInstrument`,
   * NOT_FOUND when it is not listed), end the caller's own entries of this instrument whose period has started
   * (so that they no longer count against the constraint), read what holds the period — active bookings and
   * closures — and let `decide` refuse (the service's rules), remember where to write to the person
   * (`rememberPerson`), insert. The lock orders the join against bookings and against any cancellation that
   * takes it first, so a cancellation either sees this entry or this join sees the period free. A second entry
   * of the same person for an overlapping period is BAD_USER_INPUT (constraint `waitlist_entries_no_overlap`),
   * however many requests race. A refusal writes nothing.
   */
  async join(
    entry: NewWaitlistEntry,
    identity: Identity,
    now: Date,
    decide: (holders: PeriodHolders) => void,
  ): Promise<WaitlistEntry> {
    try {
      return await this.db.transaction(async (tx) => {
        if (!(await lockInstrument(tx, entry.instrumentId))) throw errors.notFound('Instrument', 'input.instrumentId');
        await tx
          .update(t)
          .set({ endedAt: sql`lower(${t.period})`, endReason: 'STARTED', updatedAt: sql`now()` })
          .where(
            and(
              eq(t.instrumentId, entry.instrumentId),
              eq(t.subject, entry.subject),
              isNull(t.endedAt),
              sql`lower(${t.period}) <= ${instant(now)}`,
            ),
          );
        const period = periodSql(entry.period);
        const [booked, closed] = await Promise.all([
          tx
            .select({ requesterId: bookingsTable.requesterId })
            .from(bookingsTable)
            .where(
              and(
                eq(bookingsTable.instrumentId, entry.instrumentId),
                inArray(bookingsTable.status, [...ACTIVE_BOOKING_STATUSES]),
                sql`${bookingsTable.period} && ${period}`,
              ),
            ),
          tx
            .select({ id: blackoutsTable.id })
            .from(blackoutsTable)
            .where(and(eq(blackoutsTable.instrumentId, entry.instrumentId), sql`${blackoutsTable.period} && ${period}`))
            .limit(1),
        ]);
        decide({ bookedBy: booked.map((b) => b.requesterId), closed: closed.length > 0 });
        await rememberPerson(tx, identity);
        const [inserted] = await tx.insert(t).values(entry).returning({ id: t.id });
        return (await findIn(tx, inserted!.id, now))!;
      });
    } catch (error) {
      if (violatedConstraint(error) === 'waitlist_entries_no_overlap') {
        throw errors.badInput('input.start', 'You already wait for an overlapping period of this instrument');
      }
      throw translateConstraintViolation(error);
    }
  }

  /** One entry as it stands at `now`, or null. */
  findById(id: number, now: Date): Promise<WaitlistEntry | null> {
    return findIn(this.db, id, now);
  }

  /**
   * Ends `subject`'s entry `id` (LEFT) while it still waits, in one conditional UPDATE; null when it did not
   * (another person's, already ended, started, or none).
   */
  async leave(id: number, subject: string, now: Date): Promise<WaitlistEntry | null> {
    const [row] = await this.db
      .update(t)
      .set({ endedAt: now, endReason: 'LEFT', updatedAt: sql`now()` })
      .where(and(eq(t.id, id), eq(t.subject, subject), waitingAt(now)))
      .returning();
    return row ? toEntry({ ...row, position: null }, now) : null;
  }

  /** `subject`'s entries still waiting at `now`, by start, then id; at most `limit`. */
  async waitingOf(subject: string, now: Date, limit: number): Promise<WaitlistEntry[]> {
    const rows = await this.db
      .select({ row: t, position: positionAt(now) })
      .from(t)
      .where(and(eq(t.subject, subject), waitingAt(now)))
      .orderBy(sql`lower(${t.period})`, asc(t.id))
      .limit(limit);
    return rows.map(({ row, position }) => toEntry({ ...row, position }, now));
  }
}

async function findIn(db: EquipmentDb | Transaction, id: number, now: Date): Promise<WaitlistEntry | null> {
  const [found] = await db
    .select({ row: t, position: positionAt(now) })
    .from(t)
    .where(eq(t.id, id));
  return found ? toEntry({ ...found.row, position: found.position }, now) : null;
}

/**
 * For the cancellation and rejection path, in its transaction: the entries still waiting at `now` (not ended,
 * period not started) whose period overlaps `period` of the instrument — the period a cancellation or
 * rejection just freed — in the order they joined (created_at, then id), `position` counting from 1 in that
 * order. The freed period may not cover an entry's whole period (another booking may still hold the rest):
 * each is told that part of what it waits for was freed, and the first to book gets it.
 *
 * Reads only. To close the race with a concurrent `joinWaitlist` (which locks the instrument, then reads
 * whether the period is held), call it in a transaction that took `lockInstrument` on the instrument before
 * it changed the booking's status: the lock is taken before the update so that it cannot deadlock against a
 * booking of the same instrument that waits in the exclusion check for the update's row. Without the lock, a
 * join that read the booking as active just before the cancellation committed is not among the answer.
 */
export async function waitingFor(
  tx: EquipmentDb | Transaction,
  instrumentId: number,
  period: TimeRange,
  now: Date,
): Promise<WaitingEntry[]> {
  const rows = await tx
    .select({
      id: t.id,
      subject: t.subject,
      period: t.period,
      position: sql<number>`(row_number() OVER (ORDER BY ${t.createdAt}, ${t.id}))::int`,
    })
    .from(t)
    .where(and(eq(t.instrumentId, instrumentId), waitingAt(now), sql`${t.period} && ${periodSql(period)}`))
    .orderBy(asc(t.createdAt), asc(t.id));
  return rows.map((r) => ({ id: r.id, subject: r.subject, start: r.period.start, end: r.period.end, position: r.position }));
}

/**
 * For the booking path, in the transaction that stores a booking: ends (BOOKED) the requester's entries still
 * waiting for a period of the instrument that the new booking overlaps — they got what they waited for, and
 * are not told again when another cancellation frees it. Returns how many ended.
 */
export async function endWaitsFulfilledBy(
  tx: EquipmentDb | Transaction,
  booking: { instrumentId: number; requesterId: string; period: TimeRange },
  now: Date,
): Promise<number> {
  const ended = await tx
    .update(t)
    .set({ endedAt: now, endReason: 'BOOKED', updatedAt: sql`now()` })
    .where(
      and(
        eq(t.instrumentId, booking.instrumentId),
        eq(t.subject, booking.requesterId),
        waitingAt(now),
        sql`${t.period} && ${periodSql(booking.period)}`,
      ),
    )
    .returning({ id: t.id });
  return ended.length;
}
