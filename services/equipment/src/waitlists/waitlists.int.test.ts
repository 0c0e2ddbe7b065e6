import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Identity } from '@kyoyo/auth';
import { startServiceHarness, userOf, type ServiceHarness } from '../common/test-harness';
import { endWaitsFulfilledBy, waitingFor } from './waitlists.repository';

/**
 * Waitlists through the service's real HTTP endpoint, on PostgreSQL through the production migrations, and
 * the repository functions the booking path calls (`waitingFor`, `endWaitsFulfilledBy`) on the same
 * database. "Now" is Monday 2030-01-07 09:00 Tokyo unless a test moves it; periods lie in later weeks.
 */

let service: ServiceHarness;
const NOW = '2030-01-07T09:00:00+09:00';

beforeAll(async () => {
  service = await startServiceHarness('test-u');
});
afterAll(() => service.stop());
beforeEach(() => service.setNow(NOW));

const tokyo = (local: string) => `${local}:00+09:00`;
const office = userOf('office-1', { institution: 'test-u', organization: 'テスト大学', roles: ['FACILITY_MANAGER'] });
const researcher = (name: string = randomUUID()): Identity => ({
  ...userOf(`r-${name}`),
  email: `${name}@example.ac.jp`,
  language: 'en',
});

const ENTRY = 'id instrumentId subject start end createdAt active position endedAt endReason';
const UPSERT = 'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }';
const JOIN = `mutation ($input: LocalWaitlistInput!) { joinWaitlist(input: $input) { ${ENTRY} } }`;
const LEAVE = `mutation ($id: ID!) { leaveWaitlist(id: $id) { ${ENTRY} } }`;
const MINE = `{ myWaitlist { ${ENTRY} } }`;
const BLACKOUT = `mutation ($id: ID!, $start: DateTime!, $end: DateTime!) { addBlackout(instrumentId: $id, start: $start, end: $end) { id } }`;

interface Entry {
  id: string;
  instrumentId: string;
  subject: string;
  start: string;
  end: string;
  active: boolean;
  position: number | null;
  endedAt: string | null;
  endReason: string | null;
}

async function anInstrument(input: Record<string, unknown> = {}): Promise<string> {
  const data = await service.ok<{ upsertInstrument: { id: string } }>(office, UPSERT, {
    input: {
      localId: `WL-${randomUUID()}`,
      name: '透過電子顕微鏡',
      category: 'TEM',
      sharedExternally: true,
      fees: [
        { userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 3_000 },
        { userCategory: 'INTERNAL', mode: 'SELF', hourlyRate: 1_000 },
      ],
      ...input,
    },
  });
  return data.upsertInstrument.id;
}

interface Slot {
  instrumentId: string;
  start: string;
  end: string;
}

/**
 * An active booking of `who` for `slot`, written straight into the database: what holds a period is the
 * bookings table (and its exclusion constraint), whichever path wrote it; these tests are about waiting.
 */
async function book(who: Identity, slot: Slot, status: 'CONFIRMED' | 'PENDING' = 'CONFIRMED'): Promise<string> {
  const [row] = await service.probe.sql<{ id: string }[]>`
    INSERT INTO bookings (instrument_id, requester_id, requester_organization, requester_institution, user_category,
      mode, period, status, fee, purpose, idempotency_key, request_hash)
    VALUES (${Number(slot.instrumentId)}, ${who.id}, ${who.organization ?? who.id}, ${who.institution},
      ${who.institution === 'test-u' ? 'INTERNAL' : 'ACADEMIC'}, 'SELF',
      tstzrange(${slot.start}::timestamptz, ${slot.end}::timestamptz, '[)'), ${status}, 3000, '観察', ${randomUUID()}, 'h')
    RETURNING id::text`;
  return row!.id;
}

/** Frees a booking's period the way a cancellation does (its status leaves the active ones). */
async function cancel(bookingId: string): Promise<void> {
  await service.probe.sql`UPDATE bookings SET status = 'CANCELLED', cancelled_at = now() WHERE id = ${Number(bookingId)}`;
}

const join = async (who: Identity, slot: Slot) =>
  (await service.ok<{ joinWaitlist: Entry }>(who, JOIN, { input: slot })).joinWaitlist;
const mine = async (who: Identity) => (await service.ok<{ myWaitlist: Entry[] }>(who, MINE)).myWaitlist;

/** Rows of the tables a join writes (and the bookings it must not touch). */
async function counts(): Promise<Record<string, number>> {
  const [row] = await service.probe.sql<{ entries: number; people: number; bookings: number }[]>`
    SELECT (SELECT count(*)::int FROM waitlist_entries) AS entries, (SELECT count(*)::int FROM people) AS people,
      (SELECT count(*)::int FROM bookings) AS bookings`;
  return { ...row! };
}

async function refusedWithoutWriting(who: Identity | null, query: string, variables: Record<string, unknown>) {
  const before = await counts();
  const error = await service.failure(who, query, variables);
  expect(await counts()).toEqual(before);
  return error;
}

/** A period of one instrument that `holder` booked (Tuesday 2030-01-08 10:00–11:00 Tokyo unless given). */
async function bookedSlot(holder: Identity = researcher(), at: Partial<Slot> = {}): Promise<Slot> {
  const slot = {
    instrumentId: at.instrumentId ?? (await anInstrument()),
    start: at.start ?? tokyo('2030-01-08T10:00'),
    end: at.end ?? tokyo('2030-01-08T11:00'),
  };
  bookingOf.set(slot, await book(holder, slot));
  return slot;
}

/** The booking that holds each slot made by `bookedSlot`. */
const bookingOf = new WeakMap<Slot, string>();

describe('joinWaitlist', () => {
  it('puts a researcher in the queue of a period someone else booked, in the order people join', async () => {
    const slot = await bookedSlot();
    const first = researcher('first');
    const second = researcher('second');
    const a = await join(first, slot);
    expect(a).toMatchObject({
      instrumentId: slot.instrumentId,
      subject: first.id,
      start: slot.start,
      end: slot.end,
      active: true,
      position: 1,
      endedAt: null,
      endReason: null,
    });
    // A later entry for a period that overlaps only part of the first still queues behind it.
    const b = await join(second, { ...slot, start: tokyo('2030-01-08T10:30'), end: tokyo('2030-01-08T11:00') });
    expect(b.position).toBe(2);
    expect((await mine(first)).map((e) => [e.id, e.position])).toEqual([[a.id, 1]]);
    expect((await mine(second)).map((e) => [e.id, e.position])).toEqual([[b.id, 2]]);
  });

  it('remembers where to write to the person who joins (rememberPerson, in the same transaction)', async () => {
    const slot = await bookedSlot();
    const who = researcher();
    await join(who, slot);
    const [person] = await service.probe.sql<{ email: string; language: string }[]>`
      SELECT email, language FROM people WHERE subject = ${who.id}`;
    expect(person).toEqual({ email: who.email, language: 'en' });
  });

  it('refuses a free period with SLOT_AVAILABLE (book it instead), writing nothing', async () => {
    const instrumentId = await anInstrument();
    const error = await refusedWithoutWriting(researcher(), JOIN, {
      input: { instrumentId, start: tokyo('2030-01-08T10:00'), end: tokyo('2030-01-08T11:00') },
    });
    expect(error).toMatchObject({ code: 'SLOT_AVAILABLE', field: 'input.start', message: expect.stringContaining('book it') });
  });

  it('treats a period as free again once its booking is cancelled', async () => {
    const slot = await bookedSlot();
    await cancel(bookingOf.get(slot)!);
    expect((await refusedWithoutWriting(researcher(), JOIN, { input: slot })).code).toBe('SLOT_AVAILABLE');
  });

  it('refuses a period that has started or is past, writing nothing', async () => {
    const slot = await bookedSlot();
    service.setNow(tokyo('2030-01-08T10:15'));
    expect(await refusedWithoutWriting(researcher(), JOIN, { input: slot })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.start',
      message: expect.stringContaining('started'),
    });
    service.setNow(tokyo('2030-01-09T09:00'));
    expect((await refusedWithoutWriting(researcher(), JOIN, { input: slot })).field).toBe('input.start');
  });

  it('refuses a second wait of the same person for an overlapping period, writing nothing', async () => {
    const slot = await bookedSlot();
    const who = researcher();
    await join(who, slot);
    const error = await refusedWithoutWriting(who, JOIN, {
      input: { ...slot, start: tokyo('2030-01-08T10:45'), end: tokyo('2030-01-08T11:00') },
    });
    expect(error).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.start',
      message: expect.stringContaining('already wait'),
    });
  });

  it('lets only one of many concurrent joins of one person for overlapping periods through (the constraint decides)', async () => {
    const slot = await bookedSlot();
    const who = researcher();
    const answers = await Promise.all(Array.from({ length: 8 }, () => service.call(who, JOIN, { input: slot })));
    expect(answers.filter((a) => !a.errors).length).toBe(1);
    expect(answers.flatMap((a) => a.errors ?? []).map((e) => e.extensions.code)).toEqual(Array(7).fill('BAD_USER_INPUT'));
    expect(await mine(who)).toHaveLength(1);
  });

  it('refuses a period only the caller holds, and one closed for maintenance', async () => {
    const holder = researcher();
    const slot = await bookedSlot(holder);
    expect((await refusedWithoutWriting(holder, JOIN, { input: slot })).message).toContain('yourself');
    // Booked 10:00–11:00, closed 11:00–12:00: waiting for 10:00–12:00 cannot end in a booking.
    const booked = await bookedSlot();
    await service.ok(office, BLACKOUT, {
      id: booked.instrumentId,
      start: tokyo('2030-01-08T11:00'),
      end: tokyo('2030-01-08T12:00'),
    });
    const closedSlot = { ...booked, end: tokyo('2030-01-08T12:00') };
    expect(await refusedWithoutWriting(researcher(), JOIN, { input: closedSlot })).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('closed'),
    });
  });

  it('applies the booking rules that waiting cannot change: role, listing, sharing, fees, period', async () => {
    const slot = await bookedSlot();
    expect((await refusedWithoutWriting(office, JOIN, { input: slot })).code).toBe('FORBIDDEN');
    expect((await refusedWithoutWriting(null, JOIN, { input: slot })).code).toBe('UNAUTHENTICATED');
    expect(await refusedWithoutWriting(researcher(), JOIN, { input: { ...slot, instrumentId: '999999' } })).toMatchObject({
      code: 'NOT_FOUND',
      field: 'input.instrumentId',
    });
    expect((await refusedWithoutWriting(researcher(), JOIN, { input: { ...slot, instrumentId: 'x' } })).code).toBe(
      'BAD_USER_INPUT',
    );
    const member = userOf(`m-${randomUUID()}`, { institution: 'test-u', organization: 'テスト大学' });
    const internal = await bookedSlot(member, { instrumentId: await anInstrument({ sharedExternally: false }) });
    expect((await refusedWithoutWriting(researcher(), JOIN, { input: internal })).code).toBe('NOT_SHARED');
    const company = userOf(`c-${randomUUID()}`, { institution: null, organization: '株式会社', affiliation: 'industry' });
    expect((await refusedWithoutWriting(company, JOIN, { input: slot })).code).toBe('NOT_OFFERED');
    expect(await refusedWithoutWriting(researcher(), JOIN, { input: { ...slot, end: tokyo('2030-01-08T10:10') } })).toMatchObject(
      { code: 'BAD_USER_INPUT', field: 'input.end' },
    );
  });

  it('ends the caller’s started entries of the instrument so that a new overlapping wait is not refused', async () => {
    const holder = researcher();
    const instrumentId = await anInstrument();
    const earlier = await bookedSlot(holder, { instrumentId, start: tokyo('2030-01-08T10:00'), end: tokyo('2030-01-08T11:00') });
    await book(holder, { instrumentId, start: tokyo('2030-01-08T11:00'), end: tokyo('2030-01-08T12:00') });
    const who = researcher();
    const old = await join(who, earlier);
    service.setNow(tokyo('2030-01-08T10:30'));
    const fresh = await join(who, { instrumentId, start: tokyo('2030-01-08T10:45'), end: tokyo('2030-01-08T11:45') });
    expect(fresh.active).toBe(true);
    const [row] = await service.probe.sql<{ end_reason: string; ended_at: string }[]>`
      SELECT end_reason, ended_at FROM waitlist_entries WHERE id = ${Number(old.id)}`;
    expect({ reason: row?.end_reason, at: new Date(row!.ended_at) }).toEqual({ reason: 'STARTED', at: new Date(earlier.start) });
  });
});

describe('waiting ends by itself when the period starts', () => {
  it('drops the entry from myWaitlist, from waitingFor and from leaving once the start has come', async () => {
    const slot = await bookedSlot();
    const who = researcher();
    const entry = await join(who, slot);
    const instrumentId = Number(slot.instrumentId);
    const period = { start: new Date(slot.start), end: new Date(slot.end) };
    service.setNow(new Date(new Date(slot.start).getTime() - 60_000));
    expect((await mine(who)).map((e) => e.id)).toEqual([entry.id]);
    expect(
      (await waitingFor(service.probe.db, instrumentId, period, new Date(new Date(slot.start).getTime() - 1))).map((w) => w.id),
    ).toEqual([Number(entry.id)]);
    service.setNow(slot.start);
    expect(await mine(who)).toEqual([]);
    expect(await waitingFor(service.probe.db, instrumentId, period, new Date(slot.start))).toEqual([]);
    expect((await refusedWithoutWriting(who, LEAVE, { id: entry.id })).message).toContain('started');
  });
});

describe('leaveWaitlist', () => {
  it('ends the person’s own entry, which then leaves their list and moves those behind up', async () => {
    const slot = await bookedSlot();
    const first = researcher();
    const second = researcher();
    const a = await join(first, slot);
    const b = await join(second, slot);
    const { leaveWaitlist } = await service.ok<{ leaveWaitlist: Entry }>(first, LEAVE, { id: a.id });
    expect(leaveWaitlist).toMatchObject({
      id: a.id,
      active: false,
      position: null,
      endReason: 'LEFT',
      endedAt: expect.any(String),
    });
    expect(await mine(first)).toEqual([]);
    expect((await mine(second)).map((e) => [e.id, e.position])).toEqual([[b.id, 1]]);
    expect((await refusedWithoutWriting(first, LEAVE, { id: a.id })).message).toContain('you left it');
  });

  it('refuses someone else’s entry (FORBIDDEN), an unknown one (NOT_FOUND) and a malformed id, writing nothing', async () => {
    const slot = await bookedSlot();
    const entry = await join(researcher(), slot);
    expect((await refusedWithoutWriting(researcher(), LEAVE, { id: entry.id })).code).toBe('FORBIDDEN');
    expect((await refusedWithoutWriting(office, LEAVE, { id: entry.id })).code).toBe('FORBIDDEN');
    expect(await refusedWithoutWriting(researcher(), LEAVE, { id: '999999999' })).toMatchObject({
      code: 'NOT_FOUND',
      field: 'id',
    });
    expect(await refusedWithoutWriting(researcher(), LEAVE, { id: '1; DROP TABLE people' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
    expect((await refusedWithoutWriting(null, LEAVE, { id: entry.id })).code).toBe('UNAUTHENTICATED');
  });
});

describe('waitingFor (the cancellation path)', () => {
  it('answers those waiting for an overlapping part of the freed period, in joining order, with positions from 1', async () => {
    const instrumentId = await anInstrument();
    const holder = researcher();
    const morning = await bookedSlot(holder, { instrumentId, start: tokyo('2030-01-08T10:00'), end: tokyo('2030-01-08T12:00') });
    await book(holder, { instrumentId, start: tokyo('2030-01-08T13:00'), end: tokyo('2030-01-08T14:00') });
    const [p, q, r, s] = [researcher('p'), researcher('q'), researcher('r'), researcher('s')];
    const late = await join(q, { instrumentId, start: tokyo('2030-01-08T11:00'), end: tokyo('2030-01-08T12:00') });
    const early = await join(p, { instrumentId, start: tokyo('2030-01-08T10:00'), end: tokyo('2030-01-08T11:00') });
    await join(r, { instrumentId, start: tokyo('2030-01-08T13:00'), end: tokyo('2030-01-08T14:00') });
    const gone = await join(s, { instrumentId, start: tokyo('2030-01-08T10:00'), end: tokyo('2030-01-08T12:00') });
    await service.ok(s, LEAVE, { id: gone.id });
    // Another instrument's queue for the same hours is not this one's.
    await join(researcher(), await bookedSlot(holder));

    await cancel(bookingOf.get(morning)!);
    const freed = { start: new Date(morning.start), end: new Date(morning.end) };
    const waiting = await waitingFor(service.probe.db, Number(instrumentId), freed, new Date(NOW));
    expect(waiting).toEqual([
      { id: Number(late.id), subject: q.id, start: new Date(late.start), end: new Date(late.end), position: 1 },
      { id: Number(early.id), subject: p.id, start: new Date(early.start), end: new Date(early.end), position: 2 },
    ]);
  });

  it('runs inside the caller’s transaction and sees what it wrote before committing', async () => {
    const slot = await bookedSlot();
    const entry = await join(researcher(), slot);
    const period = { start: new Date(slot.start), end: new Date(slot.end) };
    const undo = new Error('undo');
    let inside: unknown = null;
    await expect(
      service.probe.db.transaction(async (tx) => {
        await tx.execute(`UPDATE waitlist_entries SET ended_at = now(), end_reason = 'LEFT' WHERE id = ${Number(entry.id)}`);
        inside = await waitingFor(tx, Number(slot.instrumentId), period, new Date(NOW));
        throw undo;
      }),
    ).rejects.toBe(undo);
    expect(inside).toEqual([]);
    expect((await waitingFor(service.probe.db, Number(slot.instrumentId), period, new Date(NOW))).map((w) => w.id)).toEqual([
      Number(entry.id),
    ]);
  });
});

describe('endWaitsFulfilledBy (the booking path)', () => {
  it('ends the booker’s own waits that the new booking overlaps, and nobody else’s', async () => {
    const slot = await bookedSlot();
    const booker = researcher();
    const other = researcher();
    const mineEntry = await join(booker, slot);
    const theirs = await join(other, slot);
    const ended = await endWaitsFulfilledBy(
      service.probe.db,
      {
        instrumentId: Number(slot.instrumentId),
        requesterId: booker.id,
        period: { start: new Date(slot.start), end: new Date(slot.end) },
      },
      new Date(NOW),
    );
    expect(ended).toBe(1);
    expect(await mine(booker)).toEqual([]);
    expect((await mine(other)).map((e) => [e.id, e.position])).toEqual([[theirs.id, 1]]);
    const [row] = await service.probe.sql<
      { end_reason: string }[]
    >`SELECT end_reason FROM waitlist_entries WHERE id = ${Number(mineEntry.id)}`;
    expect(row?.end_reason).toBe('BOOKED');
  });
});
