import { afterEach, describe, expect, it } from 'vitest';
import { startFederation, uniqueCode, type TestFederation, type TestInstitution } from './support/federation';
import type { StallProxy } from './support/stall-proxy';

/**
 * An institution whose service hangs (it accepts connections but never answers) must cost a search no more
 * than the gateway's time budget, and must come back once it answers again. Each test builds its own
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
    edges { node { name institution { code } } }
    unavailableInstitutions { code health }
  } }`;

interface SearchData {
  searchInstruments: {
    totalCount: number;
    edges: { node: { name: string; institution: { code: string } } }[];
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
}

const worlds: World[] = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.federation.stop()));
});

/** Three institutions with one microscope each; the third is reached through a stall proxy. */
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
  const world = { federation, east, west, stalling, proxy: federation.services.get(stalling.code)!.proxy! };
  worlds.push(world);
  for (const institution of [east, west, stalling]) {
    const office = await federation.token({
      id: `office-${institution.code}`,
      institution: institution.code,
      roles: ['FACILITY_MANAGER'],
    });
    const answer = await federation.query(
      'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }',
      { input: { institution: institution.code, localId: 'M-1', name: `走査電子顕微鏡 (${institution.name})`, category: 'SEM' } },
      office,
    );
    expect(answer.errors).toBeUndefined();
  }
  return world;
}

async function search(federation: TestFederation): Promise<{ result: SearchData['searchInstruments']; elapsedMs: number }> {
  const started = performance.now();
  const answer = await federation.query<SearchData>(SEARCH, { query: '顕微鏡' });
  const elapsedMs = performance.now() - started;
  expect(answer.errors).toBeUndefined();
  return { result: answer.data!.searchInstruments, elapsedMs };
}

const codesOf = (result: SearchData['searchInstruments']) =>
  [...new Set(result.edges.map((e) => e.node.institution.code))].sort();

async function healthOf(federation: TestFederation, codes: string[]): Promise<Record<string, string>> {
  const answer = await federation.query<{ institutions: { code: string; health: string }[] }>('{ institutions { code health } }');
  expect(answer.errors).toBeUndefined();
  return Object.fromEntries(answer.data!.institutions.filter((i) => codes.includes(i.code)).map((i) => [i.code, i.health]));
}

/** What a search looks like while `stalling` hangs: the other two's results, the stalled one listed as DOWN. */
function expectAnsweredWithout(world: World, outcome: { result: SearchData['searchInstruments']; elapsedMs: number }) {
  expect(codesOf(outcome.result)).toEqual([world.east.code, world.west.code].sort());
  expect(outcome.result.totalCount).toBe(2);
  expect(outcome.result.unavailableInstitutions).toEqual([{ code: world.stalling.code, health: 'DOWN' }]);
  expect(outcome.elapsedMs).toBeLessThan(WALL_CLOCK_BOUND_MS);
}

describe('a federation with an institution whose service stalls', () => {
  it('searches all three institutions while the proxied one answers', async () => {
    const world = await startWorld();
    const { result } = await search(world.federation);
    expect(codesOf(result)).toEqual([world.east.code, world.west.code, world.stalling.code].sort());
    expect(result.unavailableInstitutions).toEqual([]);
    expect(world.proxy.requests).toBeGreaterThan(0);
  });

  it('answers within the time budget from the other two when the service stops answering, and shows it DOWN', async () => {
    const world = await startWorld();
    world.proxy.stall();
    expectAnsweredWithout(world, await search(world.federation));
    expect(world.proxy.requestsHeld).toBeGreaterThanOrEqual(1);
    expect(await healthOf(world.federation, [world.east.code, world.west.code, world.stalling.code])).toEqual({
      [world.east.code]: 'UP',
      [world.west.code]: 'UP',
      [world.stalling.code]: 'DOWN',
    });
  });

  it('answers within the time budget when the service stalls while the search is in flight', async () => {
    const world = await startWorld();
    // The next request reaches the service, which answers; the proxy stalls at that moment and holds the answer.
    world.proxy.stallAfter(0);
    expectAnsweredWithout(world, await search(world.federation));
    expect(world.proxy.requestsHeld).toBe(0);
    expect(world.proxy.answersHeld).toBe(1);
    expect((await healthOf(world.federation, [world.stalling.code]))[world.stalling.code]).toBe('DOWN');
  });

  it('includes the institution again, UP, as soon as it answers again', async () => {
    const world = await startWorld();
    world.proxy.stall();
    expectAnsweredWithout(world, await search(world.federation));
    world.proxy.resume();
    // One failure leaves the circuit closed, so the very next search asks the institution again.
    const { result } = await search(world.federation);
    expect(codesOf(result)).toEqual([world.east.code, world.west.code, world.stalling.code].sort());
    expect(result.unavailableInstitutions).toEqual([]);
    expect((await healthOf(world.federation, [world.stalling.code]))[world.stalling.code]).toBe('UP');
  });

  it('stops calling an institution that failed three times in a row, and tries it again after the cooldown', async () => {
    const world = await startWorld();
    world.proxy.stall();
    for (let i = 0; i < BREAKER_THRESHOLD; i += 1) expectAnsweredWithout(world, await search(world.federation));
    const openedAt = performance.now();
    world.proxy.resume();

    const requestsBefore = world.proxy.requests;
    expectAnsweredWithout(world, await search(world.federation));
    expect(world.proxy.requests).toBe(requestsBefore); // the open circuit answered for it

    let result: SearchData['searchInstruments'] | undefined;
    while (performance.now() - openedAt < BREAKER_COOLDOWN_MS + 5000) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      result = (await search(world.federation)).result;
      if (result.unavailableInstitutions.length === 0) break;
    }
    expect(result?.unavailableInstitutions).toEqual([]);
    expect(codesOf(result!)).toContain(world.stalling.code);
    expect(performance.now() - openedAt).toBeGreaterThanOrEqual(BREAKER_COOLDOWN_MS - 1000);
    expect((await healthOf(world.federation, [world.stalling.code]))[world.stalling.code]).toBe('UP');
  }, 30_000);

  it('reuses connections to institutions across searches (keep-alive)', async () => {
    const world = await startWorld();
    const direct = world.federation.services.get(world.east.code)!.app.server;
    const counted = { connections: 0, requests: 0 };
    const onConnection = () => (counted.connections += 1);
    const onRequest = () => (counted.requests += 1);
    direct.on('connection', onConnection).on('request', onRequest);
    const proxied = { connections: world.proxy.connections, requests: world.proxy.requests };

    for (let i = 0; i < 5; i += 1) expect(codesOf((await search(world.federation)).result)).toHaveLength(3);

    direct.off('connection', onConnection).off('request', onRequest);
    // At most one new connection (an idle one may have timed out since start-up) for five or more calls.
    expect(world.proxy.requests - proxied.requests).toBeGreaterThanOrEqual(5);
    expect(world.proxy.connections - proxied.connections).toBeLessThanOrEqual(1);
    expect(counted.requests).toBeGreaterThanOrEqual(5);
    expect(counted.connections).toBeLessThanOrEqual(1);
  });
});
