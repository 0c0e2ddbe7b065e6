import { afterEach, describe, expect, it } from 'vitest';
import { startFederation, uniqueCode, type TestFederation, type TestInstitution } from './support/federation';
import type { StallProxy } from './support/stall-proxy';

/**
 * An institution whose service hangs (it accepts connections but never answers) costs a search nothing (search
 * reads the national catalogue) and stays findable there; a live call to it (an instrument's own state) costs no
 * more than the gateway's time budget, and it comes back once it answers again. Each test builds its own
 * federation of three, the third behind a stall proxy, so that circuit-breaker state never leaks between tests.
 */

const BUDGET_MS = 500;
/** Generous: proves the budget bounds the wait (the stall itself never ends), not that anything is fast. */
const WALL_CLOCK_BOUND_MS = BUDGET_MS + 3000;
/** The gateway's circuit breaker (gateway/src/federation/circuit-breaker.ts): opens after 3 failures for 5 s. */
const BREAKER_THRESHOLD = 3;
const BREAKER_COOLDOWN_MS = 5000;

const SEARCH = `query ($query: String) {
  searchInstruments(query: $query, first: 20) {
    totalCount
    edges { node { id name institution { code } } }
    unavailableInstitutions { code health }
  } }`;

/** A live call: the instrument's own record, from its owner. */
const LIVE = 'query ($id: ID!) { instrument(id: $id) { name } }';

interface SearchData {
  searchInstruments: {
    totalCount: number;
    edges: { node: { id: string; name: string; institution: { code: string } } }[];
    unavailableInstitutions: { code: string; health: string }[];
  };
}

interface World {
  federation: TestFederation;
  east: TestInstitution;
  west: TestInstitution;
  /** The institution behind the proxy. */
  stalling: TestInstitution;
  proxy: StallProxy;
  /** Global ids of each institution's microscope. */
  ids: Record<string, string>;
}

const worlds: World[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.federation.stop()));
});

/** Three institutions with one microscope each, all in the catalogue; the third is reached through a stall proxy. */
async function startWorld(): Promise<World> {
  const east = {
    code: uniqueCode('east'),
    name: '東方大学',
    prefecture: '宮城県',
    location: { latitude: 38.25, longitude: 140.84 },
  };
  const west = {
    code: uniqueCode('west'),
    name: '西方大学',
    prefecture: '福岡県',
    location: { latitude: 33.6, longitude: 130.22 },
  };
  const stalling = {
    code: uniqueCode('stall'),
    name: '停滞大学',
    prefecture: '大阪府',
    location: { latitude: 34.82, longitude: 135.52 },
  };
  const federation = await startFederation([east, west, stalling], { timeoutMs: BUDGET_MS, proxied: [stalling.code] });
  const ids: Record<string, string> = {};
  const world = { federation, east, west, stalling, proxy: federation.services.get(stalling.code)!.proxy!, ids };
  worlds.push(world);
  for (const institution of [east, west, stalling]) {
    const office = await federation.token({
      id: `office-${institution.code}`,
      institution: institution.code,
      roles: ['FACILITY_MANAGER'],
    });
    const answer = await federation.query<{ upsertInstrument: { id: string } }>(
      'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }',
      { input: { institution: institution.code, localId: 'M-1', name: `走査電子顕微鏡 (${institution.name})`, category: 'SEM' } },
      office,
    );
    expect(answer.errors).toBeUndefined();
    ids[institution.code] = answer.data!.upsertInstrument.id;
  }
  await federation.gateway.harvester!.settle();
  return world;
}

/** A search as a client sends it (not waiting for the harvest: the stalled institution's feed is stuck too). */
async function search(federation: TestFederation): Promise<{ result: SearchData['searchInstruments']; elapsedMs: number }> {
  const started = performance.now();
  const answer = await federation.raw<SearchData>(SEARCH, { query: '顕微鏡' });
  const elapsedMs = performance.now() - started;
  expect(answer.errors).toBeUndefined();
  return { result: answer.data!.searchInstruments, elapsedMs };
}

/** The stalled institution's instrument from its owner: its code, and how long it took. */
async function live(world: World, code = world.stalling.code): Promise<{ code: string | undefined; elapsedMs: number }> {
  const started = performance.now();
  const answer = await world.federation.raw(LIVE, { id: world.ids[code] });
  return { code: answer.errors?.[0]?.extensions?.code, elapsedMs: performance.now() - started };
}

const codesOf = (result: SearchData['searchInstruments']) =>
  [...new Set(result.edges.map((e) => e.node.institution.code))].sort();

async function healthOf(federation: TestFederation, codes: string[]): Promise<Record<string, string>> {
  const answer = await federation.raw<{ institutions: { code: string; health: string }[] }>('{ institutions { code health } }');
  expect(answer.errors).toBeUndefined();
  return Object.fromEntries(answer.data!.institutions.filter((i) => codes.includes(i.code)).map((i) => [i.code, i.health]));
}

/** While `stalling` hangs: search still finds all three at once; a live call to it fails within the budget. */
async function expectSearchableButUnavailable(world: World) {
  const { result, elapsedMs } = await search(world.federation);
  expect(codesOf(result)).toEqual([world.east.code, world.west.code, world.stalling.code].sort());
  expect(result.unavailableInstitutions).toEqual([]);
  expect(elapsedMs).toBeLessThan(WALL_CLOCK_BOUND_MS);
  const call = await live(world);
  expect(call.code).toBe('INSTITUTION_UNAVAILABLE');
  expect(call.elapsedMs).toBeLessThan(WALL_CLOCK_BOUND_MS);
}

describe('a federation with an institution whose service stalls', () => {
  it('searches all three institutions from the catalogue, calling none of them', async () => {
    const world = await startWorld();
    const before = world.proxy.requests;
    const { result } = await search(world.federation);
    expect(codesOf(result)).toEqual([world.east.code, world.west.code, world.stalling.code].sort());
    expect(result.unavailableInstitutions).toEqual([]);
    expect(world.proxy.requests).toBe(before);
    expect(world.proxy.harvestRequests).toBeGreaterThan(0);
  });

  it('keeps the stalled institution searchable; a live call to it fails within the time budget, and shows it DOWN', async () => {
    const world = await startWorld();
    world.proxy.stall();
    await expectSearchableButUnavailable(world);
    expect(world.proxy.requestsHeld).toBeGreaterThanOrEqual(1);
    expect(await healthOf(world.federation, [world.east.code, world.west.code, world.stalling.code])).toEqual({
      [world.east.code]: 'UP',
      [world.west.code]: 'UP',
      [world.stalling.code]: 'DOWN',
    });
  });

  it('answers within the time budget when the service stalls while the live call is in flight', async () => {
    const world = await startWorld();
    // The next request reaches the service, which answers; the proxy stalls at that moment and holds the answer.
    world.proxy.stallAfter(0);
    await expectSearchableButUnavailable(world);
    expect(world.proxy.requestsHeld).toBe(0);
    expect(world.proxy.answersHeld).toBe(1);
    expect((await healthOf(world.federation, [world.stalling.code]))[world.stalling.code]).toBe('DOWN');
  });

  it('answers live calls again, UP, as soon as it answers again', async () => {
    const world = await startWorld();
    world.proxy.stall();
    await expectSearchableButUnavailable(world);
    world.proxy.resume();
    // One failure leaves the circuit closed, so the very next call asks the institution again.
    expect((await live(world)).code).toBeUndefined();
    expect((await healthOf(world.federation, [world.stalling.code]))[world.stalling.code]).toBe('UP');
  });

  it('stops calling an institution that failed three times in a row, and tries it again after the cooldown', async () => {
    const world = await startWorld();
    world.proxy.stall();
    for (let i = 0; i < BREAKER_THRESHOLD; i += 1) await expectSearchableButUnavailable(world);
    const openedAt = performance.now();
    world.proxy.resume();

    const requestsBefore = world.proxy.requests;
    expect((await live(world)).code).toBe('INSTITUTION_UNAVAILABLE');
    expect(world.proxy.requests).toBe(requestsBefore); // the open circuit answered for it

    let code: string | undefined = 'INSTITUTION_UNAVAILABLE';
    while (performance.now() - openedAt < BREAKER_COOLDOWN_MS + 5000) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      code = (await live(world)).code;
      if (code === undefined) break;
    }
    expect(code).toBeUndefined();
    expect(performance.now() - openedAt).toBeGreaterThanOrEqual(BREAKER_COOLDOWN_MS - 1000);
    expect((await healthOf(world.federation, [world.stalling.code]))[world.stalling.code]).toBe('UP');
  }, 30_000);

  it('reuses connections to institutions across live calls (keep-alive)', async () => {
    const world = await startWorld();
    const direct = world.federation.services.get(world.east.code)!.app.server;
    const counted = { connections: 0, requests: 0 };
    const onConnection = () => (counted.connections += 1);
    const onRequest = () => (counted.requests += 1);
    direct.on('connection', onConnection).on('request', onRequest);
    const proxied = { connections: world.proxy.connections, requests: world.proxy.requests };

    for (let i = 0; i < 5; i += 1) {
      expect((await live(world)).code).toBeUndefined();
      expect((await live(world, world.east.code)).code).toBeUndefined();
    }

    direct.off('connection', onConnection).off('request', onRequest);
    // At most one new connection (an idle one may have timed out since start-up) for five or more calls.
    expect(world.proxy.requests - proxied.requests).toBeGreaterThanOrEqual(5);
    expect(world.proxy.connections - proxied.connections).toBeLessThanOrEqual(1);
    expect(counted.requests).toBeGreaterThanOrEqual(5);
    expect(counted.connections).toBeLessThanOrEqual(1);
  });
});
