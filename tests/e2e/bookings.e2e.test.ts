import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BookingsRepository } from '@kyoyo/equipment-service';
import { startFederation, uniqueCode, type GraphQLAnswer, type TestFederation } from './support/federation';

/**
 * Booking across institutions through the gateway: a researcher of one university books an instrument of
 * another at the owner's published fee, with the owner's rules.
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

let federation: TestFederation;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

const BOOKING_FIELDS = 'id status fee cancellationFee userCategory start end fundingSource requesterId instrument { id name }';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** `days` days from now (rounded to the hour) at `hour`:00 Tokyo, moved forward to a weekday. */
function weekdayAt(days: number, hour: number): Date {
  const tokyo = new Date(Date.now() + days * DAY + 9 * HOUR);
  tokyo.setUTCHours(hour, 0, 0, 0);
  while (tokyo.getUTCDay() === 0 || tokyo.getUTCDay() === 6) tokyo.setUTCDate(tokyo.getUTCDate() + 1);
  return new Date(tokyo.getTime() - 9 * HOUR);
}
const plus = (date: Date, minutes: number) => new Date(date.getTime() + minutes * 60_000);
/** The next whole hour at least `hours` hours from now (for instruments open around the clock). */
const hoursFromNow = (hours: number) => new Date(Math.ceil((Date.now() + hours * HOUR) / HOUR) * HOUR);

function codeOf(answer: GraphQLAnswer<unknown>): string | undefined {
  return answer.errors?.[0]?.extensions?.code;
}

async function gql<T>(
  token: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphQLAnswer<T>> {
  return federation.query<T>(query, variables, token);
}

const UPSERT = 'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }';
const QUOTE = `query ($input: BookingInput!) { quoteBooking(input: $input) { amount billableMinutes userCategory currency lines { label amount } } }`;
const CREATE = `mutation ($input: BookingInput!, $key: String!) { createBooking(input: $input, idempotencyKey: $key) { ${BOOKING_FIELDS} } }`;
const CANCEL = `mutation ($id: ID!) { cancelBooking(id: $id, reason: "plans changed") { ${BOOKING_FIELDS} } }`;
const DECIDE = `mutation ($id: ID!, $approve: Boolean!) { decideBooking(id: $id, approve: $approve, note: "ok") { ${BOOKING_FIELDS} } }`;

interface Booking {
  id: string;
  status: string;
  fee: number;
  cancellationFee: number | null;
  userCategory: string;
  start: string;
}

const ACADEMIC_RATE = { userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 3000, billingUnitMinutes: 30 };
const FEES = [
  { userCategory: 'INTERNAL', mode: 'SELF', hourlyRate: 1000 },
  ACADEMIC_RATE,
  { userCategory: 'ACADEMIC', mode: 'ASSISTED', hourlyRate: 6000, billingUnitMinutes: 30, minimumCharge: 5000 },
];

async function listing(localId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const answer = await gql<{ upsertInstrument: { id: string } }>(tokens.office, UPSERT, {
    input: {
      institution: owner.code,
      localId,
      name: `装置 ${localId}`,
      category: 'NMR',
      sharedExternally: true,
      fees: FEES,
      ...extra,
    },
  });
  expect(answer.errors).toBeUndefined();
  return answer.data!.upsertInstrument.id;
}

const input = (instrumentId: string, start: Date, minutes: number, extra: Record<string, unknown> = {}) => ({
  instrumentId,
  start: start.toISOString(),
  end: plus(start, minutes).toISOString(),
  purpose: '構造解析',
  ...extra,
});

beforeAll(async () => {
  federation = await startFederation([owner, home]);
  tokens.office = await federation.token({ id: 'office-owner', institution: owner.code, roles: ['FACILITY_MANAGER'] });
  tokens.otherOffice = await federation.token({ id: 'office-home', institution: home.code, roles: ['FACILITY_MANAGER'] });
  tokens.researcher = await federation.token({
    id: 'r-home',
    institution: home.code,
    organization: '東北大学',
    roles: ['RESEARCHER'],
  });
  tokens.insider = await federation.token({
    id: 'r-owner',
    institution: owner.code,
    organization: '京都大学',
    roles: ['RESEARCHER'],
  });
  tokens.industry = await federation.token({
    id: 'r-corp',
    organization: '株式会社サンプル',
    affiliation: 'industry',
    roles: ['RESEARCHER'],
  });
  ids.nmr = await listing('NMR-1');
  ids.internal = await listing('INT-1', { sharedExternally: false });
  ids.approval = await listing('APP-1', { requiresApproval: true });
  ids.qualified = await listing('QUAL-1', { requiresQualification: true });
  ids.allHours = await listing('24H-1');
  ids.retry = await listing('RETRY-1');
  ids.snapshot = await listing('SNAP-1', { fees: FEES });
  const hours = await gql(
    tokens.office,
    'mutation ($id: ID!, $hours: [OpenHoursInput!]!) { setOpenHours(instrumentId: $id, hours: $hours) { weekday } }',
    {
      id: ids.allHours,
      hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opensAt: 0, closesAt: 1440 })),
    },
  );
  expect(hours.errors).toBeUndefined();
});

afterAll(() => federation?.stop());

describe('quotes at the owner’s rates', () => {
  it('charges 90 minutes at ¥3,000/h with a 30-minute unit ¥4,500, and bills 70 minutes as 90', async () => {
    const start = weekdayAt(7, 10);
    for (const minutes of [90, 70]) {
      const answer = await gql<{
        quoteBooking: { amount: number; billableMinutes: number; userCategory: string; currency: string };
      }>(tokens.researcher, QUOTE, { input: input(ids.nmr!, start, minutes) });
      expect(answer.errors).toBeUndefined();
      expect(answer.data!.quoteBooking).toMatchObject({
        amount: 4500,
        billableMinutes: 90,
        userCategory: 'ACADEMIC',
        currency: 'JPY',
      });
    }
  });

  it('explains a minimum charge and gives insiders their own rate', async () => {
    const start = weekdayAt(7, 13);
    const assisted = await gql<{ quoteBooking: { amount: number; lines: { label: string; amount: number }[] } }>(
      tokens.researcher,
      QUOTE,
      { input: input(ids.nmr!, start, 30, { mode: 'ASSISTED' }) },
    );
    expect(assisted.data!.quoteBooking.amount).toBe(5000);
    expect(assisted.data!.quoteBooking.lines.map((l) => l.amount)).toEqual([3000, 2000]);
    const inside = await gql<{ quoteBooking: { amount: number; userCategory: string } }>(tokens.insider, QUOTE, {
      input: input(ids.nmr!, start, 60),
    });
    expect(inside.data!.quoteBooking).toMatchObject({ amount: 1000, userCategory: 'INTERNAL' });
  });

  it('answers NOT_OFFERED, NOT_SHARED and UNAUTHENTICATED where the rules say so', async () => {
    const start = weekdayAt(7, 10);
    expect(codeOf(await gql(tokens.industry, QUOTE, { input: input(ids.nmr!, start, 60) }))).toBe('NOT_OFFERED');
    expect(codeOf(await gql(tokens.researcher, QUOTE, { input: input(ids.internal!, start, 60) }))).toBe('NOT_SHARED');
    expect(codeOf(await gql(undefined, QUOTE, { input: input(ids.nmr!, start, 60) }))).toBe('UNAUTHENTICATED');
  });
});

describe('bookings that never collide', () => {
  it('gives one of 20 concurrent attempts on one slot the booking and the other 19 SLOT_UNAVAILABLE', async () => {
    const start = weekdayAt(8, 10);
    const researchers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => federation.token({ id: `racer-${i}`, institution: home.code, roles: ['RESEARCHER'] })),
    );
    const answers = await Promise.all(
      researchers.map((token, i) =>
        gql<{ createBooking: Booking }>(token, CREATE, { input: input(ids.nmr!, start, 60), key: `race-${i}` }),
      ),
    );
    expect(answers.filter((a) => a.data?.createBooking).length).toBe(1);
    expect(answers.filter((a) => codeOf(a) === 'SLOT_UNAVAILABLE').length).toBe(19);
  });

  it('accepts a booking that starts when another ends', async () => {
    const start = weekdayAt(8, 10);
    const next = await gql<{ createBooking: Booking }>(tokens.researcher, CREATE, {
      input: input(ids.nmr!, plus(start, 60), 30),
      key: 'touching',
    });
    expect(next.errors).toBeUndefined();
    expect(next.data!.createBooking.fee).toBe(1500);
  });

  it('returns the same booking for a retried key and refuses the key with other input', async () => {
    const start = weekdayAt(9, 14);
    const first = await gql<{ createBooking: Booking }>(tokens.researcher, CREATE, {
      input: input(ids.retry!, start, 60),
      key: 'retry-1',
    });
    const again = await gql<{ createBooking: Booking }>(tokens.researcher, CREATE, {
      input: input(ids.retry!, start, 60),
      key: 'retry-1',
    });
    expect(again.data!.createBooking.id).toBe(first.data!.createBooking.id);
    const other = await gql(tokens.researcher, CREATE, { input: input(ids.retry!, plus(start, 120), 60), key: 'retry-1' });
    expect(codeOf(other)).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('keeps the fee a booking was made at when the owner changes the schedule', async () => {
    const start = weekdayAt(9, 10);
    const made = await gql<{ createBooking: Booking }>(tokens.researcher, CREATE, {
      input: input(ids.snapshot!, start, 60),
      key: 'snapshot',
    });
    expect(made.data!.createBooking.fee).toBe(3000);
    await gql(tokens.office, UPSERT, {
      input: {
        institution: owner.code,
        localId: 'SNAP-1',
        name: '装置 SNAP-1',
        category: 'NMR',
        sharedExternally: true,
        fees: [{ ...ACADEMIC_RATE, hourlyRate: 9000 }, FEES[0]],
      },
    });
    const read = await gql<{ booking: Booking }>(
      tokens.researcher,
      `query ($id: ID!) { booking(id: $id) { ${BOOKING_FIELDS} } }`,
      {
        id: made.data!.createBooking.id,
      },
    );
    expect(read.data!.booking.fee).toBe(3000);
    const quote = await gql<{ quoteBooking: { amount: number } }>(tokens.researcher, QUOTE, {
      input: input(ids.snapshot!, plus(start, 120), 60),
    });
    expect(quote.data!.quoteBooking.amount).toBe(9000);
  });

  it('refuses bad periods with BAD_USER_INPUT naming the field, and an unknown instrument with NOT_FOUND', async () => {
    const start = weekdayAt(10, 10);
    const cases: [Record<string, unknown>, string][] = [
      [{ ...input(ids.nmr!, start, 60), end: plus(start, -30).toISOString() }, 'input.end'],
      [{ ...input(ids.nmr!, start, 0) }, 'input.end'],
      [input(ids.nmr!, start, 9 * 60), 'input.end'],
      [input(ids.nmr!, weekdayAt(10, 7), 60), 'input.start'],
      [input(ids.nmr!, new Date(Date.now() - DAY), 60), 'input.start'],
    ];
    for (const [bad, field] of cases) {
      const answer = await gql(tokens.researcher, CREATE, { input: bad, key: `bad-${field}-${Math.random()}` });
      expect(answer.errors?.[0]?.extensions, JSON.stringify(bad)).toEqual({ code: 'BAD_USER_INPUT', field });
    }
    const malformed = await gql(tokens.researcher, CREATE, {
      input: { ...input(ids.nmr!, start, 60), start: '2026-13-01T10:00' },
      key: 'k',
    });
    expect(codeOf(malformed)).toBe('BAD_USER_INPUT');
    const unknown = Buffer.from(`Instrument:${owner.code}:999999`).toString('base64url');
    const missing = await gql(tokens.researcher, CREATE, { input: input(unknown, start, 60), key: 'unknown' });
    expect(missing.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', field: 'input.instrumentId' });
  });

  it('refuses a slot closed for maintenance', async () => {
    const start = weekdayAt(11, 10);
    const closed = await gql(
      tokens.office,
      'mutation ($id: ID!, $start: DateTime!, $end: DateTime!) { addBlackout(instrumentId: $id, start: $start, end: $end, reason: "点検") { id } }',
      { id: ids.nmr, start: start.toISOString(), end: plus(start, 240).toISOString() },
    );
    expect(closed.errors).toBeUndefined();
    expect(codeOf(await gql(tokens.researcher, CREATE, { input: input(ids.nmr!, plus(start, 60), 60), key: 'blackout' }))).toBe(
      'SLOT_UNAVAILABLE',
    );
  });
});

describe('qualifications and approvals', () => {
  it('asks SELF users for a qualification the owning office grants, and honours its expiry', async () => {
    const start = weekdayAt(12, 10);
    const book = (key: string, extra: Record<string, unknown> = {}, at = start) =>
      gql<{ createBooking: Booking }>(tokens.researcher, CREATE, { input: input(ids.qualified!, at, 60, extra), key });
    expect(codeOf(await book('q-1'))).toBe('QUALIFICATION_REQUIRED');
    expect((await book('q-assisted', { mode: 'ASSISTED' }, plus(start, 240))).errors).toBeUndefined();
    const GRANT =
      'mutation ($id: ID!, $user: ID!, $until: Date) { grantQualification(instrumentId: $id, userId: $user, expiresOn: $until) }';
    expect(codeOf(await gql(tokens.otherOffice, GRANT, { id: ids.qualified, user: 'r-home' }))).toBe('FORBIDDEN');
    expect(codeOf(await gql(tokens.office, GRANT, { id: ids.qualified, user: 'r-home', until: '2020-01-01' }))).toBe(
      'BAD_USER_INPUT',
    );
    const tomorrow = new Date(Date.now() + 9 * HOUR + DAY).toISOString().slice(0, 10);
    expect((await gql(tokens.office, GRANT, { id: ids.qualified, user: 'r-home', until: tomorrow })).errors).toBeUndefined();
    // Valid until tomorrow, the booking is in twelve days: still refused.
    expect(codeOf(await book('q-2'))).toBe('QUALIFICATION_REQUIRED');
    expect((await gql(tokens.office, GRANT, { id: ids.qualified, user: 'r-home', until: null })).errors).toBeUndefined();
    const granted = await book('q-3');
    expect(granted.errors).toBeUndefined();
    expect(granted.data?.createBooking.status).toBe('CONFIRMED');
  });

  it('holds the slot while PENDING; only the owning office decides; rejecting frees the slot', async () => {
    const start = weekdayAt(13, 10);
    const pending = await gql<{ createBooking: Booking }>(tokens.researcher, CREATE, {
      input: input(ids.approval!, start, 60),
      key: 'p-1',
    });
    expect(pending.data!.createBooking.status).toBe('PENDING');
    const id = pending.data!.createBooking.id;
    expect(codeOf(await gql(tokens.insider, CREATE, { input: input(ids.approval!, start, 60), key: 'p-2' }))).toBe(
      'SLOT_UNAVAILABLE',
    );
    expect(codeOf(await gql(tokens.otherOffice, DECIDE, { id, approve: true }))).toBe('FORBIDDEN');
    const queue = await gql<{ institutionBookings: { id: string }[] }>(
      tokens.office,
      `query ($inst: ID!) { institutionBookings(institution: $inst, status: [PENDING]) { id } }`,
      { inst: owner.code },
    );
    expect(queue.data!.institutionBookings.map((b) => b.id)).toContain(id);
    expect(
      codeOf(
        await gql(tokens.otherOffice, `query ($inst: ID!) { institutionBookings(institution: $inst) { id } }`, {
          inst: owner.code,
        }),
      ),
    ).toBe('FORBIDDEN');
    const rejected = await gql<{ decideBooking: Booking }>(tokens.office, DECIDE, { id, approve: false });
    expect(rejected.data!.decideBooking.status).toBe('REJECTED');
    const second = await gql<{ createBooking: Booking }>(tokens.insider, CREATE, {
      input: input(ids.approval!, start, 60),
      key: 'p-3',
    });
    expect(second.data!.createBooking.status).toBe('PENDING');
    const approved = await gql<{ decideBooking: Booking }>(tokens.office, DECIDE, {
      id: second.data!.createBooking.id,
      approve: true,
    });
    expect(approved.data!.decideBooking.status).toBe('CONFIRMED');
  });
});

describe('cancellation', () => {
  it('is free more than 48 hours ahead', async () => {
    const made = await gql<{ createBooking: Booking }>(tokens.researcher, CREATE, {
      input: input(ids.allHours!, hoursFromNow(72), 60),
      key: 'c-free',
    });
    const cancelled = await gql<{ cancelBooking: Booking }>(tokens.researcher, CANCEL, { id: made.data!.createBooking.id });
    expect(cancelled.data!.cancelBooking).toMatchObject({ status: 'CANCELLED', cancellationFee: 0 });
  });

  it('costs half the fee, rounded up to the yen, within 48 hours', async () => {
    const made = await gql<{ createBooking: Booking }>(tokens.researcher, CREATE, {
      input: input(ids.allHours!, hoursFromNow(3), 30),
      key: 'c-late',
    });
    expect(made.data!.createBooking.fee).toBe(1500);
    expect(codeOf(await gql(tokens.industry, CANCEL, { id: made.data!.createBooking.id }))).toBe('FORBIDDEN');
    const cancelled = await gql<{ cancelBooking: Booking }>(tokens.researcher, CANCEL, { id: made.data!.createBooking.id });
    expect(cancelled.data!.cancelBooking).toMatchObject({ status: 'CANCELLED', cancellationFee: 750 });
  });
});

describe('usage statement', () => {
  it('groups completed and charged bookings by organisation and funding source, as GraphQL and CSV', async () => {
    // Past bookings cannot be made through the API; the owner's database gets them as a year of use would.
    const { database } = federation.services.get(owner.code)!;
    const repository = new BookingsRepository(database.db);
    const instrumentId = Number(Buffer.from(ids.nmr!, 'base64url').toString('utf8').split(':').at(-1));
    const month = '2025-10';
    const past = (day: number, requesterId: string, organization: string, fundingSource: string | null) =>
      repository.create({
        instrumentId,
        requesterId,
        requesterOrganization: organization,
        requesterInstitution: organization === '東北大学' ? home.code : null,
        userCategory: organization === '東北大学' ? 'ACADEMIC' : 'INDUSTRY',
        mode: 'SELF',
        period: {
          start: new Date(`${month}-${String(day).padStart(2, '0')}T01:00:00Z`),
          end: new Date(`${month}-${String(day).padStart(2, '0')}T02:30:00Z`),
        },
        status: 'CONFIRMED',
        fee: 4500,
        fundingSource,
        purpose: 'measurement',
        idempotencyKey: `past-${day}`,
        requestHash: 'h',
      });
    const made = [
      await past(6, 'r-home', '東北大学', 'KAKENHI JP23H01234'),
      await past(7, 'r-home', '東北大学', 'KAKENHI JP23H01234'),
      await past(8, 'r-home2', '東北大学', null),
      await past(9, 'r-corp', '株式会社サンプル', null),
    ];
    const OUTCOME = `mutation ($id: ID!, $outcome: BookingOutcome!) { recordBookingOutcome(id: $id, outcome: $outcome) { status } }`;
    const globalId = (localId: number) => Buffer.from(`Booking:${owner.code}:${localId}`).toString('base64url');
    for (const [i, { booking }] of made.entries()) {
      const answer = await gql(tokens.office, OUTCOME, { id: globalId(booking.id), outcome: i === 1 ? 'NO_SHOW' : 'COMPLETED' });
      expect(answer.errors).toBeUndefined();
    }
    expect(codeOf(await gql(tokens.otherOffice, OUTCOME, { id: globalId(made[0]!.booking.id), outcome: 'NO_SHOW' }))).toBe(
      'FORBIDDEN',
    );

    const answer = await gql<{
      usageStatement: {
        total: number;
        groups: { requesterOrganization: string; fundingSource: string | null; bookings: number; amount: number }[];
        csv: string;
      };
    }>(
      tokens.office,
      `query ($inst: ID!, $month: String!) { usageStatement(institution: $inst, month: $month) {
        total groups { requesterOrganization fundingSource bookings amount } csv } }`,
      { inst: owner.code, month },
    );
    expect(answer.errors).toBeUndefined();
    const statement = answer.data!.usageStatement;
    expect(statement.total).toBe(4 * 4500);
    expect(
      statement.groups.map(({ requesterOrganization, fundingSource, bookings, amount }) => ({
        requesterOrganization,
        fundingSource,
        bookings,
        amount,
      })),
    ).toEqual(
      expect.arrayContaining([
        { requesterOrganization: '東北大学', fundingSource: 'KAKENHI JP23H01234', bookings: 2, amount: 9000 },
        { requesterOrganization: '東北大学', fundingSource: null, bookings: 1, amount: 4500 },
        { requesterOrganization: '株式会社サンプル', fundingSource: null, bookings: 1, amount: 4500 },
      ]),
    );
    expect(statement.csv.split('\r\n').filter((l) => l.startsWith('total,'))).toHaveLength(1);

    const url = new URL(federation.gatewayUrl);
    url.pathname = '/usage-statement.csv';
    url.search = new URLSearchParams({ institution: owner.code, month }).toString();
    const download = await fetch(url, { headers: { authorization: `Bearer ${tokens.office}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toContain('text/csv');
    expect((await download.text()).replace(/^\uFEFF/, '')).toBe(statement.csv);
    const refused = await fetch(url, { headers: { authorization: `Bearer ${tokens.otherOffice}` } });
    expect(refused.status).toBe(403);
    expect((await fetch(url)).status).toBe(401);
  });
});

describe('my bookings', () => {
  it('lists the viewer’s bookings across institutions, by start', async () => {
    const answer = await gql<{ myBookings: { start: string; requesterId: string }[] }>(
      tokens.researcher,
      '{ myBookings { start requesterId } }',
    );
    expect(answer.errors).toBeUndefined();
    const starts = answer.data!.myBookings.map((b) => Date.parse(b.start));
    expect(starts.length).toBeGreaterThan(3);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(answer.data!.myBookings.every((b) => b.requesterId === 'r-home')).toBe(true);
    expect(codeOf(await gql(undefined, '{ myBookings { id } }'))).toBe('UNAUTHENTICATED');
  });
});
