import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceProcess } from './support/service-process';
import { startFederation, uniqueCode, type GraphQLAnswer, type TestFederation, type TestInstitution } from './support/federation';

/**
 * An institution's service dies mid-traffic (SIGKILL of its real process: no draining, no goodbye) while 50
 * searches and 20 bookings run. The other institutions keep answering, searches still find the dead one's
 * listings (they come from the national catalogue), no booking
 * is lost or doubled — a booking whose answer was lost is retried with its idempotency key — and the
 * institution rejoins once its process is started again.
 */

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
const victim = {
  code: uniqueCode('victim'),
  name: '被災大学',
  prefecture: '大阪府',
  location: { latitude: 34.82, longitude: 135.52 },
};
const institutions = [victim, east, west];

const SEARCHES = 50;
const BOOKINGS = 20;
/** Requests start evenly over this long; the victim is killed part-way through. */
const SPREAD_MS = 1500;
const KILL_AT_MS = 600;
const LISTINGS_PER_INSTITUTION = 2;
/** The gateway's circuit breaker opens for 5 s after three failures; the service restarts in a second or two. */
const REJOIN_WITHIN_MS = 20_000;

const HOUR = 3_600_000;

const SEARCH = `{ searchInstruments(query: "分光光度計", first: 50) {
  totalCount edges { node { id institution { code } } } unavailableInstitutions { code health } } }`;
const CREATE = `mutation ($input: BookingInput!, $key: String!) {
  createBooking(input: $input, idempotencyKey: $key) { id status start instrument { id } } }`;

interface SearchData {
  searchInstruments: {
    totalCount: number;
    edges: { node: { id: string; institution: { code: string } } }[];
    unavailableInstitutions: { code: string; health: string }[];
  };
}
interface CreateData {
  createBooking: { id: string; status: string; start: string; instrument: { id: string } };
}

interface Timed<T> {
  startedAt: number;
  endedAt: number;
  answer: GraphQLAnswer<T>;
}
interface PlannedBooking {
  key: string;
  institution: string;
  variables: { input: Record<string, unknown>; key: string };
}

let federation: TestFederation;
let victimProcess: ServiceProcess;
let researcher: string;
/** Instrument ids by institution code. */
const listings = new Map<string, string[]>();
const codeOf = (answer: GraphQLAnswer<unknown>) => answer.errors?.[0]?.extensions?.code;
/** The first whole hour at least three days ahead. */
const firstSlot = Math.ceil((Date.now() + 72 * HOUR) / HOUR) * HOUR;
/** Booking `i`'s half hour: each its own, so none collides (instruments here are open around the clock). */
const slotAt = (i: number) => {
  const start = firstSlot + i * HOUR;
  return { start: new Date(start).toISOString(), end: new Date(start + HOUR / 2).toISOString() };
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Lists a shared instrument open around the clock (so that any future hour is bookable) and returns its id. */
async function listInstrument(world: TestFederation, institution: TestInstitution, localId: string): Promise<string> {
  const office = await world.token({
    id: `office-${institution.code}`,
    institution: institution.code,
    roles: ['FACILITY_MANAGER'],
  });
  const answer = await world.query<{ upsertInstrument: { id: string } }>(
    'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }',
    {
      input: {
        institution: institution.code,
        localId,
        name: `紫外可視分光光度計 ${localId} (${institution.name})`,
        category: '分光',
        sharedExternally: true,
        fees: [{ userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 3000 }],
      },
    },
    office,
  );
  expect(answer.errors).toBeUndefined();
  const id = answer.data!.upsertInstrument.id;
  const hours = await world.query(
    'mutation ($id: ID!, $hours: [OpenHoursInput!]!) { setOpenHours(instrumentId: $id, hours: $hours) { weekday } }',
    { id, hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opensAt: 0, closesAt: 1440 })) },
    office,
  );
  expect(hours.errors).toBeUndefined();
  return id;
}

/** Waits until `world`'s gateway lists `code` as UP (asking it, which also lets a half-open breaker try again). */
async function waitUntilUp(world: TestFederation, code: string, timeoutMs = REJOIN_WITHIN_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answer = await world.query<{ institutions: { code: string; health: string }[] }>('{ institutions { code health } }');
    if (answer.data?.institutions.find((i) => i.code === code)?.health === 'UP') return;
    await sleep(200);
  }
  throw new Error(`${code} did not rejoin within ${timeoutMs} ms`);
}

beforeAll(async () => {
  federation = await startFederation(institutions, { processes: [victim.code], healthIntervalMs: 500 });
  victimProcess = federation.services.get(victim.code)!.process!;
  researcher = await federation.token({ id: 'r-fault', organization: '理化学研究所', roles: ['RESEARCHER'] });
  for (const institution of institutions) {
    const ids: string[] = [];
    for (let n = 1; n <= LISTINGS_PER_INSTITUTION; n++) ids.push(await listInstrument(federation, institution, `UV-${n}`));
    listings.set(institution.code, ids);
    // Warm every service up (a fresh process compiles its code on first use), so that the run below measures
    // the outage, not a cold start.
    const quote = await federation.query(
      'query ($input: BookingInput!) { quoteBooking(input: $input) { amount } }',
      { input: { instrumentId: ids[0], ...slotAt(0), purpose: 'warm-up' } },
      researcher,
    );
    expect(quote.errors).toBeUndefined();
  }
  expect((await federation.query<SearchData>(SEARCH)).data!.searchInstruments.totalCount).toBe(
    institutions.length * LISTINGS_PER_INSTITUTION,
  );
});

afterAll(() => federation?.stop());

async function timed<T>(run: () => Promise<GraphQLAnswer<T>>): Promise<Timed<T>> {
  const startedAt = performance.now();
  const answer = await run();
  return { startedAt, endedAt: performance.now(), answer };
}

async function bookingsInDatabase(): Promise<Map<string, { institution: string; id: number }[]>> {
  const byKey = new Map<string, { institution: string; id: number }[]>();
  for (const institution of institutions) {
    const rows = await federation.services.get(institution.code)!.database.sql<{ key: string; id: number }[]>`
      SELECT idempotency_key AS key, id::int AS id FROM bookings WHERE requester_id = 'r-fault'`;
    for (const row of rows) byKey.set(row.key, [...(byKey.get(row.key) ?? []), { institution: institution.code, id: row.id }]);
  }
  return byKey;
}

describe('one institution killed while searches and bookings run', () => {
  it('keeps the others answering, loses and doubles no booking, and takes the institution back after a restart', async (context) => {
    const plan: PlannedBooking[] = Array.from({ length: BOOKINGS }, (_, i) => {
      const institution = institutions[i % institutions.length]!.code;
      const instrumentId = listings.get(institution)![i % LISTINGS_PER_INSTITUTION]!;
      const key = `fault-${i}`;
      return { key, institution, variables: { input: { instrumentId, ...slotAt(i), purpose: '吸収スペクトル測定' }, key } };
    });

    const origin = performance.now();
    let killSentAt = Number.POSITIVE_INFINITY;
    let killedAt = Number.POSITIVE_INFINITY;
    const killed = sleep(KILL_AT_MS).then(async () => {
      killSentAt = performance.now();
      const exit = await victimProcess.kill('SIGKILL');
      killedAt = performance.now();
      return exit;
    });
    const searches = Array.from({ length: SEARCHES }, (_, i) =>
      sleep((i * SPREAD_MS) / SEARCHES).then(() => timed(() => federation.raw<SearchData>(SEARCH))),
    );
    const bookings = plan.map((booking, i) =>
      sleep((i * SPREAD_MS) / BOOKINGS).then(() =>
        timed(() => federation.query<CreateData>(CREATE, booking.variables, researcher)),
      ),
    );
    const [exit, searchResults, bookingResults] = await Promise.all([killed, Promise.all(searches), Promise.all(bookings)]);
    expect(exit.signal).toBe('SIGKILL');

    // Every search answered from the national catalogue, with every listing, the dead institution's included:
    // search never waits for an owner.
    const allListings = [...institutions.flatMap((i) => listings.get(i.code)!)].sort();
    for (const { answer } of searchResults) {
      expect(answer.status).toBe(200);
      expect(answer.errors).toBeUndefined();
      const result = answer.data!.searchInstruments;
      expect(result.edges.map((e) => e.node.id).sort()).toEqual(allListings);
      expect(result.totalCount).toBe(allListings.length);
      expect(result.unavailableInstitutions).toEqual([]);
    }

    // Bookings at the survivors all went through; at the victim each went through or was INSTITUTION_UNAVAILABLE.
    const failed: PlannedBooking[] = [];
    const firstIds = new Map<string, string>();
    plan.forEach((booking, i) => {
      const { answer, startedAt } = bookingResults[i]!;
      expect(answer.status).not.toBe(500);
      if (booking.institution !== victim.code) {
        expect(answer.errors, booking.key).toBeUndefined();
        expect(answer.data!.createBooking.status).toBe('CONFIRMED');
      } else if (answer.errors) {
        expect(codeOf(answer), booking.key).toBe('INSTITUTION_UNAVAILABLE');
      } else if (startedAt > killedAt) {
        throw new Error(`${booking.key} succeeded although the victim was dead when it started`);
      }
      if (answer.errors) failed.push(booking);
      else firstIds.set(booking.key, answer.data!.createBooking.id);
    });
    const victimBookings = plan.filter((b) => b.institution === victim.code).length;
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThanOrEqual(victimBookings);

    // Some of those may have been made with only the answer lost: the database (still up) knows.
    const madeBeforeRestart = await bookingsInDatabase();
    const answersLost = failed.filter((b) => madeBeforeRestart.has(b.key)).length;

    // Start the victim again on its port and database; the gateway takes it back.
    const restartedAt = performance.now();
    await victimProcess.start();
    const processUpAt = performance.now();
    await waitUntilUp(federation, victim.code);
    const rejoinedAt = performance.now();

    // Retried with the same keys, the failed bookings go through (or turn out to have been made already).
    for (const booking of failed) {
      const answer = await federation.query<CreateData>(CREATE, booking.variables, researcher);
      expect(answer.errors, booking.key).toBeUndefined();
      firstIds.set(booking.key, answer.data!.createBooking.id);
    }
    // Every key, sent once more, names the booking it made: nothing is made twice.
    for (const booking of plan) {
      const answer = await federation.query<CreateData>(CREATE, booking.variables, researcher);
      expect(answer.errors, booking.key).toBeUndefined();
      expect(answer.data!.createBooking.id).toBe(firstIds.get(booking.key));
    }

    // In the databases: exactly one booking per key, at the institution it was meant for.
    const stored = await bookingsInDatabase();
    expect([...stored.keys()].sort()).toEqual(plan.map((b) => b.key).sort());
    for (const booking of plan) {
      const rows = stored.get(booking.key)!;
      expect(rows, booking.key).toHaveLength(1);
      expect(rows[0]!.institution).toBe(booking.institution);
      const id = Buffer.from(`Booking:${booking.institution}:${rows[0]!.id}`).toString('base64url');
      expect(firstIds.get(booking.key)).toBe(id);
    }
    expect([...stored.values()].flat()).toHaveLength(BOOKINGS);

    // Searches still include the victim's instruments, and its harvest has resumed (query waits for it).
    const again = await federation.query<SearchData>(SEARCH);
    expect(again.data!.searchInstruments.unavailableInstitutions).toEqual([]);
    expect(again.data!.searchInstruments.edges.map((e) => e.node.id).sort()).toEqual(allListings);

    const ms = (value: number) => `${Math.round(value)} ms`;
    await context.annotate(
      `victim killed ${ms(killSentAt - origin)} into the run; ${SEARCHES}/${SEARCHES} searches found its listings; ` +
        `${failed.length}/${victimBookings} bookings at the victim failed and were retried (${answersLost} of them made, only the answer lost); ` +
        `process restarted in ${ms(processUpAt - restartedAt)}, rejoined ${ms(rejoinedAt - restartedAt)} after the restart ` +
        `(${ms(rejoinedAt - killedAt)} after the kill)`,
    );
  });
});

describe('a booking made just before its institution dies', () => {
  it('is made once: the client, told INSTITUTION_UNAVAILABLE, retries with its key after the restart and gets it', async () => {
    // The victim alone, behind a proxy that can hold an answer on its way back to the gateway.
    const lonely = { ...victim, code: uniqueCode('lost') };
    const world = await startFederation([lonely], { processes: [lonely.code], proxied: [lonely.code], timeoutMs: 1000 });
    try {
      const { process: child, proxy, database } = world.services.get(lonely.code)!;
      const instrumentId = await listInstrument(world, lonely, 'UV-1');
      const token = await world.token({ id: 'r-lost', organization: '理化学研究所', roles: ['RESEARCHER'] });
      const variables = { input: { instrumentId, ...slotAt(0), purpose: '吸収スペクトル測定' }, key: 'lost-answer' };
      const stored = () =>
        database.sql<{ id: number }[]>`SELECT id::int AS id FROM bookings WHERE idempotency_key = 'lost-answer'`;

      // The booking reaches the service and is committed; its answer is held, and the service dies.
      proxy!.stallAfter(0);
      const first = world.query<CreateData>(CREATE, variables, token);
      const deadline = Date.now() + 10_000;
      while ((await stored()).length === 0 && Date.now() < deadline) await sleep(20);
      expect(await stored()).toHaveLength(1);
      expect((await child!.kill('SIGKILL')).signal).toBe('SIGKILL');
      expect(codeOf(await first)).toBe('INSTITUTION_UNAVAILABLE');
      proxy!.resume();

      await child!.start();
      await waitUntilUp(world, lonely.code);
      const retried = await world.query<CreateData>(CREATE, variables, token);
      expect(retried.errors).toBeUndefined();
      const rows = await stored();
      expect(rows).toHaveLength(1);
      expect(retried.data!.createBooking.id).toBe(Buffer.from(`Booking:${lonely.code}:${rows[0]!.id}`).toString('base64url'));
    } finally {
      await world.stop();
    }
  });
});
