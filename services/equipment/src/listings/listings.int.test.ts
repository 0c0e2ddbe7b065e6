import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatKyoyoCsv, type KyoyoCsvRow } from '@kyoyo/listings';
import { startServiceHarness, userOf, type ServiceHarness } from '../common/test-harness';

/**
 * An office's work on its listings through the service's real HTTP endpoint, on PostgreSQL through the
 * production migrations: CSV imports (all or nothing), upserts, decommissioning, the change history and the
 * listing pages the exports read. "Now" is Monday 2030-01-07 09:00 Tokyo.
 */

let service: ServiceHarness;
const NOW = '2030-01-07T09:00:00+09:00';

beforeAll(async () => {
  service = await startServiceHarness('test-u');
});
afterAll(() => service.stop());
beforeEach(() => service.setNow(NOW));

const office = userOf('office-1', { institution: 'test-u', organization: 'テスト大学', roles: ['FACILITY_MANAGER'] });
const otherOffice = userOf('office-9', { institution: 'kyoto-u', roles: ['FACILITY_MANAGER'] });
const researcher = userOf('r-1', { institution: 'test-u', organization: 'テスト大学' });

const IMPORT = `mutation ($csv: String!, $dryRun: Boolean!) {
  importInstruments(csv: $csv, dryRun: $dryRun) { dryRun created updated unchanged errors { row line column message } } }`;
const UPSERT = `mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id localId name maxBookingMinutes cancellationFreeHours } }`;
const LISTED = `query ($after: ID, $first: Int!) { listedInstruments(after: $after, first: $first) {
  id localId name nameEn category manufacturer model description acquisitionPrice acquiredOn building
  location { latitude longitude } sharedExternally remoteOperable requiresApproval requiresQualification maxBookingMinutes
  fees { userCategory mode hourlyRate billingUnitMinutes minimumCharge } } }`;
const CHANGES = `query ($id: ID!, $first: Int!) { listingChanges(instrumentId: $id, first: $first) {
  id changedAt changedBy action via changes { field from to } } }`;
const SEARCH = `query ($query: String) { searchInstruments(input: { query: $query, limit: 100 }) { totalCount hits { instrument { localId } } } }`;
const DECOMMISSION = `mutation ($id: ID!, $reason: String, $cancel: Boolean!) {
  decommissionInstrument(id: $id, reason: $reason, cancelBookings: $cancel) { id localId decommissionedAt } }`;
const RECOMMISSION = `mutation ($id: ID!) { recommissionInstrument(id: $id) { id decommissionedAt } }`;

interface Report {
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  errors: { row: number; line: number; column: string | null; message: string }[];
}

interface Listed {
  id: string;
  localId: string;
  name: string;
  nameEn: string | null;
  category: string;
  manufacturer: string | null;
  model: string | null;
  description: string | null;
  acquisitionPrice: number | null;
  acquiredOn: string | null;
  building: string | null;
  location: { latitude: number; longitude: number } | null;
  sharedExternally: boolean;
  remoteOperable: boolean;
  requiresApproval: boolean;
  requiresQualification: boolean;
  maxBookingMinutes: number;
  fees: { userCategory: string; mode: string; hourlyRate: number; billingUnitMinutes: number; minimumCharge: number }[];
}

async function importCsv(csv: string, dryRun = false, who = office): Promise<Report> {
  return (await service.ok<{ importInstruments: Report }>(who, IMPORT, { csv, dryRun })).importInstruments;
}

async function listed(): Promise<Listed[]> {
  return (await service.ok<{ listedInstruments: Listed[] }>(null, LISTED, { first: 2000 })).listedInstruments;
}

async function byLocalId(localId: string): Promise<Listed> {
  const found = (await listed()).find((l) => l.localId === localId);
  if (!found) throw new Error(`${localId} is not listed`);
  return found;
}

/** The export's rows, as the gateway builds them from listed instruments. */
function csvRowOf(l: Listed): KyoyoCsvRow {
  const self = (category: string) => l.fees.find((f) => f.userCategory === category && f.mode === 'SELF')?.hourlyRate ?? null;
  return {
    ...l,
    latitude: l.location?.latitude ?? null,
    longitude: l.location?.longitude ?? null,
    feeInternal: self('INTERNAL'),
    feeAcademic: self('ACADEMIC'),
    feeIndustry: self('INDUSTRY'),
  };
}

const HEADER =
  'local_id,name,name_en,category,manufacturer,model,description,acquisition_price,acquired_on,building,latitude,longitude,shared_externally,remote_operable,requires_approval,requires_qualification,fee_internal,fee_academic,fee_industry';

describe('importInstruments', () => {
  it('validates a dry run without writing, then imports the same file and reports what it did', async () => {
    const csv = [
      HEADER,
      'IMP-1,透過電子顕微鏡,Transmission electron microscope,電子顕微鏡,JEOL,JEM-2100F,"200 kV, 電界放出形\n試料ホルダー付き",85000000,2018-04-01,理学部 B棟,38.2554,140.8351,可,no,yes,1,3000,6000,12000',
      'IMP-2,X線回折装置,,X線,Rigaku,SmartLab,,"12,000,000",,,,,false,false,false,false,,5000,',
    ].join('\r\n');
    const before = await service.rowCounts();
    expect(await importCsv(csv, true)).toEqual({ dryRun: true, created: 2, updated: 0, unchanged: 0, errors: [] });
    expect(await service.rowCounts()).toEqual(before);

    expect(await importCsv(csv)).toEqual({ dryRun: false, created: 2, updated: 0, unchanged: 0, errors: [] });
    const tem = await byLocalId('IMP-1');
    expect(tem).toMatchObject({
      name: '透過電子顕微鏡',
      description: '200 kV, 電界放出形\n試料ホルダー付き',
      acquisitionPrice: 85_000_000,
      location: { latitude: 38.2554, longitude: 140.8351 },
      sharedExternally: true,
      requiresApproval: true,
      requiresQualification: true,
    });
    expect(tem.fees.map((f) => [f.userCategory, f.mode, f.hourlyRate])).toEqual([
      ['INTERNAL', 'SELF', 3000],
      ['ACADEMIC', 'SELF', 6000],
      ['INDUSTRY', 'SELF', 12000],
    ]);
    expect((await byLocalId('IMP-2')).fees.map((f) => f.userCategory)).toEqual(['ACADEMIC']);
    const found = await service.ok<{ searchInstruments: { hits: { instrument: { localId: string } }[] } }>(null, SEARCH, {
      query: 'JEM-2100F',
    });
    expect(found.searchInstruments.hits.map((h) => h.instrument.localId)).toEqual(['IMP-1']);

    const [created] = (
      await service.ok<{ listingChanges: { action: string; via: string; changedBy: string }[] }>(office, CHANGES, {
        id: tem.id,
        first: 10,
      })
    ).listingChanges;
    expect(created).toMatchObject({ action: 'CREATED', via: 'importInstruments', changedBy: 'office-1' });
  });

  it('writes nothing for a file with three bad rows and names every one of them', async () => {
    const before = await service.rowCounts();
    const csv = [
      'local_id,name,category,acquisition_price,shared_externally,latitude,longitude',
      'BAD-OK,良い行,分析,100,true,,',
      'BAD-1,価格が小数,分析,12.5,true,,',
      'BAD-2,,分析,,true,,',
      'BAD-3,緯度だけ,分析,,perhaps,35.0,',
      'BAD-OK,重複,分析,,true,,',
    ].join('\n');
    const report = await importCsv(csv);
    expect(report).toMatchObject({ dryRun: false, created: 0, updated: 0, unchanged: 0 });
    expect(report.errors.map((e) => [e.row, e.line, e.column])).toEqual([
      [2, 3, 'acquisition_price'],
      [3, 4, 'name'],
      [4, 5, 'shared_externally'],
      [5, 6, 'local_id'],
    ]);
    expect(report.errors[1]?.message).toBe('name must not be empty');
    expect(report.errors[3]?.message).toBe('local_id BAD-OK repeats row 1');
    expect(await service.rowCounts()).toEqual(before);

    // Once the cells are right, the latitude without a longitude is the row's remaining fault.
    const fixed = await importCsv(
      'local_id,name,category,shared_externally,latitude,longitude\nBAD-3,緯度だけ,分析,true,35.0,\n',
      true,
    );
    expect(fixed.errors).toEqual([
      { row: 1, line: 2, column: 'longitude', message: 'latitude and longitude go together: longitude is missing' },
    ]);
  });

  it('reports an unknown column in the header, and a file that is not CSV, without reading rows', async () => {
    const unknown = await importCsv('local_id,name,category,colour\nX,a,b,red\n');
    expect(unknown.errors).toEqual([
      { row: 0, line: 1, column: 'colour', message: expect.stringContaining('unknown column "colour"') },
    ]);
    const broken = await importCsv('local_id,name,category\nX,"open,b\n');
    expect(broken.errors[0]).toMatchObject({ row: 1, column: null, message: expect.stringMatching(/^not CSV/) });
  });

  it('imports its own export back with no change, and records nothing', async () => {
    const csv = formatKyoyoCsv((await listed()).map(csvRowOf));
    const history = await service.probe.sql`SELECT count(*)::int AS n FROM listing_changes`;
    const report = await importCsv(csv);
    expect(report).toEqual({ dryRun: false, created: 0, updated: 0, unchanged: (await listed()).length, errors: [] });
    expect(await service.probe.sql`SELECT count(*)::int AS n FROM listing_changes`).toEqual(history);
  });

  it('leaves columns the file does not have untouched, and keeps other fee modes and billing terms', async () => {
    const tem = await byLocalId('IMP-1');
    await service.probe
      .sql`UPDATE fee_rates SET billing_unit_minutes = 30 WHERE instrument_id = ${tem.id} AND user_category = 'ACADEMIC'`;
    await service.probe
      .sql`INSERT INTO fee_rates (instrument_id, user_category, mode, hourly_rate) VALUES (${tem.id}, 'ACADEMIC', 'ASSISTED', 9000)`;
    const report = await importCsv('local_id,name,category,fee_academic,fee_industry\nIMP-1,透過電子顕微鏡,電子顕微鏡,6500,\n');
    expect(report).toMatchObject({ created: 0, updated: 1, unchanged: 0, errors: [] });
    const after = await byLocalId('IMP-1');
    expect({ ...after, fees: undefined }).toEqual({ ...tem, fees: undefined });
    expect(after.fees.map((f) => [f.userCategory, f.mode, f.hourlyRate, f.billingUnitMinutes])).toEqual([
      ['INTERNAL', 'SELF', 3000, 60],
      ['ACADEMIC', 'SELF', 6500, 30],
      ['ACADEMIC', 'ASSISTED', 9000, 60],
    ]);
    const [change] = (
      await service.ok<{ listingChanges: { action: string; changes: { field: string; from: string; to: string }[] }[] }>(
        office,
        CHANGES,
        { id: tem.id, first: 1 },
      )
    ).listingChanges;
    expect(change?.action).toBe('UPDATED');
    expect(change?.changes.map((c) => c.field)).toEqual(['fees']);
  });

  it('refuses anyone but the institution’s office, writing nothing', async () => {
    const before = await service.rowCounts();
    for (const who of [otherOffice, researcher, null]) {
      const failure = await service.failure(who, IMPORT, { csv: `${HEADER}\n`, dryRun: true });
      expect(failure.code).toBe(who ? 'FORBIDDEN' : 'UNAUTHENTICATED');
    }
    expect(await service.rowCounts()).toEqual(before);
  });

  it('refuses more than 50,000 rows as LIMIT_EXCEEDED', async () => {
    const csv = `local_id,name,category\n${Array.from({ length: 50_001 }, (_, i) => `L${i},n,c`).join('\n')}\n`;
    expect(await service.failure(office, IMPORT, { csv, dryRun: true })).toMatchObject({ code: 'LIMIT_EXCEEDED', field: 'csv' });
  });
});

describe('upsertInstrument', () => {
  const INPUT = {
    localId: 'UP-1',
    name: '走査電子顕微鏡',
    category: '電子顕微鏡',
    maxBookingMinutes: 240,
    cancellationFreeHours: 24,
  };

  it('keeps booking length and cancellation terms an update leaves out, and records only real changes', async () => {
    const created = (await service.ok<{ upsertInstrument: { id: string } }>(office, UPSERT, { input: INPUT })).upsertInstrument;
    const renamed = await service.ok<{
      upsertInstrument: { name: string; maxBookingMinutes: number; cancellationFreeHours: number };
    }>(office, UPSERT, { input: { localId: 'UP-1', name: '走査電子顕微鏡 (FE)', category: '電子顕微鏡' } });
    expect(renamed.upsertInstrument).toMatchObject({
      name: '走査電子顕微鏡 (FE)',
      maxBookingMinutes: 240,
      cancellationFreeHours: 24,
    });
    await service.ok(office, UPSERT, { input: { localId: 'UP-1', name: '走査電子顕微鏡 (FE)', category: '電子顕微鏡' } });
    const { listingChanges } = await service.ok<{
      listingChanges: {
        action: string;
        via: string;
        changedBy: string;
        changes: { field: string; from: string | null; to: string }[];
      }[];
    }>(office, CHANGES, { id: created.id, first: 10 });
    expect(listingChanges.map((c) => c.action)).toEqual(['UPDATED', 'CREATED']);
    expect(listingChanges[0]?.changes).toEqual([{ field: 'name', from: '"走査電子顕微鏡"', to: '"走査電子顕微鏡 (FE)"' }]);
    expect(listingChanges[1]?.changes).toContainEqual({ field: 'maxBookingMinutes', from: null, to: '240' });
  });
});

describe('decommissionInstrument', () => {
  it('takes an instrument out of search, keeps it for booking histories, and lists it again on recommission', async () => {
    const tem = await byLocalId('IMP-1');
    const start = '2030-01-15T10:00:00+09:00';
    await service.probe.sql`INSERT INTO bookings (instrument_id, requester_id, requester_organization, user_category, mode,
      period, status, fee, purpose, idempotency_key, request_hash)
      VALUES (${tem.id}, 'r-1', 'テスト大学', 'INTERNAL', 'SELF', tstzrange(${start}::timestamptz, ${start}::timestamptz + interval '1 hour'),
      'CONFIRMED', 3000, '測定', 'k-1', 'h')`;

    const blocked = await service.failure(office, DECOMMISSION, { id: tem.id, reason: '故障', cancel: false });
    expect(blocked).toMatchObject({ code: 'BAD_USER_INPUT', field: 'cancelBookings' });
    expect(blocked.message).toMatch(/^1 active booking/);

    const gone = await service.ok<{ decommissionInstrument: { decommissionedAt: string } }>(office, DECOMMISSION, {
      id: tem.id,
      reason: '故障',
      cancel: true,
    });
    expect(gone.decommissionInstrument.decommissionedAt).toBe('2030-01-07T09:00:00+09:00');
    const [booking] = await service.probe
      .sql`SELECT status, cancellation_fee, cancelled_by FROM bookings WHERE instrument_id = ${tem.id}`;
    expect(booking).toEqual({ status: 'CANCELLED', cancellation_fee: '0', cancelled_by: 'office-1' });

    expect((await listed()).some((l) => l.localId === 'IMP-1')).toBe(false);
    const search = await service.ok<{ searchInstruments: { hits: { instrument: { localId: string } }[] } }>(null, SEARCH, {
      query: 'JEM-2100F',
    });
    expect(search.searchInstruments.hits).toEqual([]);
    const ids = `query ($ids: [ID!]!, $all: Boolean!) { instruments(ids: $ids, includeDecommissioned: $all) { localId decommissionedAt } }`;
    expect((await service.ok<{ instruments: unknown[] }>(null, ids, { ids: [tem.id], all: false })).instruments).toEqual([null]);
    expect((await service.ok<{ instruments: unknown[] }>(null, ids, { ids: [tem.id], all: true })).instruments).toEqual([
      { localId: 'IMP-1', decommissionedAt: '2030-01-07T09:00:00+09:00' },
    ]);

    const reimport = await importCsv('local_id,name,category\nIMP-1,透過電子顕微鏡,電子顕微鏡\n', true);
    expect(reimport.errors).toEqual([
      {
        row: 1,
        line: 2,
        column: 'local_id',
        message: expect.stringContaining('decommissioned on 2030-01-07; recommission it first'),
      },
    ]);
    expect(await service.failure(office, UPSERT, { input: { localId: 'IMP-1', name: 'x', category: 'y' } })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.localId',
    });

    await service.ok(office, RECOMMISSION, { id: tem.id });
    expect((await listed()).some((l) => l.localId === 'IMP-1')).toBe(true);
    const { listingChanges } = await service.ok<{
      listingChanges: { action: string; changes: { field: string; to: string | null }[] }[];
    }>(office, CHANGES, { id: tem.id, first: 2 });
    expect(listingChanges.map((c) => c.action)).toEqual(['RECOMMISSIONED', 'DECOMMISSIONED']);
    expect(listingChanges[1]?.changes).toContainEqual({ field: 'cancelledBookings', from: null, to: '1' });
    expect(listingChanges[1]?.changes).toContainEqual({ field: 'reason', from: null, to: '"故障"' });
  });

  it('is the office’s alone, and the history too', async () => {
    const tem = await byLocalId('IMP-2');
    expect((await service.failure(otherOffice, DECOMMISSION, { id: tem.id, cancel: false })).code).toBe('FORBIDDEN');
    expect((await service.failure(researcher, CHANGES, { id: tem.id, first: 10 })).code).toBe('FORBIDDEN');
    expect((await service.failure(office, CHANGES, { id: '999999', first: 10 })).code).toBe('NOT_FOUND');
  });
});

describe('change history of open hours and closures', () => {
  it('records who changed the open hours and who added and removed a closure', async () => {
    const tem = await byLocalId('IMP-2');
    await service.ok(
      office,
      `mutation ($id: ID!) { setOpenHours(instrumentId: $id, hours: [{ weekday: 1, opensAt: 600, closesAt: 720 }]) { weekday } }`,
      {
        id: tem.id,
      },
    );
    const added = await service.ok<{ addBlackout: { id: string } }>(
      office,
      `mutation ($id: ID!) { addBlackout(instrumentId: $id, start: "2030-02-01T09:00:00+09:00", end: "2030-02-02T09:00:00+09:00", reason: "点検") { id } }`,
      { id: tem.id },
    );
    await service.ok(office, `mutation ($id: ID!) { removeBlackout(id: $id) }`, { id: added.addBlackout.id });
    const { listingChanges } = await service.ok<{
      listingChanges: { action: string; via: string; changes: { field: string; from: string | null; to: string | null }[] }[];
    }>(office, CHANGES, { id: tem.id, first: 3 });
    expect(listingChanges.map((c) => [c.action, c.via])).toEqual([
      ['BLACKOUT_REMOVED', 'removeBlackout'],
      ['BLACKOUT_ADDED', 'addBlackout'],
      ['OPEN_HOURS', 'setOpenHours'],
    ]);
    expect(JSON.parse(listingChanges[2]!.changes[0]!.to!)).toEqual([{ weekday: 1, opensAt: 600, closesAt: 720 }]);
    expect(JSON.parse(listingChanges[1]!.changes[0]!.to!)).toMatchObject({ reason: '点検', start: '2030-02-01T00:00:00.000Z' });
  });
});
