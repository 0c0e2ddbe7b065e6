import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '@kyoyo/auth';
import { fiscalYearOf, fiscalYearRange } from '@kyoyo/domain';
import { SHARING_STATS, type SharingStatsData } from '../../gateway/src/reports/reports.documents';
import { startFederation, uniqueCode, type GraphQLAnswer, type TestFederation } from './support/federation';

/**
 * Sharing reports through the gateway: two institutions that answer and one that is down. The last whole
 * fiscal year is asked of the owners; the current one so far is read from the national catalogue, which
 * counts the down institution as of its last harvest. Bookings in the past go straight into the owners'
 * databases (they cannot be made through the API); the feed carries them to the catalogue. Every covered
 * instrument is open around the clock, so its open hours in a period are the period's hours.
 */

const north = {
  code: uniqueCode('north'),
  name: '北方大学',
  prefecture: '北海道',
  location: { latitude: 43.07, longitude: 141.34 },
};
const south = {
  code: uniqueCode('south'),
  name: '南方大学',
  prefecture: '鹿児島県',
  location: { latitude: 31.57, longitude: 130.54 },
};
const down = {
  code: uniqueCode('down'),
  name: '停止大学',
  prefecture: '大阪府',
  location: { latitude: 34.82, longitude: 135.52 },
};

const LAST_YEAR = fiscalYearOf(new Date()) - 1;
const YEAR = fiscalYearRange(LAST_YEAR);
const HOURS_IN_YEAR = (YEAR.end.getTime() - YEAR.start.getTime()) / 3_600_000;
const CURRENT = fiscalYearRange(LAST_YEAR + 1);
/** Where this year's bookings start: 40 hours ago, or the year's start when it began later. */
const RECENT = new Date(Math.max(Date.now() - 40 * 3_600_000, CURRENT.start.getTime()));
/** Hours of the current fiscal year so far. */
const hoursSoFar = () => (Date.now() - CURRENT.start.getTime()) / 3_600_000;
/** Hours of [start, end) inside the current fiscal year so far. */
const hoursSoFarOf = (start: Date, end: Date) => Math.max(0, (Math.min(end.getTime(), Date.now()) - start.getTime()) / 3_600_000);

let federation: TestFederation;
const tokens: Record<string, string> = {};
/** This year's held bookings: N1 academic, S2 internal, D1 industry. */
const thisYear: { start: Date; end: Date }[] = [];
/** Global ids of the listings, by local id. */
const ids: Record<string, string> = {};

const REPORT = `query ($institution: ID, $fiscalYear: Int) { sharingReport(institution: $institution, fiscalYear: $fiscalYear) {
  institution { code } fiscalYear threshold instrumentsAtOrAboveThreshold sharedAtOrAboveThreshold sharingRate
  notShared { id name acquisitionPrice sharedExternally institution { code } fees { userCategory hourlyRate } }
  externalUseShare utilization unavailableInstitutions { code health }
  staleInstitutions { code health catalogueCurrentTo } } }`;

interface Report {
  institution: { code: string } | null;
  fiscalYear: number;
  threshold: number;
  instrumentsAtOrAboveThreshold: number;
  sharedAtOrAboveThreshold: number;
  sharingRate: number;
  notShared: {
    id: string;
    name: string;
    acquisitionPrice: number;
    sharedExternally: boolean;
    institution: { code: string };
    fees: { userCategory: string; hourlyRate: number }[];
  }[];
  externalUseShare: number;
  utilization: number;
  unavailableInstitutions: { code: string; health: string }[];
  staleInstitutions: { code: string; health: string; catalogueCurrentTo: string | null }[];
}

function report(token: string | undefined, variables: { institution?: string | null; fiscalYear?: number | null }) {
  return federation.query<{ sharingReport: Report }>(REPORT, variables, token);
}

async function reportOk(token: string | undefined, variables: { institution?: string | null; fiscalYear?: number | null }) {
  const answer = await report(token, variables);
  expect(answer.errors).toBeUndefined();
  return answer.data!.sharingReport;
}

function errorOf(answer: GraphQLAnswer<unknown>) {
  expect(answer.errors).toHaveLength(1);
  return { code: answer.errors![0]!.extensions?.code, field: answer.errors![0]!.extensions?.field };
}

const localIdOf = (globalId: string) => Number(Buffer.from(globalId, 'base64url').toString('utf8').split(':').at(-1));

async function listing(institution: string, localId: string, acquisitionPrice: number | null, sharedExternally: boolean) {
  const answer = await federation.query<{ upsertInstrument: { id: string } }>(
    'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }',
    {
      input: {
        institution,
        localId,
        name: `装置 ${localId}`,
        category: 'NMR',
        acquisitionPrice,
        sharedExternally,
        fees: [{ userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 5_000 }],
      },
    },
    tokens[`office:${institution}`],
  );
  expect(answer.errors).toBeUndefined();
  const id = answer.data!.upsertInstrument.id;
  const hours = await federation.query(
    'mutation ($id: ID!, $hours: [OpenHoursInput!]!) { setOpenHours(instrumentId: $id, hours: $hours) { weekday } }',
    { id, hours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opensAt: 0, closesAt: 1440 })) },
    tokens[`office:${institution}`],
  );
  expect(hours.errors).toBeUndefined();
  ids[localId] = id;
}

/** A booking `dayOffset` days into last fiscal year, `hours` long, straight into the owner's database. */
async function pastBooking(
  institution: string,
  localId: string,
  dayOffset: number,
  hours: number,
  userCategory: 'INTERNAL' | 'ACADEMIC' | 'INDUSTRY',
  status: string,
) {
  const start = new Date(YEAR.start.getTime() + dayOffset * 86_400_000 + 10 * 3_600_000);
  await booking(institution, localId, start, hours, userCategory, status);
}

/** A booking of this fiscal year, `hourOffset` hours after `RECENT`, straight into the owner's database. */
async function recentBooking(
  institution: string,
  localId: string,
  hourOffset: number,
  hours: number,
  userCategory: 'INTERNAL' | 'ACADEMIC' | 'INDUSTRY',
  status: string,
) {
  const start = new Date(RECENT.getTime() + hourOffset * 3_600_000);
  await booking(institution, localId, start, hours, userCategory, status);
  return { start, end: new Date(start.getTime() + hours * 3_600_000) };
}

async function booking(
  institution: string,
  localId: string,
  start: Date,
  hours: number,
  userCategory: 'INTERNAL' | 'ACADEMIC' | 'INDUSTRY',
  status: string,
) {
  const end = new Date(start.getTime() + hours * 3_600_000);
  const { sql } = federation.services.get(institution)!.database;
  await sql`
    INSERT INTO bookings (instrument_id, requester_id, requester_organization, user_category, mode, period, status, fee,
      purpose, idempotency_key, request_hash)
    VALUES (${localIdOf(ids[localId]!)}, 'r-past', 'どこかの大学', ${userCategory}, 'SELF',
      tstzrange(${start.toISOString()}::timestamptz, ${end.toISOString()}::timestamptz, '[)'), ${status}, 0, 'past use',
      ${randomUUID()}, 'h')`;
}

beforeAll(async () => {
  federation = await startFederation([north, south, down], { timeoutMs: 1000, gateway: { staleAfterMs: 1_000 } });
  for (const { code } of [north, south, down]) {
    tokens[`office:${code}`] = await federation.token({ id: `office-${code}`, institution: code, roles: ['FACILITY_MANAGER'] });
  }
  tokens.funder = await federation.token({ id: 'funder-1', organization: '日本学術振興会', roles: ['FUNDER'] });
  tokens.admin = await federation.token({ id: 'admin-1', organization: '運用', roles: ['ADMIN'] });
  tokens.researcher = await federation.token({ id: 'r-1', institution: north.code, roles: ['RESEARCHER'] });

  // North: one shared at exactly ¥10,000,000, one not shared at ¥40,000,000, one not shared just below.
  await listing(north.code, 'N1', 10_000_000, true);
  await listing(north.code, 'N2', 9_999_999, false);
  await listing(north.code, 'N3', 40_000_000, false);
  // South: one shared, two not shared (one exactly at the threshold), one without a price.
  await listing(south.code, 'S1', 15_000_000, true);
  await listing(south.code, 'S2', 10_000_000, false);
  await listing(south.code, 'S3', 12_000_000, false);
  await listing(south.code, 'S4', null, false);
  // Down: figures that would change every national number, were they counted.
  await listing(down.code, 'D1', 20_000_000, false);
  await listing(down.code, 'D2', 20_000_000, true);

  await pastBooking(north.code, 'N1', 10, 10, 'ACADEMIC', 'COMPLETED');
  await pastBooking(north.code, 'N1', 11, 5, 'INTERNAL', 'COMPLETED');
  await pastBooking(north.code, 'N3', 12, 5, 'INTERNAL', 'CONFIRMED');
  await pastBooking(north.code, 'N3', 13, 3, 'INDUSTRY', 'CANCELLED');
  await pastBooking(north.code, 'N2', 14, 100, 'ACADEMIC', 'COMPLETED');
  await pastBooking(south.code, 'S1', 20, 4, 'INDUSTRY', 'NO_SHOW');
  await pastBooking(south.code, 'S2', 21, 6, 'INTERNAL', 'COMPLETED');
  await pastBooking(south.code, 'S3', 22, 2, 'ACADEMIC', 'PENDING');
  await pastBooking(down.code, 'D1', 30, 50, 'ACADEMIC', 'COMPLETED');

  thisYear.push(
    await recentBooking(north.code, 'N1', 0, 10, 'ACADEMIC', 'COMPLETED'),
    await recentBooking(south.code, 'S2', 12, 2, 'INTERNAL', 'CONFIRMED'),
    await recentBooking(down.code, 'D1', 20, 5, 'INDUSTRY', 'COMPLETED'),
  );
  await recentBooking(north.code, 'N3', 14, 3, 'INDUSTRY', 'CANCELLED');
  await recentBooking(south.code, 'S3', 16, 2, 'ACADEMIC', 'PENDING');

  // Harvested (a query waits for the catalogue), then down: its part stays as it was.
  expect((await federation.query('{ institutions { code } }', {}, tokens.admin)).errors).toBeUndefined();
  await federation.services.get(down.code)!.app.stop();
});

afterAll(() => federation?.stop());

describe('the national sharing report', () => {
  it('adds up the institutions that answered and derives every rate from the sums', async () => {
    const answer = await report(tokens.funder, { fiscalYear: LAST_YEAR });
    expect(answer.errors).toBeUndefined();
    const r = answer.data!.sharingReport;
    expect(r).toMatchObject({ institution: null, fiscalYear: LAST_YEAR, threshold: 10_000_000 });
    // N1, N3, S1, S2, S3: ¥10,000,000 is in, ¥9,999,999 (N2) and no price (S4) are out.
    expect(r.instrumentsAtOrAboveThreshold).toBe(5);
    expect(r.sharedAtOrAboveThreshold).toBe(2);
    expect(r.sharingRate).toBe(r.sharedAtOrAboveThreshold / r.instrumentsAtOrAboveThreshold);
    expect(r.sharingRate).toBe(0.4);
    // Booked: N1 10 academic + 5 internal, N3 5 internal, S1 4 industry (no-show), S2 6 internal = 30 h, 14 external.
    expect(r.externalUseShare).toBeCloseTo(14 / 30, 12);
    expect(r.utilization).toBeCloseTo(30 / (5 * HOURS_IN_YEAR), 12);
    expect(r.unavailableInstitutions).toEqual([{ code: down.code, health: 'DOWN' }]);
    expect((answer as { extensions?: { unavailableInstitutions?: string[] } }).extensions?.unavailableInstitutions).toEqual([
      down.code,
    ]);
  });

  it('lists exactly the instruments not shared, whole, by price', async () => {
    const r = await reportOk(tokens.funder, { fiscalYear: LAST_YEAR });
    expect(r.notShared.map((i) => [i.id, i.acquisitionPrice, i.sharedExternally, i.institution.code])).toEqual([
      [ids.N3, 40_000_000, false, north.code],
      [ids.S3, 12_000_000, false, south.code],
      [ids.S2, 10_000_000, false, south.code],
    ]);
    expect(r.notShared[0]).toMatchObject({ name: '装置 N3', fees: [{ userCategory: 'ACADEMIC', hourlyRate: 5_000 }] });
  });

  it('covers the current fiscal year so far when none is given, from the catalogue, the down institution as of its last harvest', async () => {
    let answer = await report(tokens.funder, {});
    // Past the freshness threshold (1 s here) the down institution is named, with the time it is current to.
    for (let tries = 0; tries < 50 && answer.data?.sharingReport.staleInstitutions.length === 0; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      answer = await report(tokens.funder, {});
    }
    expect(answer.errors).toBeUndefined();
    const r = answer.data!.sharingReport;
    expect(r.fiscalYear).toBe(fiscalYearOf(new Date()));
    // The listings have no acquisition date, so they count in every year: N1, N3, S1, S2, S3, D1, D2.
    expect([r.instrumentsAtOrAboveThreshold, r.sharedAtOrAboveThreshold]).toEqual([7, 3]);
    expect(r.unavailableInstitutions).toEqual([]);
    expect(r.staleInstitutions).toEqual([{ code: down.code, health: 'DOWN', catalogueCurrentTo: expect.any(String) }]);
    // This year's held bookings only (last year's, the cancelled and the pending one do not count).
    const [n1, s2, d1] = thisYear.map((b) => hoursSoFarOf(b.start, b.end));
    expect(r.externalUseShare).toBeCloseTo((n1! + d1!) / (n1! + s2! + d1!), 4);
    expect(r.utilization).toBeCloseTo((n1! + s2! + d1!) / (7 * hoursSoFar()), 6);
    expect(r.notShared.map((i) => [i.id, i.institution.code])).toEqual([
      [ids.N3, north.code],
      [ids.D1, down.code],
      [ids.S3, south.code],
      [ids.S2, south.code],
    ]);
    expect(r.notShared[0]).toMatchObject({ name: '装置 N3', fees: [{ userCategory: 'ACADEMIC', hourlyRate: 5_000 }] });
  });

  it('gives the same current-year figures from the catalogue as each owner computes for itself', async () => {
    const funder: Identity = {
      id: 'funder-1',
      institution: null,
      organization: '日本学術振興会',
      affiliation: 'academic',
      roles: ['FUNDER'],
    };
    for (const { code } of [north, south]) {
      const fromCatalogue = await reportOk(tokens.funder, { institution: code });
      const { sharingStats: own } = await federation.gateway.client.request<SharingStatsData>(
        code,
        'SharingStats',
        SHARING_STATS,
        { fiscalYear: LAST_YEAR + 1 },
        { identity: funder, requestId: 'sharing-report-test' },
      );
      expect(fromCatalogue.instrumentsAtOrAboveThreshold).toBe(own.instrumentsAtOrAboveThreshold);
      expect(fromCatalogue.sharedAtOrAboveThreshold).toBe(own.sharedAtOrAboveThreshold);
      expect(fromCatalogue.externalUseShare).toBeCloseTo(own.externalBookedHours / own.bookedHours, 6);
      expect(fromCatalogue.utilization).toBeCloseTo(own.bookedOpenHours / own.openHours, 6);
      expect(fromCatalogue.notShared.map((i) => localIdOf(i.id))).toEqual(own.notShared.map((i) => Number(i.id)));
    }
  });
});

describe('the sharing report of one institution', () => {
  it('covers that institution only', async () => {
    const northReport = await reportOk(tokens.funder, { institution: north.code, fiscalYear: LAST_YEAR });
    expect(northReport).toMatchObject({
      institution: { code: north.code },
      instrumentsAtOrAboveThreshold: 2,
      sharedAtOrAboveThreshold: 1,
      sharingRate: 0.5,
      externalUseShare: 0.5,
      unavailableInstitutions: [],
    });
    expect(northReport.utilization).toBeCloseTo(20 / (2 * HOURS_IN_YEAR), 12);
    expect(northReport.notShared.map((i) => i.id)).toEqual([ids.N3]);

    const southReport = await reportOk(tokens.funder, { institution: south.code, fiscalYear: LAST_YEAR });
    expect(southReport).toMatchObject({ instrumentsAtOrAboveThreshold: 3, sharedAtOrAboveThreshold: 1 });
    expect(southReport.sharingRate).toBe(1 / 3);
    expect(southReport.externalUseShare).toBeCloseTo(4 / 10, 12);
    expect(southReport.notShared.map((i) => i.id)).toEqual([ids.S3, ids.S2]);
  });

  it('is INSTITUTION_UNAVAILABLE for a finished year when that institution does not answer', async () => {
    expect(errorOf(await report(tokens.funder, { institution: down.code, fiscalYear: LAST_YEAR })).code).toBe(
      'INSTITUTION_UNAVAILABLE',
    );
  });

  it('reports the current year of an institution that is down from the catalogue, as of its last harvest', async () => {
    const r = await reportOk(tokens.funder, { institution: down.code });
    expect(r).toMatchObject({
      institution: { code: down.code },
      instrumentsAtOrAboveThreshold: 2,
      sharedAtOrAboveThreshold: 1,
      externalUseShare: 1,
      unavailableInstitutions: [],
    });
    expect(r.staleInstitutions.map((i) => i.code)).toEqual([down.code]);
  });
});

describe('who may see a sharing report', () => {
  it('lets funders and administrators see every institution and the nation', async () => {
    for (const token of [tokens.funder, tokens.admin]) {
      expect((await reportOk(token, { fiscalYear: LAST_YEAR })).instrumentsAtOrAboveThreshold).toBe(5);
      expect((await reportOk(token, { institution: south.code, fiscalYear: LAST_YEAR })).instrumentsAtOrAboveThreshold).toBe(3);
    }
  });

  it('lets a facility office see its own institution only, never the nation', async () => {
    const office = tokens[`office:${north.code}`];
    expect((await reportOk(office, { institution: north.code, fiscalYear: LAST_YEAR })).sharingRate).toBe(0.5);
    expect(errorOf(await report(office, { institution: south.code, fiscalYear: LAST_YEAR })).code).toBe('FORBIDDEN');
    expect(errorOf(await report(office, { fiscalYear: LAST_YEAR })).code).toBe('FORBIDDEN');
  });

  it('refuses researchers and anonymous callers without calling any institution', async () => {
    const calls: string[] = [];
    federation.gateway.client.observer = (institution) => calls.push(institution);
    try {
      expect(errorOf(await report(tokens.researcher, { institution: north.code })).code).toBe('FORBIDDEN');
      expect(errorOf(await report(tokens.researcher, {})).code).toBe('FORBIDDEN');
      expect(errorOf(await report(undefined, { institution: north.code })).code).toBe('UNAUTHENTICATED');
      expect(errorOf(await report(undefined, {})).code).toBe('UNAUTHENTICATED');
    } finally {
      federation.gateway.client.observer = undefined;
    }
    expect(calls).toEqual([]);
  });
});

describe('bad input to a sharing report', () => {
  it('is BAD_USER_INPUT on the argument at fault, before any institution is called', async () => {
    const calls: string[] = [];
    federation.gateway.client.observer = (institution) => calls.push(institution);
    try {
      expect(errorOf(await report(tokens.funder, { institution: 'no-such-u' }))).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'institution',
      });
      for (const fiscalYear of [fiscalYearOf(new Date()) + 1, 1989, -5]) {
        expect(errorOf(await report(tokens.funder, { fiscalYear }))).toEqual({ code: 'BAD_USER_INPUT', field: 'fiscalYear' });
        expect(errorOf(await report(tokens.funder, { institution: north.code, fiscalYear }))).toEqual({
          code: 'BAD_USER_INPUT',
          field: 'fiscalYear',
        });
      }
    } finally {
      federation.gateway.client.observer = undefined;
    }
    expect(calls).toEqual([]);
  });
});
