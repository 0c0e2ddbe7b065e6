import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitingFor } from '@kyoyo/equipment-service';
import { startFederation, uniqueCode, type GraphQLAnswer, type TestFederation } from './support/federation';

/**
 * Waitlists through the gateway: a researcher waits for a period someone else booked at another institution;
 * the owner holds the queue and decides; when the booking is cancelled those waiting are next in the order
 * they joined, and the period goes to whoever books it first through the normal booking path (the exclusion
 * constraint decides). Waiting ends by itself when the period starts.
 */

const owner = {
  code: uniqueCode('owner'),
  name: '京都大学',
  prefecture: '京都府',
  location: { latitude: 35.0262, longitude: 135.7808 },
};
const home = {
  code: uniqueCode('home'),
  name: '東北大学',
  prefecture: '宮城県',
  location: { latitude: 38.2547, longitude: 140.838 },
};

const HOUR = 3_600_000;
const MINUTE = 60_000;

let federation: TestFederation;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

const ENTRY = 'id start end createdAt active position endedAt endReason instrument { id institution { code } }';
const UPSERT = 'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }';
const HOURS = 'mutation ($id: ID!, $hours: [OpenHoursInput!]!) { setOpenHours(instrumentId: $id, hours: $hours) { weekday } }';
const CREATE = `mutation ($input: BookingInput!, $key: String!) { createBooking(input: $input, idempotencyKey: $key) { id status } }`;
const CANCEL = 'mutation ($id: ID!) { cancelBooking(id: $id, reason: "予定変更") { id status } }';
const JOIN = `mutation ($input: WaitlistInput!) { joinWaitlist(input: $input) { ${ENTRY} } }`;
const LEAVE = `mutation ($id: ID!) { leaveWaitlist(id: $id) { ${ENTRY} } }`;
const MINE = `{ myWaitlist { ${ENTRY} } }`;

interface Entry {
  id: string;
  start: string;
  end: string;
  active: boolean;
  position: number | null;
  endedAt: string | null;
  endReason: string | null;
  instrument: { id: string; institution: { code: string } };
}

interface Slot {
  instrumentId: string;
  start: string;
  end: string;
}

const gql = <T = Record<string, unknown>>(token: string | undefined, query: string, variables: Record<string, unknown> = {}) =>
  federation.query<T>(query, variables, token);
const codeOf = (answer: GraphQLAnswer<unknown>) => answer.errors?.[0]?.extensions?.code;

async function must<T>(token: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const answer = await gql<T>(token, query, variables);
  expect(answer.errors, query).toBeUndefined();
  return answer.data!;
}

/** A listing of `institution`'s open around the clock, shared, with INTERNAL and ACADEMIC SELF rates. */
async function listing(institution: string, office: string, localId: string): Promise<string> {
  const { upsertInstrument } = await must<{ upsertInstrument: { id: string } }>(office, UPSERT, {
    input: {
      institution,
      localId,
      name: `電子顕微鏡 ${localId}`,
      category: 'TEM',
      sharedExternally: true,
      fees: [
        { userCategory: 'INTERNAL', mode: 'SELF', hourlyRate: 1000 },
        { userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 3000 },
      ],
    },
  });
  await must(office, HOURS, {
    id: upsertInstrument.id,
    hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opensAt: 0, closesAt: 1440 })),
  });
  return upsertInstrument.id;
}

/** One-hour slots from two days ahead on, each used once in this file. */
let slotCount = 0;
const slotBase = Math.ceil((Date.now() + 48 * HOUR) / HOUR) * HOUR;
function freshSlot(instrumentId: string): Slot {
  const start = slotBase + slotCount++ * 2 * HOUR;
  return { instrumentId, start: new Date(start).toISOString(), end: new Date(start + HOUR).toISOString() };
}

let keys = 0;
async function book(token: string, slot: Slot): Promise<GraphQLAnswer<{ createBooking: { id: string; status: string } }>> {
  return gql(token, CREATE, { input: { ...slot, purpose: '観察' }, key: `waitlist-e2e-${++keys}` });
}

const join = async (token: string, slot: Slot) =>
  (await must<{ joinWaitlist: Entry }>(token, JOIN, { input: slot })).joinWaitlist;
const mine = async (token: string) => (await must<{ myWaitlist: Entry[] }>(token, MINE)).myWaitlist;
const localIdOf = (globalId: string) => Number(Buffer.from(globalId, 'base64url').toString('utf8').split(':').at(-1));

/** Every row of the owner's tables a join or a leave could write, to show that a refusal wrote nothing. */
async function ownerRows(): Promise<unknown> {
  const { sql } = federation.services.get(owner.code)!.database;
  return sql`
    SELECT (SELECT coalesce(md5(string_agg(w::text, ',' ORDER BY w.id)), '') FROM waitlist_entries w) AS entries,
      (SELECT coalesce(md5(string_agg(p::text, ',' ORDER BY p.subject)), '') FROM people p) AS people,
      (SELECT coalesce(md5(string_agg(b::text, ',' ORDER BY b.id)), '') FROM bookings b) AS bookings`;
}

async function refusedWithoutWriting(token: string | undefined, query: string, variables: Record<string, unknown>) {
  const before = await ownerRows();
  const answer = await gql(token, query, variables);
  expect(answer.status).toBeLessThan(500);
  expect(answer.errors?.length, JSON.stringify(answer)).toBe(1);
  expect(await ownerRows()).toEqual(before);
  return answer.errors![0]!;
}

beforeAll(async () => {
  federation = await startFederation([owner, home]);
  tokens.office = await federation.token({ id: 'office-owner', institution: owner.code, roles: ['FACILITY_MANAGER'] });
  tokens.homeOffice = await federation.token({ id: 'office-home', institution: home.code, roles: ['FACILITY_MANAGER'] });
  for (const name of ['a', 'b', 'c']) {
    tokens[name] = await federation.token({
      id: `wl-${name}`,
      institution: home.code,
      organization: '東北大学',
      roles: ['RESEARCHER'],
      email: `${name}@tohoku.example.ac.jp`,
    });
  }
  ids.tem = await listing(owner.code, tokens.office!, 'TEM-1');
  ids.soon = await listing(owner.code, tokens.office!, 'TEM-SOON');
  ids.homeTem = await listing(home.code, tokens.homeOffice!, 'TEM-H');
});

afterAll(() => federation?.stop());

describe('waiting for a booked period', () => {
  it('queues B and C behind A’s booking, refuses what cannot be waited for, and lets the first to book after A cancels have it', async () => {
    const slot = freshSlot(ids.tem!);
    const booked = await book(tokens.a!, slot);
    expect(booked.data?.createBooking.status).toBe('CONFIRMED');

    const b = await join(tokens.b!, slot);
    expect(b).toMatchObject({
      active: true,
      position: 1,
      endedAt: null,
      endReason: null,
      instrument: { id: ids.tem, institution: { code: owner.code } },
    });
    expect(Date.parse(b.start)).toBe(Date.parse(slot.start));
    expect(Date.parse(b.end)).toBe(Date.parse(slot.end));
    const c = await join(tokens.c!, slot);
    expect(c.position).toBe(2);
    expect((await mine(tokens.b!)).map((e) => [e.id, e.position])).toEqual([[b.id, 1]]);

    // What cannot be waited for is refused with a code, and nothing is written at the owner.
    const free = freshSlot(ids.tem!);
    expect(await refusedWithoutWriting(tokens.b, JOIN, { input: free })).toMatchObject({
      extensions: { code: 'SLOT_AVAILABLE', field: 'input.start' },
      message: expect.stringContaining('book it'),
    });
    const past = {
      instrumentId: ids.tem!,
      start: new Date(slotBase - 72 * HOUR).toISOString(),
      end: new Date(slotBase - 71 * HOUR).toISOString(),
    };
    expect((await refusedWithoutWriting(tokens.b, JOIN, { input: past })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.start',
    });
    expect(await refusedWithoutWriting(tokens.b, JOIN, { input: slot })).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.start' },
      message: expect.stringContaining('already wait'),
    });
    expect((await refusedWithoutWriting(tokens.a, JOIN, { input: slot })).extensions?.code).toBe('BAD_USER_INPUT');
    expect((await refusedWithoutWriting(tokens.office, JOIN, { input: slot })).extensions?.code).toBe('FORBIDDEN');
    expect((await refusedWithoutWriting(undefined, JOIN, { input: slot })).extensions?.code).toBe('UNAUTHENTICATED');
    expect(
      (await refusedWithoutWriting(tokens.b, JOIN, { input: { ...slot, instrumentId: 'not-an-id' } })).extensions,
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.instrumentId',
    });

    expect(
      (await must<{ cancelBooking: { status: string } }>(tokens.a, CANCEL, { id: booked.data!.createBooking.id })).cancelBooking
        .status,
    ).toBe('CANCELLED');
    // Those waiting for the freed period, in the order they joined: what the cancellation path tells.
    const queue = await waitingFor(
      federation.services.get(owner.code)!.database.db,
      localIdOf(ids.tem!),
      { start: new Date(slot.start), end: new Date(slot.end) },
      new Date(),
    );
    expect(queue.map((w) => [w.subject, w.position])).toEqual([
      ['wl-b', 1],
      ['wl-c', 2],
    ]);

    // B books it through the normal path; C, second, finds it taken: the exclusion constraint decides.
    expect((await book(tokens.b!, slot)).data?.createBooking.status).toBe('CONFIRMED');
    expect(codeOf(await book(tokens.c!, slot))).toBe('SLOT_UNAVAILABLE');
    // C still waits, now for B's booking.
    expect((await mine(tokens.c!)).map((e) => e.id)).toContain(c.id);
  });

  it('lets only the person waiting leave, and moves those behind them up', async () => {
    const slot = freshSlot(ids.tem!);
    expect((await book(tokens.a!, slot)).errors).toBeUndefined();
    const b = await join(tokens.b!, slot);
    const c = await join(tokens.c!, slot);
    expect(await refusedWithoutWriting(tokens.c, LEAVE, { id: b.id })).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect((await refusedWithoutWriting(tokens.office, LEAVE, { id: b.id })).extensions?.code).toBe('FORBIDDEN');
    expect((await refusedWithoutWriting(tokens.b, LEAVE, { id: 'bogus' })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
    expect((await refusedWithoutWriting(tokens.b, LEAVE, { id: ids.tem })).extensions?.code).toBe('NOT_FOUND');

    const { leaveWaitlist } = await must<{ leaveWaitlist: Entry }>(tokens.b, LEAVE, { id: b.id });
    expect(leaveWaitlist).toMatchObject({ id: b.id, active: false, position: null, endReason: 'LEFT' });
    expect((await mine(tokens.b!)).map((e) => e.id)).not.toContain(b.id);
    expect((await mine(tokens.c!)).find((e) => e.id === c.id)?.position).toBe(1);
    expect((await refusedWithoutWriting(tokens.b, LEAVE, { id: b.id })).extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('lists one’s waiting at every institution, by start', async () => {
    const later = freshSlot(ids.tem!);
    const sooner = freshSlot(ids.homeTem!);
    // Make the home institution's slot the earlier one.
    sooner.start = new Date(Date.parse(later.start) - 24 * HOUR).toISOString();
    sooner.end = new Date(Date.parse(later.end) - 24 * HOUR).toISOString();
    const researcher = await federation.token({ id: 'wl-d', institution: home.code, roles: ['RESEARCHER'] });
    expect((await book(tokens.a!, later)).errors).toBeUndefined();
    expect((await book(tokens.a!, sooner)).errors).toBeUndefined();
    const atOwner = await join(researcher, later);
    const atHome = await join(researcher, sooner);
    const listed = await mine(researcher);
    expect(listed.map((e) => [e.id, e.instrument.institution.code])).toEqual([
      [atHome.id, home.code],
      [atOwner.id, owner.code],
    ]);
  });
});

describe('waiting ends by itself', () => {
  it('drops an entry from the list once its period starts, and it can no longer be left', { timeout: 150_000 }, async () => {
    // The first whole minute at least 10 s away (booking and joining need a future start on a whole minute):
    // this test waits for it, 10 to 70 s.
    const start = Math.ceil((Date.now() + 10_000) / MINUTE) * MINUTE;
    const slot = {
      instrumentId: ids.soon!,
      start: new Date(start).toISOString(),
      end: new Date(start + 15 * MINUTE).toISOString(),
    };
    expect((await book(tokens.a!, slot)).errors).toBeUndefined();
    const entry = await join(tokens.b!, slot);
    expect(entry.active).toBe(true);
    expect((await mine(tokens.b!)).map((e) => e.id)).toContain(entry.id);

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, start - Date.now()) + 1000));
    expect((await mine(tokens.b!)).map((e) => e.id)).not.toContain(entry.id);
    expect(await refusedWithoutWriting(tokens.b, LEAVE, { id: entry.id })).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'id' },
      message: expect.stringContaining('started'),
    });
    const queue = await waitingFor(
      federation.services.get(owner.code)!.database.db,
      localIdOf(ids.soon!),
      { start: new Date(slot.start), end: new Date(slot.end) },
      new Date(),
    );
    expect(queue).toEqual([]);
  });
});
