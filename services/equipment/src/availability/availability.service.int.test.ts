import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Identity } from '@kyoyo/auth';
import { startServiceHarness, userOf, type ServiceHarness } from '../common/test-harness';

/**
 * Open hours, closures and cancellation settings through the service's HTTP endpoint on PostgreSQL. "Now"
 * is Monday 2030-01-07 09:00 Tokyo.
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
const otherOffice = userOf('office-9', { institution: 'kyoto-u', roles: ['FACILITY_MANAGER'] });
const researcher = () => userOf(`r-${randomUUID()}`);

const UPSERT = `mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id cancellationFreeHours cancellationFeePercent } }`;
const SET_HOURS = `mutation ($id: ID!, $hours: [OpenHoursInput!]!) { setOpenHours(instrumentId: $id, hours: $hours) { weekday opensAt closesAt } }`;
const ADD = `mutation ($id: ID!, $start: DateTime!, $end: DateTime!, $reason: String) {
  addBlackout(instrumentId: $id, start: $start, end: $end, reason: $reason) { id instrumentId start end reason createdBy } }`;
const REMOVE = `mutation ($id: ID!) { removeBlackout(id: $id) }`;
const INSTRUMENT = `query ($id: ID!, $from: DateTime!, $to: DateTime!) { instruments(ids: [$id]) {
  openHours { weekday opensAt closesAt } blackouts(from: $from, to: $to) { id start end reason }
  availability(from: $from, to: $to) { start end } cancellationFreeHours cancellationFeePercent } }`;
const CREATE = `mutation ($input: LocalBookingInput!, $key: String!) { createBooking(input: $input, idempotencyKey: $key) { id status } }`;
const CANCEL = `mutation ($id: ID!) { cancelBooking(id: $id) { status } }`;

async function anInstrument(input: Record<string, unknown> = {}): Promise<string> {
  const { upsertInstrument } = await service.ok<{ upsertInstrument: { id: string } }>(office, UPSERT, {
    input: {
      localId: `EQ-${randomUUID()}`,
      name: '透過型電子顕微鏡',
      category: 'TEM',
      sharedExternally: true,
      fees: [{ userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 6_000 }],
      ...input,
    },
  });
  return upsertInstrument.id;
}

const book = (who: Identity, instrumentId: string, start: string, end: string) =>
  service.call<{ createBooking: { id: string } }>(who, CREATE, {
    input: { instrumentId, start: tokyo(start), end: tokyo(end), mode: 'SELF', purpose: '観察' },
    key: randomUUID(),
  });

interface InstrumentView {
  openHours: { weekday: number; opensAt: number; closesAt: number }[];
  blackouts: { id: string; start: string; end: string; reason: string | null }[];
  availability: { start: string; end: string }[];
  cancellationFreeHours: number;
  cancellationFeePercent: number;
}

async function view(id: string, from: string, to: string): Promise<InstrumentView> {
  const { instruments } = await service.ok<{ instruments: InstrumentView[] }>(null, INSTRUMENT, {
    id,
    from: tokyo(from),
    to: tokyo(to),
  });
  return instruments[0]!;
}

async function refusedWithoutWriting(
  who: Identity | null,
  query: string,
  variables: Record<string, unknown>,
  code: string,
  field?: string,
): Promise<void> {
  const before = await service.rowCounts();
  const error = await service.failure(who, query, variables);
  expect({ code: error.code, field: error.field }).toEqual({ code, field });
  expect(await service.rowCounts()).toEqual(before);
}

describe('setOpenHours', () => {
  it('replaces the weekly hours, which later bookings must then fit', async () => {
    const id = await anInstrument();
    const hours = [
      { weekday: 6, opensAt: 600, closesAt: 720 },
      { weekday: 1, opensAt: 780, closesAt: 1020 },
      { weekday: 1, opensAt: 540, closesAt: 720 },
    ];
    const { setOpenHours } = await service.ok<{ setOpenHours: unknown[] }>(office, SET_HOURS, { id, hours });
    expect(setOpenHours).toEqual([hours[2], hours[1], hours[0]]);
    expect((await view(id, '2030-01-14T00:00', '2030-01-15T00:00')).openHours).toEqual(setOpenHours);
    expect((await book(researcher(), id, '2030-01-14T11:00', '2030-01-14T13:30')).errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.start',
    });
    expect((await book(researcher(), id, '2030-01-19T10:00', '2030-01-19T12:00')).errors).toBeUndefined();
  });

  it('leaves bookings made under the old hours in place', async () => {
    const id = await anInstrument();
    const made = await book(researcher(), id, '2030-01-14T16:00', '2030-01-14T17:00');
    await service.ok(office, SET_HOURS, { id, hours: [{ weekday: 1, opensAt: 540, closesAt: 720 }] });
    const rows = await service.probe.sql`SELECT status FROM bookings WHERE id = ${made.data!.createBooking.id}`;
    expect(rows.map((r) => r.status)).toEqual(['CONFIRMED']);
  });

  it('refuses overlapping or impossible rules, unknown instruments and other offices, writing nothing', async () => {
    const id = await anInstrument();
    const overlap = [
      { weekday: 2, opensAt: 540, closesAt: 720 },
      { weekday: 2, opensAt: 700, closesAt: 800 },
    ];
    await refusedWithoutWriting(office, SET_HOURS, { id, hours: overlap }, 'BAD_USER_INPUT', 'hours[1]');
    await refusedWithoutWriting(
      office,
      SET_HOURS,
      { id, hours: [{ weekday: 8, opensAt: 0, closesAt: 60 }] },
      'BAD_USER_INPUT',
      'hours[0].weekday',
    );
    await refusedWithoutWriting(
      office,
      SET_HOURS,
      { id, hours: [{ weekday: 1, opensAt: 600, closesAt: 600 }] },
      'BAD_USER_INPUT',
      'hours[0].closesAt',
    );
    await refusedWithoutWriting(office, SET_HOURS, { id: '999999', hours: [] }, 'NOT_FOUND', 'instrumentId');
    await refusedWithoutWriting(otherOffice, SET_HOURS, { id, hours: [] }, 'FORBIDDEN');
    await refusedWithoutWriting(researcher(), SET_HOURS, { id, hours: [] }, 'FORBIDDEN');
    expect((await view(id, '2030-01-14T00:00', '2030-01-15T00:00')).openHours).toHaveLength(5);
  });

  it('closes an instrument altogether with an empty list', async () => {
    const id = await anInstrument();
    await service.ok(office, SET_HOURS, { id, hours: [] });
    const { openHours, availability } = await view(id, '2030-01-14T00:00', '2030-01-21T00:00');
    expect([openHours, availability]).toEqual([[], []]);
  });
});

describe('blackouts', () => {
  it('close a period: listed on the instrument, gone from availability, refused to bookings, reopened on removal', async () => {
    const id = await anInstrument();
    const { addBlackout } = await service.ok<{ addBlackout: Record<string, unknown> }>(office, ADD, {
      id,
      start: tokyo('2030-01-14T12:00'),
      end: tokyo('2030-01-14T15:00'),
      reason: ' 定期点検 ',
    });
    expect(addBlackout).toMatchObject({
      instrumentId: id,
      start: '2030-01-14T12:00:00+09:00',
      end: '2030-01-14T15:00:00+09:00',
      reason: '定期点検',
      createdBy: office.id,
    });
    const closed = await view(id, '2030-01-14T00:00', '2030-01-15T00:00');
    expect(closed.blackouts.map((b) => b.id)).toEqual([addBlackout.id]);
    expect(closed.availability).toEqual([
      { start: '2030-01-14T09:00:00+09:00', end: '2030-01-14T12:00:00+09:00' },
      { start: '2030-01-14T15:00:00+09:00', end: '2030-01-14T18:00:00+09:00' },
    ]);
    expect((await book(researcher(), id, '2030-01-14T14:00', '2030-01-14T16:00')).errors?.[0]?.extensions.code).toBe(
      'SLOT_UNAVAILABLE',
    );
    expect(await service.ok(office, REMOVE, { id: addBlackout.id })).toEqual({ removeBlackout: true });
    expect(await service.ok(office, REMOVE, { id: addBlackout.id })).toEqual({ removeBlackout: false });
    expect((await view(id, '2030-01-14T00:00', '2030-01-15T00:00')).blackouts).toEqual([]);
    expect((await book(researcher(), id, '2030-01-14T14:00', '2030-01-14T16:00')).errors).toBeUndefined();
  });

  it('lists only the closures overlapping the window, by start', async () => {
    const id = await anInstrument();
    for (const [start, end] of [
      ['2030-01-16T09:00', '2030-01-16T10:00'],
      ['2030-01-14T09:00', '2030-01-15T09:00'],
      ['2030-01-20T09:00', '2030-01-21T09:00'],
    ] as const) {
      await service.ok(office, ADD, { id, start: tokyo(start), end: tokyo(end) });
    }
    const { blackouts } = await view(id, '2030-01-15T08:00', '2030-01-17T00:00');
    expect(blackouts.map((b) => b.start)).toEqual(['2030-01-14T09:00:00+09:00', '2030-01-16T09:00:00+09:00']);
  });

  it('are refused while an active booking holds part of the period, and accepted once it is cancelled', async () => {
    const id = await anInstrument();
    const who = researcher();
    const made = await book(who, id, '2030-01-14T10:00', '2030-01-14T11:00');
    const closure = { id, start: tokyo('2030-01-14T10:30'), end: tokyo('2030-01-14T12:00') };
    await refusedWithoutWriting(office, ADD, closure, 'SLOT_UNAVAILABLE', 'start');
    await service.ok(who, CANCEL, { id: made.data!.createBooking.id });
    await service.ok(office, ADD, closure);
  });

  it('may touch a booking: a closure from 11:00 after a booking until 11:00', async () => {
    const id = await anInstrument();
    await book(researcher(), id, '2030-01-14T10:00', '2030-01-14T11:00');
    await service.ok(office, ADD, { id, start: tokyo('2030-01-14T11:00'), end: tokyo('2030-01-14T12:00') });
  });

  it('refuses bad closures without writing: end not after start, unknown instrument, not the office', async () => {
    const id = await anInstrument();
    const period = { start: tokyo('2030-01-14T10:00'), end: tokyo('2030-01-14T11:00') };
    await refusedWithoutWriting(office, ADD, { id, start: period.end, end: period.start }, 'BAD_USER_INPUT', 'end');
    await refusedWithoutWriting(office, ADD, { id, start: period.start, end: period.start }, 'BAD_USER_INPUT', 'end');
    await refusedWithoutWriting(office, ADD, { id: '999999', ...period }, 'NOT_FOUND', 'instrumentId');
    await refusedWithoutWriting(office, ADD, { id, ...period, reason: 'r'.repeat(2001) }, 'BAD_USER_INPUT', 'reason');
    await refusedWithoutWriting(otherOffice, ADD, { id, ...period }, 'FORBIDDEN');
    await refusedWithoutWriting(null, ADD, { id, ...period }, 'UNAUTHENTICATED');
    await refusedWithoutWriting(researcher(), REMOVE, { id: '1' }, 'FORBIDDEN');
  });

  it('are read for a page of instruments in one statement per window', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, () => anInstrument()));
    for (const id of ids) await service.ok(office, ADD, { id, start: tokyo('2030-02-04T09:00'), end: tokyo('2030-02-04T10:00') });
    const page = `query ($ids: [ID!]!, $from: DateTime!, $to: DateTime!) { instruments(ids: $ids) { blackouts(from: $from, to: $to) { id } } }`;
    const window = { from: tokyo('2030-02-01T00:00'), to: tokyo('2030-02-08T00:00') };
    const read = (n: number) =>
      service.countStatements(async () => {
        const { instruments } = await service.ok<{ instruments: { blackouts: unknown[] }[] }>(null, page, {
          ids: ids.slice(0, n),
          ...window,
        });
        expect(instruments.map((i) => i.blackouts.length)).toEqual(Array(n).fill(1));
      });
    expect((await read(2)).length).toBe((await read(12)).length);
    expect((await read(12)).length).toBe(2); // instruments, blackouts
  });
});

describe('cancellation settings', () => {
  it('default to 48 hours and 50 percent and take the office’s values', async () => {
    const localId = `EQ-${randomUUID()}`;
    const { upsertInstrument: created } = await service.ok<{ upsertInstrument: Record<string, unknown> }>(office, UPSERT, {
      input: { localId, name: 'X線回折装置', category: 'XRD' },
    });
    expect(created).toMatchObject({ cancellationFreeHours: 48, cancellationFeePercent: 50 });
    const { upsertInstrument: updated } = await service.ok<{ upsertInstrument: Record<string, unknown> }>(office, UPSERT, {
      input: { localId, name: 'X線回折装置', category: 'XRD', cancellationFreeHours: 0, cancellationFeePercent: 100 },
    });
    expect(updated).toMatchObject({ id: created.id, cancellationFreeHours: 0, cancellationFeePercent: 100 });
    expect(await view(String(created.id), '2030-01-14T00:00', '2030-01-15T00:00')).toMatchObject({
      cancellationFreeHours: 0,
      cancellationFeePercent: 100,
    });
  });

  it.each([
    ['cancellationFreeHours', -1],
    ['cancellationFreeHours', 721],
    ['cancellationFeePercent', 101],
    ['cancellationFeePercent', -5],
  ])('refuses %s = %i naming the field, writing nothing', async (field, value) => {
    const input = { localId: `EQ-${randomUUID()}`, name: 'X線回折装置', category: 'XRD', [field]: value };
    await refusedWithoutWriting(office, UPSERT, { input }, 'BAD_USER_INPUT', `input.${field}`);
  });
});
