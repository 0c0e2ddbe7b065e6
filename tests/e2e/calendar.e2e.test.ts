import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFederation, uniqueCode, type TestFederation } from './support/federation';
import { eventsOf, tokyoWeekdayAt10 } from './support/icalendar';

/**
 * The public busy calendar of an instrument (`GET /calendar/instrument.ics?id=`), read with a real iCalendar
 * parser: bookings and closures at their Tokyo times, nothing personal, cancelled bookings gone, and still
 * there while the owner is down (it comes from the national catalogue).
 */

const A = { code: uniqueCode('cal'), name: '暦大学', prefecture: '京都府', location: { latitude: 35.03, longitude: 135.78 } };
const HOUR = 3_600_000;

let federation: TestFederation;
let office = '';
let researcher = '';
let plain = '';
let approval = '';

const UPSERT = 'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }';
const CREATE = `mutation ($input: BookingInput!, $key: String!) { createBooking(input: $input, idempotencyKey: $key) { id status } }`;

async function must<T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const answer = await federation.query<T>(query, variables, token);
  expect(answer.errors, query).toBeUndefined();
  return answer.data!;
}

async function feed(id: string | null) {
  await federation.gateway.harvester?.settle();
  const url = new URL(federation.gatewayUrl.replace(/\/graphql$/, '/calendar/instrument.ics'));
  if (id !== null) url.searchParams.set('id', id);
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

beforeAll(async () => {
  federation = await startFederation([A]);
  office = await federation.token({ id: 'cal-office', institution: A.code, roles: ['FACILITY_MANAGER'] });
  researcher = await federation.token({ id: 'cal-researcher-秘密', institution: A.code, roles: ['RESEARCHER'] });
  const listing = (localId: string, extra: Record<string, unknown>) =>
    must<{ upsertInstrument: { id: string } }>(
      UPSERT,
      {
        input: {
          institution: A.code,
          localId,
          name: `暦試験装置 ${localId}`,
          category: 'NMR',
          sharedExternally: true,
          fees: [{ userCategory: 'INTERNAL', mode: 'SELF', hourlyRate: 1000 }],
          ...extra,
        },
      },
      office,
    ).then((d) => d.upsertInstrument.id);
  plain = await listing('CAL-1', {});
  approval = await listing('CAL-2', { requiresApproval: true });
});
afterAll(() => federation?.stop());

describe('an instrument’s busy calendar', () => {
  let booked = '';
  const start = tokyoWeekdayAt10(14);

  it('shows bookings and closures at their Tokyo times, a booking waiting for approval as tentative', async () => {
    const booking = await must<{ createBooking: { id: string; status: string } }>(
      CREATE,
      {
        input: { instrumentId: plain, start, end: new Date(start.getTime() + 2 * HOUR), purpose: '秘密の研究目的' },
        key: 'cal-1',
      },
      researcher,
    );
    expect(booking.createBooking.status).toBe('CONFIRMED');
    booked = booking.createBooking.id;
    await must(
      'mutation ($id: ID!, $s: DateTime!, $e: DateTime!) { addBlackout(instrumentId: $id, start: $s, end: $e, reason: "保守点検") { id } }',
      { id: plain, s: new Date(start.getTime() + 24 * HOUR), e: new Date(start.getTime() + 27 * HOUR) },
      office,
    );
    const pending = await must<{ createBooking: { status: string } }>(
      CREATE,
      { input: { instrumentId: approval, start, end: new Date(start.getTime() + HOUR), purpose: '承認待ち' }, key: 'cal-2' },
      researcher,
    );
    expect(pending.createBooking.status).toBe('PENDING');

    const answer = await feed(plain);
    expect(answer.status).toBe(200);
    expect(answer.type).toBe('text/calendar; charset=utf-8');
    expect(eventsOf(answer.text)).toEqual([
      {
        summary: '予約済み / Booked',
        status: 'CONFIRMED',
        start: start.toISOString(),
        end: new Date(start.getTime() + 2 * HOUR).toISOString(),
        tokyoStart: '10:00',
        zone: 'Asia/Tokyo',
      },
      expect.objectContaining({
        summary: '休止 / Closed',
        tokyoStart: '10:00',
        start: new Date(start.getTime() + 24 * HOUR).toISOString(),
      }),
    ]);
    // Nothing personal leaves the owner: no requester, purpose or closure reason.
    for (const secret of ['cal-researcher', '秘密', '保守点検']) expect(answer.text).not.toContain(secret);
    expect(eventsOf((await feed(approval)).text)).toEqual([
      expect.objectContaining({ summary: '仮予約（承認待ち） / Pending approval', status: 'TENTATIVE' }),
    ]);
  });

  it('drops a cancelled booking', async () => {
    await must('mutation ($id: ID!) { cancelBooking(id: $id) { status } }', { id: booked }, researcher);
    expect(eventsOf((await feed(plain)).text).map((e) => e.summary)).toEqual(['休止 / Closed']);
  });

  it('refuses a missing or malformed id with BAD_USER_INPUT and an unknown instrument with NOT_FOUND', async () => {
    const codeOf = async (id: string | null) => {
      const answer = await feed(id);
      return [
        answer.status,
        (JSON.parse(answer.text) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
      ];
    };
    expect(await codeOf(null)).toEqual([400, 'BAD_USER_INPUT']);
    expect(await codeOf('not an id')).toEqual([400, 'BAD_USER_INPUT']);
    const unknown = Buffer.from(`Instrument:${A.code}:999999`).toString('base64url');
    expect(await codeOf(unknown)).toEqual([404, 'NOT_FOUND']);
    const elsewhere = Buffer.from('Instrument:e2e-nowhere-u:1').toString('base64url');
    expect(await codeOf(elsewhere)).toEqual([404, 'NOT_FOUND']);
  });

  it('still answers while the owner is down', async () => {
    await federation.services.get(A.code)!.app.stop();
    const answer = await feed(plain);
    expect(answer.status).toBe(200);
    expect(eventsOf(answer.text).map((e) => e.summary)).toEqual(['休止 / Closed']);
  });
});
