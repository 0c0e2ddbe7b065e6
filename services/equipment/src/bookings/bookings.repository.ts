import { and, eq } from 'drizzle-orm';
import { equipmentSchema, translateConstraintViolation } from '@kyoyo/db';
import { errors } from '@kyoyo/domain';
import type { EquipmentDb } from '../instruments/instruments.repository';
import type { Booking, NewBooking } from './bookings.types';

const { bookingsTable: t } = equipmentSchema;

type Row = typeof t.$inferSelect;

function toBooking(row: Row): Booking {
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
  };
}

/** Bookings of one institution. Overlaps and key reuse are settled by the database, not by a prior read. */
export class BookingsRepository {
  constructor(private readonly db: EquipmentDb) {}

  /**
   * Stores a booking. A retry with the same requester, idempotency key and input finds the booking made
   * the first time (`replayed`); the same key with other input is `IDEMPOTENCY_CONFLICT`; a period that
   * overlaps another active booking of the instrument is `SLOT_UNAVAILABLE` (constraint
   * `bookings_no_overlap`), however many requests race for it.
   */
  async create(booking: NewBooking): Promise<{ booking: Booking; replayed: boolean }> {
    let inserted: Row | undefined;
    try {
      [inserted] = await this.db
        .insert(t)
        .values(booking)
        .onConflictDoNothing({ target: [t.requesterId, t.idempotencyKey] })
        .returning();
    } catch (error) {
      throw translateConstraintViolation(error);
    }
    if (inserted) return { booking: toBooking(inserted), replayed: false };
    const [existing] = await this.db
      .select()
      .from(t)
      .where(and(eq(t.requesterId, booking.requesterId), eq(t.idempotencyKey, booking.idempotencyKey)));
    if (!existing) throw errors.idempotencyConflict();
    if (existing.requestHash !== booking.requestHash) throw errors.idempotencyConflict();
    return { booking: toBooking(existing), replayed: true };
  }

  async findById(id: number): Promise<Booking | null> {
    const [row] = await this.db.select().from(t).where(eq(t.id, id));
    return row ? toBooking(row) : null;
  }
}
