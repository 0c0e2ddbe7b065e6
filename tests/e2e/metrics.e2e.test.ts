import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFederation, uniqueCode, type GraphQLAnswer, type TestFederation } from './support/federation';
import { sample, scrape } from './support/metrics';

/**
 * `GET /metrics` on the gateway and on equipment services, as Prometheus scrapes it: requests by route kind
 * and operation type, GraphQL errors by code, every call of the fan-out by institution and outcome, circuit
 * states, booking conflicts, and the database pools.
 */

const owner = {
  code: uniqueCode('metrics-a'),
  name: '計量大学',
  prefecture: '京都府',
  location: { latitude: 35.03, longitude: 135.78 },
};
const other = {
  code: uniqueCode('metrics-b'),
  name: '観測大学',
  prefecture: '宮城県',
  location: { latitude: 38.25, longitude: 140.84 },
};
const doomed = {
  code: uniqueCode('metrics-c'),
  name: '停止大学',
  prefecture: '大阪府',
  location: { latitude: 34.82, longitude: 135.52 },
};
const institutions = [owner, other, doomed];

const HOUR = 3_600_000;
const SEARCH = '{ searchInstruments(first: 10) { totalCount unavailableInstitutions { code } } }';
/** A request that calls every member once (its live instrument count). */
const LIVE = '{ institutions { code health instrumentCount } }';
const CREATE = `mutation ($input: BookingInput!, $key: String!) { createBooking(input: $input, idempotencyKey: $key) { id status } }`;

let federation: TestFederation;
let gatewayBase: string;
const serviceBase = (code: string) => federation.services.get(code)!.url;
const codeOf = (answer: GraphQLAnswer<unknown>) => answer.errors?.[0]?.extensions?.code;

beforeAll(async () => {
  federation = await startFederation(institutions);
  gatewayBase = new URL(federation.gatewayUrl).origin;
});

afterAll(() => federation?.stop());

/** Lists a shared instrument at `owner`, open around the clock, and returns its id. */
async function listInstrument(): Promise<string> {
  const office = await federation.token({ id: 'office-metrics', institution: owner.code, roles: ['FACILITY_MANAGER'] });
  const listed = await federation.query<{ upsertInstrument: { id: string } }>(
    'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }',
    {
      input: {
        institution: owner.code,
        localId: 'MET-1',
        name: '質量分析計',
        category: 'MS',
        sharedExternally: true,
        fees: [{ userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 3000 }],
      },
    },
    office,
  );
  expect(listed.errors).toBeUndefined();
  const id = listed.data!.upsertInstrument.id;
  const hours = await federation.query(
    'mutation ($id: ID!, $hours: [OpenHoursInput!]!) { setOpenHours(instrumentId: $id, hours: $hours) { weekday } }',
    { id, hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opensAt: 0, closesAt: 1440 })) },
    office,
  );
  expect(hours.errors).toBeUndefined();
  return id;
}

describe('GET /metrics', () => {
  it('answers on the gateway and on every service in the Prometheus text format, with the pools read live', async () => {
    const gateway = await scrape(gatewayBase);
    expect(sample(gateway, 'kyoyo_gateway_db_pool_max')).toBe(4);
    expect(gateway).toContain('# TYPE kyoyo_gateway_process_cpu_user_seconds_total counter');
    for (const { code } of institutions) {
      const service = await scrape(serviceBase(code));
      expect(sample(service, 'kyoyo_equipment_db_pool_max')).toBe(4);
      expect(sample(service, 'kyoyo_equipment_db_queries_in_flight')).toBe(0);
      expect(service).not.toContain('kyoyo_gateway_');
    }
  });

  it('counts a GraphQL request by operation type, times each institution’s call, and shows the harvest', async () => {
    const search = await federation.query<{ searchInstruments: { unavailableInstitutions: unknown[] } }>(SEARCH);
    expect(search.data!.searchInstruments.unavailableInstitutions).toEqual([]);
    const before = await scrape(gatewayBase);
    const live = await federation.raw(LIVE);
    expect(live.errors).toBeUndefined();
    const after = await scrape(gatewayBase);
    const query = { route: 'graphql', method: 'POST', status: '200', operation: 'query' };
    const requests = (text: string) => sample(text, 'kyoyo_gateway_http_requests_total', query) ?? 0;
    expect(requests(after)).toBe(requests(before) + 1);
    for (const { code } of institutions) {
      const ok = { institution: code, outcome: 'ok' };
      const calls = (text: string) => sample(text, 'kyoyo_gateway_institution_call_duration_seconds_count', ok) ?? 0;
      // At least the request's own call (the harvest's long poll may have returned meanwhile too).
      expect(calls(after)).toBeGreaterThanOrEqual(calls(before) + 1);
      expect(sample(after, 'kyoyo_gateway_institution_call_duration_seconds_bucket', { ...ok, le: '+Inf' })).toBe(calls(after));
      expect(sample(after, 'kyoyo_gateway_institution_calls_total', ok)).toBe(calls(after));
      expect(sample(after, 'kyoyo_gateway_circuit_state', { institution: code })).toBe(0);
      expect(sample(after, 'kyoyo_gateway_institution_up', { institution: code })).toBe(1);
      // The harvest: its first full listing, and the catalogue current (a long poll open on the feed).
      expect(sample(after, 'kyoyo_gateway_catalogue_resyncs_total', { institution: code, reason: 'first' })).toBe(1);
      expect(sample(after, 'kyoyo_gateway_catalogue_harvest_lag_seconds', { institution: code })).toBeLessThan(5);
    }
    // Every query, transaction and scrape has settled: nothing is left counted as in flight.
    expect(sample(after, 'kyoyo_gateway_db_queries_in_flight')).toBe(0);
    expect(sample(after, 'kyoyo_gateway_db_transactions_in_flight')).toBe(0);
  });

  it('counts a refused GraphQL request by its error code', async () => {
    const bad = (text: string) => sample(text, 'kyoyo_gateway_graphql_errors_total', { code: 'BAD_USER_INPUT' }) ?? 0;
    const before = await scrape(gatewayBase);
    const answer = await federation.query('query ($first: Int) { searchInstruments(first: $first) { totalCount } }', {
      first: 'many',
    });
    expect(codeOf(answer)).toBe('BAD_USER_INPUT');
    expect(answer.status).toBe(400);
    const after = await scrape(gatewayBase);
    expect(bad(after)).toBe(bad(before) + 1);
    const requests = { route: 'graphql', method: 'POST', status: '400', operation: 'query' };
    expect(sample(after, 'kyoyo_gateway_http_requests_total', requests)).toBeGreaterThanOrEqual(1);
  });

  it('counts bookings made, replayed and refused for a taken slot at the service that owns the instrument', async () => {
    const instrumentId = await listInstrument();
    const start = Math.ceil((Date.now() + 72 * HOUR) / HOUR) * HOUR;
    const input = {
      instrumentId,
      start: new Date(start).toISOString(),
      end: new Date(start + HOUR).toISOString(),
      purpose: '質量分析',
    };
    const first = await federation.token({ id: 'r-metrics-1', institution: other.code, roles: ['RESEARCHER'] });
    const second = await federation.token({ id: 'r-metrics-2', institution: other.code, roles: ['RESEARCHER'] });
    const made = await federation.query<{ createBooking: { status: string } }>(CREATE, { input, key: 'metrics-1' }, first);
    expect(made.data?.createBooking.status).toBe('CONFIRMED');
    expect(codeOf(await federation.query(CREATE, { input, key: 'metrics-2' }, second))).toBe('SLOT_UNAVAILABLE');
    expect((await federation.query(CREATE, { input, key: 'metrics-1' }, first)).errors).toBeUndefined();

    const service = await scrape(serviceBase(owner.code));
    expect(sample(service, 'kyoyo_equipment_bookings_created_total', { status: 'CONFIRMED' })).toBe(1);
    expect(sample(service, 'kyoyo_equipment_booking_conflicts_total')).toBe(1);
    expect(sample(service, 'kyoyo_equipment_booking_replays_total')).toBe(1);
    expect(sample(service, 'kyoyo_equipment_graphql_errors_total', { code: 'SLOT_UNAVAILABLE' })).toBe(1);
    const mutations = { route: 'graphql', method: 'POST', status: '200', operation: 'mutation' };
    expect(sample(service, 'kyoyo_equipment_http_requests_total', mutations)).toBeGreaterThanOrEqual(3);
    expect(sample(service, 'kyoyo_equipment_db_transactions_in_flight')).toBe(0);
    const gateway = await scrape(gatewayBase);
    expect(sample(gateway, 'kyoyo_gateway_institution_calls_total', { institution: owner.code, outcome: 'rejected' })).toBe(1);
    expect(sample(gateway, 'kyoyo_gateway_graphql_errors_total', { code: 'SLOT_UNAVAILABLE' })).toBe(1);
  });

  it('shows an institution that stopped answering: failed calls, then an open circuit and a down health', async () => {
    await federation.services.get(doomed.code)!.app.stop();
    // Three failures in a row open the circuit; later calls are not made (the harvest's retries count too).
    for (let i = 0; i < 4; i++) {
      const answer = await federation.raw<{ institutions: { code: string; health: string }[] }>(LIVE);
      expect(answer.data!.institutions.find((x) => x.code === doomed.code)?.health).toBe('DOWN');
    }
    const gateway = await scrape(gatewayBase);
    const calls = (outcome: string) =>
      sample(gateway, 'kyoyo_gateway_institution_calls_total', { institution: doomed.code, outcome }) ?? 0;
    // A call under way when the service stopped (the harvest's long poll) fails as an error; later ones find no one.
    const failed = ['unreachable', 'error', 'timeout'] as const;
    expect(failed.reduce((sum, outcome) => sum + calls(outcome), 0)).toBeGreaterThanOrEqual(3);
    expect(calls('unreachable')).toBeGreaterThanOrEqual(1);
    expect(calls('circuit_open')).toBeGreaterThanOrEqual(1);
    for (const outcome of failed) {
      expect(
        sample(gateway, 'kyoyo_gateway_institution_call_duration_seconds_count', { institution: doomed.code, outcome }) ?? 0,
      ).toBe(calls(outcome));
    }
    expect(sample(gateway, 'kyoyo_gateway_circuit_state', { institution: doomed.code })).toBe(2);
    expect(sample(gateway, 'kyoyo_gateway_institution_up', { institution: doomed.code })).toBe(0);
    expect(sample(gateway, 'kyoyo_gateway_circuit_state', { institution: owner.code })).toBe(0);
  });
});
