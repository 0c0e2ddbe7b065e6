import { and, asc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { equipmentSchema } from '@kyoyo/db';
import { toBooking } from '../bookings/bookings.repository';
import type { Booking } from '../bookings/bookings.types';
import type { EquipmentDb } from '../instruments/instruments.repository';
import { toPerson, type Person } from './people.repository';

const { bookingsTable: b, instrumentsTable: i, peopleTable: p, qualificationsTable: q, notificationsTable: n } = equipmentSchema;

/** A booking someone is to be reminded of, with what the message needs. */
export interface DueReminder {
  booking: Booking;
  instrumentName: string;
  person: Person;
}

/** A qualification that ends soon, of someone this institution can write to. */
export interface ExpiringQualification {
  instrumentId: number;
  instrumentName: string;
  expiresOn: string;
  person: Person;
}

/** What the reminder sweep looks for: confirmed bookings soon to start, qualifications soon to end. */
export class RemindersRepository {
  constructor(private readonly db: EquipmentDb) {}

  /**
   * CONFIRMED bookings starting in [from, to) whose requester has an address and wants reminders, and who has
   * no reminder for it in the outbox yet; by start; at most `limit`.
   */
  async dueReminders(from: Date, to: Date, limit: number): Promise<DueReminder[]> {
    const rows = await this.db
      .select({ booking: b, instrumentName: i.name, person: p })
      .from(b)
      .innerJoin(i, eq(i.id, b.instrumentId))
      .innerJoin(p, eq(p.subject, b.requesterId))
      .where(
        and(
          eq(b.status, 'CONFIRMED'),
          sql`lower(${b.period}) >= ${from.toISOString()}::timestamptz`,
          sql`lower(${b.period}) < ${to.toISOString()}::timestamptz`,
          isNotNull(p.email),
          eq(p.reminders, true),
          sql`NOT EXISTS (SELECT 1 FROM ${n} WHERE ${n.event} = 'booking:' || ${b.id} || ':booking_reminder')`,
        ),
      )
      .orderBy(sql`lower(${b.period})`, asc(b.id))
      .limit(limit);
    return rows.map((r) => ({ booking: toBooking(r.booking), instrumentName: r.instrumentName, person: toPerson(r.person) }));
  }

  /**
   * Qualifications in force whose last day is in [fromDay, toDay] (YYYY-MM-DD, Asia/Tokyo), of people with an
   * address, not yet told of; at most `limit`.
   */
  async expiringQualifications(fromDay: string, toDay: string, limit: number): Promise<ExpiringQualification[]> {
    const rows = await this.db
      .select({ instrumentId: q.instrumentId, instrumentName: i.name, expiresOn: q.expiresOn, person: p })
      .from(q)
      .innerJoin(i, eq(i.id, q.instrumentId))
      .innerJoin(p, eq(p.subject, q.userId))
      .where(
        and(
          isNull(q.revokedAt),
          sql`${q.expiresOn} BETWEEN ${fromDay}::date AND ${toDay}::date`,
          isNotNull(p.email),
          sql`NOT EXISTS (SELECT 1 FROM ${n} WHERE ${n.event} = 'qualification:' || ${q.instrumentId} || ':' || ${q.userId} || ':' || ${q.expiresOn})`,
        ),
      )
      .orderBy(asc(q.expiresOn), asc(q.instrumentId))
      .limit(limit);
    return rows.map((r) => ({
      instrumentId: r.instrumentId,
      instrumentName: r.instrumentName,
      expiresOn: r.expiresOn!,
      person: toPerson(r.person),
    }));
  }
}
