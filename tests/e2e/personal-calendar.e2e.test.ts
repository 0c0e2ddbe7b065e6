import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFederation, uniqueCode, type TestFederation } from './support/federation';
import { detailsOf, eventsOf, tokyoWeekdayAt10 } from './support/icalendar';

/**
 * A person's own bookings as an iCalendar feed at a secret, revocable URL (issue #22), read with a real
 * iCalendar parser: bookings at every institution at their Tokyo times, pending ones tentative, cancelled ones
 * gone, nobody else's; a new URL revokes the old; bad, unknown and revoked tokens are refused with a code; an
 * owner that does not answer makes the feed answer 503 rather than drop that owner's bookings.
 */

const A = {
  code: uniqueCode('feed-a'),
  name: '暦甲大学',
  prefecture: '京都府',
  location: { latitude: 35.03, longitude: 135.78 },
};
const B = {
  code: uniqueCode('feed-b'),
  name: '暦乙大学',
  prefecture: '宮城県',
  location: { latitude: 38.25, longitude: 140.84 },
};
const HOUR = 3_600_000;

let federation: TestFederation;
let hanako = '';
let jiro = '';
const instruments: Record<string, string> = {};

const UPSERT = 'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }';
const CREATE = `mutation ($input: BookingInput!, $key: String!) { createBooking(input: $input, idempotencyKey: $key) { id status } }`;
const MAKE = 'mutation { createCalendarFeed { url feed { createdAt lastReadAt } } }';
const REVOKE = 'mutation { revokeCalendarFeed }';
const MINE = '{ me { calendarFeed { createdAt lastReadAt } } }';

async function must<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const answer = await federation.query<T>(query, variables, token);
  expect(answer.errors, query).toBeUndefined();
  return answer.data!;
}

async function read(url: string) {
  const response = await fetch(url);
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    cache: response.headers.get('cache-control'),
    text: await response.text(),
  };
}

const codeOf = (text: string) => (JSON.parse(text) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code;

const feedRows = async () => {
  const [row] = await federation.gatewayDatabase.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM calendar_feeds`;
  return row!.n;
};

beforeAll(async () => {
  federation = await startFederation([A, B]);
  hanako = await federation.token({ id: 'hanako@feed.example', institution: A.code, roles: ['RESEARCHER'] });
  jiro = await federation.token({ id: 'jiro@feed.example', institution: B.code, roles: ['RESEARCHER'] });
  for (const [key, institution, extra] of [
    ['a-plain', A, {}],
    ['a-approval', A, { requiresApproval: true }],
    ['b-plain', B, {}],
  ] as const) {
    const office = await federation.token({ id: `office-${key}`, institution: institution.code, roles: ['FACILITY_MANAGER'] });
    const created = await must<{ upsertInstrument: { id: string } }>(
      UPSERT,
      {
        input: {
          institution: institution.code,
          localId: key,
          name: `暦試験装置 ${key}`,
          category: 'NMR',
          sharedExternally: true,
          fees: [
            { userCategory: 'INTERNAL', mode: 'SELF', hourlyRate: 1000 },
            { userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 2000 },
          ],
          ...extra,
        },
      },
      office,
    );
    instruments[key] = created.upsertInstrument.id;
  }
});
afterAll(() => federation?.stop());

describe('a person’s own calendar feed', () => {
  let url = '';
  let booked = '';
  const start = tokyoWeekdayAt10(10);
  /**
   * Another weekday, after `start`'s. (`start` is fewer than whole days away once it is past 10:00 in Tokyo,
   * so rounding up alone gave `start`'s own day then: a day more is always a later one.)
   */
  const elsewhere = tokyoWeekdayAt10(Math.ceil((start.getTime() - Date.now()) / (24 * HOUR)) + 1);

  it('is made only for someone signed in, and its URL is shown once', async () => {
    const anonymous = await federation.query(MAKE, {});
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await feedRows()).toBe(0);
    const made = await must<{ createCalendarFeed: { url: string; feed: { createdAt: string; lastReadAt: string | null } } }>(
      MAKE,
      {},
      hanako,
    );
    url = made.createCalendarFeed.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/calendar\/personal\.ics\?token=[A-Za-z0-9_-]{43}$/);
    expect(made.createCalendarFeed.feed.lastReadAt).toBeNull();
    // The database holds only the token's hash.
    const token = new URL(url).searchParams.get('token')!;
    const [row] = await federation.gatewayDatabase.sql<{ token_hash: string }[]>`SELECT token_hash FROM calendar_feeds`;
    expect(row!.token_hash).not.toContain(token);
    const mine = await must<{ me: { calendarFeed: { createdAt: string } } }>(MINE, {}, hanako);
    expect(mine.me.calendarFeed.createdAt).toBe(made.createCalendarFeed.feed.createdAt);
    expect(JSON.stringify(mine)).not.toContain(token);
  });

  it('lists my bookings at every institution at their Tokyo times, pending ones tentative, nobody else’s', async () => {
    const mine = await must<{ createBooking: { id: string; status: string } }>(
      CREATE,
      {
        input: { instrumentId: instruments['a-plain'], start, end: new Date(start.getTime() + 2 * HOUR), purpose: '試料の測定' },
        key: 'feed-1',
      },
      hanako,
    );
    booked = mine.createBooking.id;
    await must(
      CREATE,
      {
        input: {
          instrumentId: instruments['a-approval'],
          start: new Date(start.getTime() + 3 * HOUR),
          end: new Date(start.getTime() + 4 * HOUR),
          purpose: '承認待ちの測定',
        },
        key: 'feed-2',
      },
      hanako,
    );
    await must(
      CREATE,
      {
        input: {
          instrumentId: instruments['b-plain'],
          start: elsewhere,
          end: new Date(elsewhere.getTime() + HOUR),
          purpose: '他大学での測定',
        },
        key: 'feed-3',
      },
      hanako,
    );
    // Someone else's booking never shows in my feed.
    await must(
      CREATE,
      {
        input: {
          instrumentId: instruments['b-plain'],
          start: new Date(elsewhere.getTime() + 2 * HOUR),
          end: new Date(elsewhere.getTime() + 3 * HOUR),
          purpose: '次郎の測定',
        },
        key: 'feed-4',
      },
      jiro,
    );

    const answer = await read(url);
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('text/calendar; charset=utf-8');
    expect(answer.cache).toBe('private, no-store');
    expect(eventsOf(answer.text)).toEqual([
      {
        summary: '暦試験装置 a-plain',
        status: 'CONFIRMED',
        start: start.toISOString(),
        end: new Date(start.getTime() + 2 * HOUR).toISOString(),
        tokyoStart: '10:00',
        zone: 'Asia/Tokyo',
      },
      expect.objectContaining({
        summary: '暦試験装置 a-approval（承認待ち / pending approval）',
        status: 'TENTATIVE',
        tokyoStart: '13:00',
      }),
      expect.objectContaining({ summary: '暦試験装置 b-plain', status: 'CONFIRMED', tokyoStart: '10:00' }),
    ]);
    const details = detailsOf(answer.text);
    expect(details.name).toBe('Kyoyo 共用 — 自分の予約 / My bookings');
    expect(details.events[0]!.description).toContain('利用目的 / Purpose: 試料の測定');
    expect(details.events[0]!.description).toContain('料金 / Fee: ￥2,000');
    expect(details.events[0]!.location).toBe(`暦試験装置 a-plain, ${A.name}`);
    expect(answer.text).not.toContain('次郎の測定');
    const read1 = await must<{ me: { calendarFeed: { lastReadAt: string | null } } }>(MINE, {}, hanako);
    expect(read1.me.calendarFeed.lastReadAt).not.toBeNull();
  });

  it('drops a cancelled booking, keeping the same event ids for the rest', async () => {
    const before = detailsOf((await read(url)).text).events.map((e) => e.uid);
    await must('mutation ($id: ID!) { cancelBooking(id: $id) { status } }', { id: booked }, hanako);
    const after = detailsOf((await read(url)).text).events.map((e) => e.uid);
    expect(after).toEqual(before.slice(1));
  });

  it('refuses a missing or malformed token with BAD_USER_INPUT and an unknown one with NOT_FOUND, writing nothing', async () => {
    const rows = await feedRows();
    const base = url.split('?')[0]!;
    for (const [target, status, code] of [
      [base, 400, 'BAD_USER_INPUT'],
      [`${base}?token=short`, 400, 'BAD_USER_INPUT'],
      [`${base}?token=${'x'.repeat(42)}%00`, 400, 'BAD_USER_INPUT'],
      [`${base}?token=${'A'.repeat(43)}`, 404, 'NOT_FOUND'],
    ] as const) {
      const answer = await read(target);
      expect([answer.status, codeOf(answer.text)], target).toEqual([status, code]);
    }
    expect(await feedRows()).toBe(rows);
  });

  it('answers 503 when one of the owners does not answer, so calendars keep their last copy', async () => {
    await federation.services.get(B.code)!.app.stop();
    const answer = await read(url);
    expect([answer.status, codeOf(answer.text)]).toEqual([503, 'INSTITUTION_UNAVAILABLE']);
  });

  it('is revoked by a new one and by revoking it: the old URL answers NOT_FOUND from then on', async () => {
    const second = await must<{ createCalendarFeed: { url: string } }>(MAKE, {}, hanako);
    expect(second.createCalendarFeed.url).not.toBe(url);
    expect(codeOf((await read(url)).text)).toBe('NOT_FOUND');
    expect(await must<{ revokeCalendarFeed: boolean }>(REVOKE, {}, hanako)).toEqual({ revokeCalendarFeed: true });
    const revoked = await read(second.createCalendarFeed.url);
    expect([revoked.status, codeOf(revoked.text)]).toEqual([404, 'NOT_FOUND']);
    expect(await must<{ revokeCalendarFeed: boolean }>(REVOKE, {}, hanako)).toEqual({ revokeCalendarFeed: false });
    expect((await must<{ me: { calendarFeed: unknown } }>(MINE, {}, hanako)).me.calendarFeed).toBeNull();
    const anonymous = await federation.query(REVOKE, {});
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
