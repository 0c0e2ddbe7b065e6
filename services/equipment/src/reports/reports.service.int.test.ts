import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Identity } from '@kyoyo/auth';
import { startServiceHarness, userOf, type ServiceHarness } from '../common/test-harness';

/**
 * Sharing figures of one institution through the service's HTTP endpoint, on PostgreSQL through the
 * production migrations. "Now" is Monday 2030-06-17 12:00 Tokyo: FY2030 is the current fiscal year, FY2029
 * (Sunday 2029-04-01 to Sunday 2030-03-31: 260 weekdays) the last whole one. Each describe has its own
 * database, because a report covers every instrument of the institution.
 */

const NOW = '2030-06-17T12:00:00+09:00';
const INSTITUTION = 'test-u';

const office = userOf('office-1', { institution: INSTITUTION, organization: 'テスト大学', roles: ['FACILITY_MANAGER'] });
const otherOffice = userOf('office-9', { institution: 'kyoto-u', roles: ['FACILITY_MANAGER'] });
const funder = userOf('funder-1', { institution: null, organization: '日本学術振興会', roles: ['FUNDER'] });
const admin = userOf('admin-1', { institution: null, organization: '運用', roles: ['ADMIN'] });
const researcher = userOf('r-1', { institution: INSTITUTION, organization: 'テスト大学', roles: ['RESEARCHER'] });

const UPSERT = `mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }`;
const SET_HOURS = `mutation ($id: ID!, $hours: [OpenHoursInput!]!) { setOpenHours(instrumentId: $id, hours: $hours) { weekday } }`;
const REPORT = `query ($fy: Int!) { sharingStats(fiscalYear: $fy) {
  fiscalYear from to threshold instrumentsAtOrAboveThreshold sharedAtOrAboveThreshold
  notShared { id localId acquisitionPrice sharedExternally openHours { weekday opensAt closesAt } fees { hourlyRate } }
  bookedHours externalBookedHours openHours bookedOpenHours } }`;

interface Stats {
  fiscalYear: number;
  from: string;
  to: string;
  threshold: number;
  instrumentsAtOrAboveThreshold: number;
  sharedAtOrAboveThreshold: number;
  notShared: {
    id: string;
    localId: string;
    acquisitionPrice: number;
    sharedExternally: boolean;
    openHours: unknown[];
    fees: { hourlyRate: number }[];
  }[];
  bookedHours: number;
  externalBookedHours: number;
  openHours: number;
  bookedOpenHours: number;
}

/** A world of one institution's listings and bookings, on a fresh database. */
class World {
  private constructor(readonly service: ServiceHarness) {}

  static async start(): Promise<World> {
    const service = await startServiceHarness(INSTITUTION);
    service.setNow(NOW);
    return new World(service);
  }

  async instrument(localId: string, input: Record<string, unknown> = {}): Promise<string> {
    const { upsertInstrument } = await this.service.ok<{ upsertInstrument: { id: string } }>(office, UPSERT, {
      input: {
        localId,
        name: `装置 ${localId}`,
        category: 'NMR',
        fees: [{ userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 3_000 }],
        ...input,
      },
    });
    return upsertInstrument.id;
  }

  async openAroundTheClock(id: string): Promise<void> {
    const hours = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opensAt: 0, closesAt: 1440 }));
    await this.service.ok(office, SET_HOURS, { id, hours });
  }

  async decommission(id: string, at: string): Promise<void> {
    await this.service.probe.sql`UPDATE instruments SET decommissioned_at = ${at}::timestamptz WHERE id = ${id}`;
  }

  /** A booking as a year of use leaves it (past bookings cannot be made through the API). Times in Tokyo. */
  async booking(instrumentId: string, start: string, end: string, userCategory: string, status: string): Promise<void> {
    await this.service.probe.sql`
      INSERT INTO bookings (instrument_id, requester_id, requester_organization, user_category, mode, period, status, fee,
        purpose, idempotency_key, request_hash)
      VALUES (${instrumentId}, 'r-past', '京都大学', ${userCategory}, 'SELF',
        tstzrange(${`${start}:00+09:00`}::timestamptz, ${`${end}:00+09:00`}::timestamptz, '[)'), ${status}, 0, 'report',
        ${randomUUID()}, 'h')`;
  }

  report(fiscalYear: number, who: Identity = funder): Promise<{ sharingStats: Stats }> {
    return this.service.ok<{ sharingStats: Stats }>(who, REPORT, { fy: fiscalYear });
  }
}

describe('sharingStats', () => {
  let world: World;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    world = await World.start();
    ids.a = await world.instrument('A', { acquisitionPrice: 10_000_000, sharedExternally: true, acquiredOn: '2020-04-01' });
    ids.b = await world.instrument('B', { acquisitionPrice: 25_000_000, acquiredOn: '2019-01-01' });
    ids.c = await world.instrument('C', { acquisitionPrice: 9_999_999 });
    ids.d = await world.instrument('D', {});
    ids.e = await world.instrument('E', { acquisitionPrice: 30_000_000, acquiredOn: '2030-03-29' });
    ids.f = await world.instrument('F', { acquisitionPrice: 12_000_000, sharedExternally: true });
    ids.g = await world.instrument('G', { acquisitionPrice: 20_000_000, acquiredOn: '2030-06-18' });
    ids.h = await world.instrument('H', { acquisitionPrice: 10_000_000, acquiredOn: '2030-06-17' });
    ids.i = await world.instrument('I', { acquisitionPrice: 50_000_000 });
    await world.openAroundTheClock(ids.b);
    await world.decommission(ids.f, '2029-04-01T00:00:00+09:00');
    await world.decommission(ids.i, '2029-10-01T00:00:00+09:00');

    // FY2029. A (Mon–Fri 09:00–18:00): 2 h internal, 3 h academic, 2 h industry of which 1 h after closing.
    await world.booking(ids.a, '2029-10-01T10:00', '2029-10-01T12:00', 'INTERNAL', 'CONFIRMED');
    await world.booking(ids.a, '2029-10-02T10:00', '2029-10-02T13:00', 'ACADEMIC', 'COMPLETED');
    await world.booking(ids.a, '2029-10-03T17:00', '2029-10-03T19:00', 'INDUSTRY', 'NO_SHOW');
    // …and bookings that never held it.
    await world.booking(ids.a, '2029-10-04T10:00', '2029-10-04T12:00', 'ACADEMIC', 'CANCELLED');
    await world.booking(ids.a, '2029-10-05T10:00', '2029-10-05T12:00', 'ACADEMIC', 'PENDING');
    await world.booking(ids.a, '2029-10-08T10:00', '2029-10-08T12:00', 'ACADEMIC', 'REJECTED');
    // B (always open): 2 of 4 academic hours after the fiscal year begins, 1 of 2 internal hours before it ends.
    await world.booking(ids.b, '2029-03-31T22:00', '2029-04-01T02:00', 'ACADEMIC', 'COMPLETED');
    await world.booking(ids.b, '2030-03-31T23:00', '2030-04-01T01:00', 'INTERNAL', 'COMPLETED');
    // C is below the threshold: its use counts nowhere.
    await world.booking(ids.c, '2029-10-01T10:00', '2029-10-01T12:00', 'ACADEMIC', 'COMPLETED');
    // E, acquired Friday 2030-03-29: 1 academic hour that day.
    await world.booking(ids.e, '2030-03-29T10:00', '2030-03-29T11:00', 'ACADEMIC', 'COMPLETED');

    // FY2030 so far: 4 academic hours on A today of which 2 before now, 1 internal hour on H (acquired today),
    // and a booking still to come.
    await world.booking(ids.a, '2030-06-17T10:00', '2030-06-17T14:00', 'ACADEMIC', 'CONFIRMED');
    await world.booking(ids.h, '2030-06-17T09:00', '2030-06-17T10:00', 'INTERNAL', 'CONFIRMED');
    await world.booking(ids.a, '2030-06-20T10:00', '2030-06-20T12:00', 'ACADEMIC', 'CONFIRMED');
  });
  afterAll(() => world.service.stop());
  beforeEach(() => world.service.setNow(NOW));

  it('covers a past fiscal year: ¥10,000,000 and up, listed at its end, booked hours clipped to it', async () => {
    const { sharingStats: s } = await world.report(2029);
    expect(s).toMatchObject({
      fiscalYear: 2029,
      from: '2029-04-01T00:00:00+09:00',
      to: '2030-04-01T00:00:00+09:00',
      threshold: 10_000_000,
      // A, B and E (acquired in March); not C (¥9,999,999), D (no price), F (decommissioned the instant the
      // year began), I (decommissioned in October: it left the reports of the years it did not finish), G and H
      // (acquired later).
      instrumentsAtOrAboveThreshold: 3,
      sharedAtOrAboveThreshold: 1,
    });
    expect(s.notShared.map((i) => [i.localId, i.acquisitionPrice, i.sharedExternally])).toEqual([
      ['E', 30_000_000, false],
      ['B', 25_000_000, false],
    ]);
    // A 2 + 3 + 2, B 2 + 1, E 1; all but A's 2 and B's 1 internal hours are external.
    expect(s.bookedHours).toBeCloseTo(11, 9);
    expect(s.externalBookedHours).toBeCloseTo(8, 9);
    // A 260 weekdays × 9 h; B 365 × 24 h; E one Friday × 9 h.
    expect(s.openHours).toBeCloseTo(260 * 9 + 365 * 24 + 9, 9);
    // A 2 + 3 + 1 (not after closing), B 2 + 1, E 1.
    expect(s.bookedOpenHours).toBeCloseTo(10, 9);
  });

  it('covers the current fiscal year up to now: later acquisitions and hours still to come are left out', async () => {
    const { sharingStats: s } = await world.report(2030);
    expect(s).toMatchObject({
      fiscalYear: 2030,
      from: '2030-04-01T00:00:00+09:00',
      to: '2030-06-17T12:00:00+09:00',
      instrumentsAtOrAboveThreshold: 4,
      sharedAtOrAboveThreshold: 1,
    });
    // H costs exactly the threshold; G is acquired tomorrow.
    expect(s.notShared.map((i) => i.localId)).toEqual(['E', 'B', 'H']);
    // B 1 internal hour after midnight on April 1, A 2 academic hours before noon today, H 1 internal hour.
    expect(s.bookedHours).toBeCloseTo(4, 9);
    expect(s.externalBookedHours).toBeCloseTo(2, 9);
    // A and E: 55 weekdays from Monday April 1 to Friday June 14, and 09:00–12:00 today; B: 77 days and 12 h;
    // H: 09:00–12:00 today.
    expect(s.openHours).toBeCloseTo(2 * (55 * 9 + 3) + 77 * 24 + 12 + 3, 9);
    expect(s.bookedOpenHours).toBeCloseTo(4, 9);
  });

  it('counts an instrument decommissioned when a fiscal year ended (or later) in that year', async () => {
    const { sharingStats: s } = await world.report(2028);
    // A, B, F (shared) and I; E was acquired in FY2029.
    expect([s.instrumentsAtOrAboveThreshold, s.sharedAtOrAboveThreshold]).toEqual([4, 2]);
    expect(s.notShared.map((i) => i.localId)).toEqual(['I', 'B']);
    // B's academic booking across midnight into FY2029: its first 2 hours.
    expect([s.bookedHours, s.externalBookedHours, s.bookedOpenHours]).toEqual([2, 2, 2]);
  });

  it('returns the not-shared instruments whole, with their open hours and fees', async () => {
    const { sharingStats: s } = await world.report(2029);
    const b = s.notShared.find((i) => i.localId === 'B')!;
    expect(b.id).toBe(ids.b);
    expect(b.openHours).toHaveLength(7);
    expect(b.fees).toEqual([{ hourlyRate: 3_000 }]);
    expect(s.notShared.find((i) => i.localId === 'E')!.openHours).toHaveLength(5);
  });

  it('is for funders, administrators and this institution’s facility office', async () => {
    const expected = (await world.report(2029, funder)).sharingStats;
    expect((await world.report(2029, admin)).sharingStats).toEqual(expected);
    expect((await world.report(2029, office)).sharingStats).toEqual(expected);
    expect((await world.service.failure(researcher, REPORT, { fy: 2029 })).code).toBe('FORBIDDEN');
    expect((await world.service.failure(otherOffice, REPORT, { fy: 2029 })).code).toBe('FORBIDDEN');
    expect((await world.service.failure(null, REPORT, { fy: 2029 })).code).toBe('UNAUTHENTICATED');
  });

  it('refuses fiscal years that have not begun or lie before 1990 with BAD_USER_INPUT on fiscalYear, writing nothing', async () => {
    const before = await world.service.rowCounts();
    for (const fy of [2031, 1989, -1, 2_000_000_000]) {
      expect(await world.service.failure(funder, REPORT, { fy })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'fiscalYear' });
    }
    world.service.setNow('2030-03-31T23:59:59+09:00');
    expect(await world.service.failure(funder, REPORT, { fy: 2030 })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'fiscalYear',
    });
    expect((await world.report(2029)).sharingStats.to).toBe('2030-03-31T23:59:59+09:00');
    expect(await world.service.rowCounts()).toEqual(before);
  });
});

describe('sharingStats of an institution with nothing at or above the threshold', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(() => world.service.stop());

  it('is all zeros', async () => {
    const small = await world.instrument('small', { acquisitionPrice: 9_999_999, sharedExternally: true });
    await world.booking(small, '2030-05-07T10:00', '2030-05-07T11:00', 'ACADEMIC', 'COMPLETED');
    const { sharingStats: s } = await world.report(2030);
    expect(s).toMatchObject({
      instrumentsAtOrAboveThreshold: 0,
      sharedAtOrAboveThreshold: 0,
      notShared: [],
      bookedHours: 0,
      externalBookedHours: 0,
      openHours: 0,
      bookedOpenHours: 0,
    });
  });
});

describe('sharingStats of a larger institution', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start();
  });
  afterAll(() => world.service.stop());

  it('reads one query per kind of data, however many instruments it covers', async () => {
    const read = () => world.service.countStatements(() => world.report(2030));
    const addInstruments = async (from: number, to: number) => {
      for (let k = from; k < to; k++) {
        const id = await world.instrument(`big-${k}`, { acquisitionPrice: 10_000_000 + k, sharedExternally: k % 3 === 0 });
        await world.booking(id, '2030-05-07T10:00', '2030-05-07T11:00', k % 2 === 0 ? 'ACADEMIC' : 'INTERNAL', 'COMPLETED');
      }
    };
    await addInstruments(0, 2);
    const few = await read();
    await addInstruments(2, 26);
    const many = await read();
    expect(many.length).toBe(few.length);
    // One snapshot (covered instruments, not-shared rows, hour sums, open hours, booked periods), then the
    // fees of the not-shared instruments; their open hours come from the snapshot.
    expect(many.map((q) => q.trim().split(/\s/)[0]!.toLowerCase())).toEqual([
      'begin',
      'set',
      'select',
      'select',
      'select',
      'select',
      'select',
      'commit',
      'select',
    ]);
    const { sharingStats: s } = await world.report(2030);
    expect(s.instrumentsAtOrAboveThreshold).toBe(26);
    expect(s.sharedAtOrAboveThreshold).toBe(9);
    expect(s.notShared.map((i) => i.localId)).toEqual(
      Array.from({ length: 26 }, (_, k) => 25 - k)
        .filter((k) => k % 3 !== 0)
        .map((k) => `big-${k}`),
    );
    expect(s.bookedHours).toBeCloseTo(26, 9);
    expect(s.externalBookedHours).toBeCloseTo(13, 9);
    expect(s.bookedOpenHours).toBeCloseTo(26, 9);
  });
});
