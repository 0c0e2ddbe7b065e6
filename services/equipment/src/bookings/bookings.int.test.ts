import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, equipmentSchema, type Database } from '@kyoyo/db';
import { DomainError, ErrorCode } from '@kyoyo/domain';
import { createTestDatabase } from '@kyoyo/test-kit';
import { InstrumentsRepository } from '../instruments/instruments.repository';
import { searchColumnsOf } from '@kyoyo/domain';
import { toListing } from '../instruments/instruments.service';
import { BookingsRepository } from './bookings.repository';
import type { NewBooking } from './bookings.types';

let database: Database<typeof equipmentSchema>;
let bookings: BookingsRepository;
let instruments: InstrumentsRepository;

beforeAll(async () => {
  database = connect(await createTestDatabase(), equipmentSchema, { max: 12 });
  bookings = new BookingsRepository(database.db);
  instruments = new InstrumentsRepository(database.db);
});
afterAll(() => database.close());

async function anInstrument(): Promise<number> {
  const listing = toListing({
    localId: `EQ-${randomUUID()}`,
    name: 'フローサイトメーター',
    category: 'フローサイトメーター',
    sharedExternally: true,
    remoteOperable: false,
    requiresApproval: false,
    requiresQualification: false,
  });
  return (await instruments.upsert(listing, searchColumnsOf(listing))).instrument.id;
}

function aBooking(instrumentId: number, start: string, end: string, overrides: Partial<NewBooking> = {}): NewBooking {
  return {
    instrumentId,
    requesterId: `user-${randomUUID()}`,
    requesterOrganization: '東北大学',
    requesterInstitution: 'tohoku-u',
    userCategory: 'ACADEMIC',
    mode: 'SELF',
    period: { start: new Date(start), end: new Date(end) },
    status: 'CONFIRMED',
    fee: 3000,
    fundingSource: null,
    purpose: 'measurement',
    idempotencyKey: randomUUID(),
    requestHash: 'hash-a',
    ...overrides,
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe('bookings repository on PostgreSQL', () => {
  it('refuses an overlapping active booking as SLOT_UNAVAILABLE through the exclusion constraint', async () => {
    const id = await anInstrument();
    await bookings.create(aBooking(id, '2030-01-07T01:00:00Z', '2030-01-07T03:00:00Z'));
    const code = await codeOf(bookings.create(aBooking(id, '2030-01-07T02:00:00Z', '2030-01-07T04:00:00Z')));
    expect(code).toBe(ErrorCode.SLOT_UNAVAILABLE);
  });

  it('accepts bookings that only touch: one ends at 11:30, the next starts at 11:30', async () => {
    const id = await anInstrument();
    await bookings.create(aBooking(id, '2030-01-07T01:00:00Z', '2030-01-07T02:30:00Z'));
    const { booking } = await bookings.create(aBooking(id, '2030-01-07T02:30:00Z', '2030-01-07T03:00:00Z'));
    expect(booking.period.start.toISOString()).toBe('2030-01-07T02:30:00.000Z');
  });

  it('lets a cancelled booking free its slot', async () => {
    const id = await anInstrument();
    await bookings.create(aBooking(id, '2030-01-08T01:00:00Z', '2030-01-08T02:00:00Z', { status: 'CANCELLED' }));
    const { booking } = await bookings.create(aBooking(id, '2030-01-08T01:00:00Z', '2030-01-08T02:00:00Z'));
    expect(booking.status).toBe('CONFIRMED');
  });

  it('lets exactly one of many concurrent requests for the same slot win', async () => {
    const id = await anInstrument();
    const attempts = Array.from({ length: 10 }, () =>
      bookings.create(aBooking(id, '2030-01-09T01:00:00Z', '2030-01-09T02:00:00Z')),
    );
    const outcomes = await Promise.allSettled(attempts);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((o) => (o.reason as DomainError).code)).toEqual(Array(9).fill(ErrorCode.SLOT_UNAVAILABLE));
  });

  it('returns the same booking when a client retries with the same idempotency key and input', async () => {
    const id = await anInstrument();
    const request = aBooking(id, '2030-01-10T01:00:00Z', '2030-01-10T02:00:00Z');
    const first = await bookings.create(request);
    const retry = await bookings.create(request);
    expect(retry.replayed).toBe(true);
    expect(retry.booking.id).toBe(first.booking.id);
  });

  it('refuses the same idempotency key with other input as IDEMPOTENCY_CONFLICT and writes nothing', async () => {
    const id = await anInstrument();
    const request = aBooking(id, '2030-01-11T01:00:00Z', '2030-01-11T02:00:00Z');
    const first = await bookings.create(request);
    const other = {
      ...request,
      period: { start: new Date('2030-01-11T05:00:00Z'), end: new Date('2030-01-11T06:00:00Z') },
      requestHash: 'hash-b',
    };
    expect(await codeOf(bookings.create(other))).toBe(ErrorCode.IDEMPOTENCY_CONFLICT);
    const rows = await database.sql`SELECT id FROM bookings WHERE requester_id = ${request.requesterId}`;
    expect(rows.map((r) => Number(r.id))).toEqual([first.booking.id]);
  });

  it('keeps idempotency keys per requester: two users may choose the same key', async () => {
    const id = await anInstrument();
    const key = randomUUID();
    const a = await bookings.create(aBooking(id, '2030-01-12T01:00:00Z', '2030-01-12T02:00:00Z', { idempotencyKey: key }));
    const b = await bookings.create(aBooking(id, '2030-01-12T02:00:00Z', '2030-01-12T03:00:00Z', { idempotencyKey: key }));
    expect(b.booking.id).not.toBe(a.booking.id);
  });

  it('answers a retry with its booking even when the period has since been closed', async () => {
    const id = await anInstrument();
    const request = aBooking(id, '2030-01-14T01:00:00Z', '2030-01-14T02:00:00Z');
    const first = await bookings.create(request);
    await database.sql`UPDATE bookings SET status = 'CANCELLED' WHERE id = ${first.booking.id}`;
    await database.sql`INSERT INTO blackouts (instrument_id, period, created_by)
      VALUES (${id}, tstzrange('2030-01-14T00:00:00Z', '2030-01-14T09:00:00Z', '[)'), 'office')`;
    const retry = await bookings.create(request);
    expect(retry).toMatchObject({ replayed: true, booking: { id: first.booking.id, status: 'CANCELLED' } });
    const other = aBooking(id, '2030-01-14T03:00:00Z', '2030-01-14T04:00:00Z');
    expect(await codeOf(bookings.create(other))).toBe(ErrorCode.SLOT_UNAVAILABLE);
  });

  it('refuses a booking of an instrument that is not listed as NOT_FOUND', async () => {
    expect(await codeOf(bookings.create(aBooking(987_654, '2030-01-14T01:00:00Z', '2030-01-14T02:00:00Z')))).toBe(
      ErrorCode.NOT_FOUND,
    );
  });
});
