import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseKyoyoCsv, parseUniquip } from '@kyoyo/listings';
import { startFederation, uniqueCode, type TestFederation } from './support/federation';

/**
 * A core-facility office manages its listings through the gateway: imports a CSV (dry run first), finds the
 * listings through national search, exports them and imports the export back with no change, is told every
 * bad row of a bad file with nothing written, decommissions an instrument (it leaves search, its bookings
 * keep it), reads each listing's change history, and cannot touch another institution's listings.
 */

const owner = {
  code: uniqueCode('owner'),
  name: '所有大学',
  prefecture: '宮城県',
  location: { latitude: 38.25, longitude: 140.84 },
};
const other = {
  code: uniqueCode('other'),
  name: '他大学',
  prefecture: '京都府',
  location: { latitude: 35.03, longitude: 135.78 },
};

let federation: TestFederation;
const tokens: Record<string, string> = {};

const IMPORT = `mutation ($institution: ID!, $csv: String!, $dryRun: Boolean) {
  importInstruments(institution: $institution, csv: $csv, dryRun: $dryRun) { dryRun created updated unchanged errors { row line column message } } }`;
const SEARCH = `query ($query: String, $institutions: [ID!]) {
  searchInstruments(query: $query, filter: { institutions: $institutions }, first: 100) {
    totalCount edges { node { id localId name model decommissionedAt institution { code } } } } }`;
const CHANGES = `query ($id: ID!) { listingChanges(instrumentId: $id) { action via changedBy changes { field from to } instrument { id } } }`;

const CSV = [
  'local_id,name,name_en,category,manufacturer,model,acquisition_price,shared_externally,requires_approval,fee_internal,fee_academic,fee_industry',
  'E2E-TEM,透過電子顕微鏡,Transmission electron microscope,電子顕微鏡,JEOL,JEM-ARM200F,250000000,可,yes,5000,10000,30000',
  'E2E-NMR,核磁気共鳴装置 600MHz,"NMR, 600 MHz",NMR,Bruker,AVANCE NEO 600,120000000,true,false,3000,6000,',
  'E2E-XRD,X線回折装置,,X線回折,Rigaku,SmartLab,15000000,不可,no,,,',
].join('\r\n');

interface Report {
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  errors: { row: number; line: number; column: string | null; message: string }[];
}

/** As the owner's office, or as `token` (null: anonymous). */
async function importCsv(csv: string, dryRun: boolean, token: string | null = tokens.office!) {
  return federation.query<{ importInstruments: Report }>(IMPORT, { institution: owner.code, csv, dryRun }, token ?? undefined);
}

async function download(path: string, token?: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(new URL(path, federation.gatewayUrl), {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

async function search(query: string) {
  const answer = await federation.query<{
    searchInstruments: { totalCount: number; edges: { node: { id: string; localId: string; name: string; model: string } }[] };
  }>(SEARCH, { query, institutions: [owner.code] });
  expect(answer.errors).toBeUndefined();
  return answer.data!.searchInstruments;
}

async function rowCount(table: string): Promise<number> {
  const { sql } = federation.services.get(owner.code)!.database;
  const [row] = await sql.unsafe(`SELECT count(*)::int AS n FROM ${table}`);
  return (row as unknown as { n: number }).n;
}

beforeAll(async () => {
  federation = await startFederation([owner, other]);
  tokens.office = await federation.token({ id: 'office-owner', institution: owner.code, roles: ['FACILITY_MANAGER'] });
  tokens.otherOffice = await federation.token({ id: 'office-other', institution: other.code, roles: ['FACILITY_MANAGER'] });
  tokens.researcher = await federation.token({
    id: 'r-1',
    institution: other.code,
    organization: '他大学',
    roles: ['RESEARCHER'],
  });
});
afterAll(() => federation?.stop());

describe('importing a CSV through the gateway', () => {
  it('dry-runs, imports, and the listings are found by national search', async () => {
    const dry = await importCsv(CSV, true);
    expect(dry.data?.importInstruments).toEqual({ dryRun: true, created: 3, updated: 0, unchanged: 0, errors: [] });
    expect((await search('JEM-ARM200F')).totalCount).toBe(0);

    const real = await importCsv(CSV, false);
    expect(real.data?.importInstruments).toEqual({ dryRun: false, created: 3, updated: 0, unchanged: 0, errors: [] });
    const found = await search('JEM-ARM200F');
    expect(found.edges.map((e) => [e.node.localId, e.node.name])).toEqual([['E2E-TEM', '透過電子顕微鏡']]);
    expect((await search('核磁気')).edges.map((e) => e.node.model)).toEqual(['AVANCE NEO 600']);
  });

  it('writes nothing for a file with three bad rows, and names all three with row and column', async () => {
    const instruments = await rowCount('instruments');
    const changes = await rowCount('listing_changes');
    const bad = [
      'local_id,name,category,acquisition_price,shared_externally,acquired_on',
      'E2E-OK,正しい装置,分析,1000000,true,2020-04-01',
      'E2E-B1,価格が不正,分析,一千万,true,2020-04-01',
      'E2E-B2,,分析,1000000,true,2020-04-01',
      'E2E-B3,日付が不正,分析,1000000,true,2020-02-30',
    ].join('\n');
    const answer = await importCsv(bad, false);
    expect(answer.errors).toBeUndefined();
    const report = answer.data!.importInstruments;
    expect(report).toMatchObject({ dryRun: false, created: 0, updated: 0 });
    expect(report.errors.map((e) => [e.row, e.column])).toEqual([
      [2, 'acquisition_price'],
      [3, 'name'],
      [4, 'acquired_on'],
    ]);
    expect(await rowCount('instruments')).toBe(instruments);
    expect(await rowCount('listing_changes')).toBe(changes);
  });

  it('exports the listings as a Kyoyo CSV that imports back with no change', async () => {
    const exported = await download(`/listings.csv?institution=${owner.code}`, tokens.office);
    expect(exported.status).toBe(200);
    expect(exported.type).toMatch(/^text\/csv/);
    const parsed = parseKyoyoCsv(exported.text);
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows.map((r) => r.values.localId)).toEqual(['E2E-TEM', 'E2E-NMR', 'E2E-XRD']);
    expect(parsed.rows[1]?.values).toMatchObject({ nameEn: 'NMR, 600 MHz', feeAcademic: 6000, feeIndustry: null });

    const changes = await rowCount('listing_changes');
    const again = await importCsv(exported.text, false);
    expect(again.data?.importInstruments).toEqual({ dryRun: false, created: 0, updated: 0, unchanged: 3, errors: [] });
    expect(await rowCount('listing_changes')).toBe(changes);
    expect((await download(`/listings.csv?institution=${owner.code}`, tokens.office)).text).toBe(exported.text);
  });

  it('publishes the listings as uniquip open data for anyone, at a stable address', async () => {
    const published = await download(`/open-data/equipment.csv?institution=${owner.code}`);
    expect(published.status).toBe(200);
    expect(published.type).toMatch(/^text\/csv/);
    expect(published.text.split('\r\n')[0]).toMatch(/^\uFEFF?Type,Name,Description,/);
    const read = parseUniquip(published.text.replace(/^\uFEFF/, ''));
    expect(read.errors).toEqual([]);
    expect(read.listings.map((l) => [l.input.localId, l.input.name, l.input.category, l.input.sharedExternally])).toEqual([
      ['E2E-TEM', '透過電子顕微鏡', '電子顕微鏡', true],
      ['E2E-NMR', '核磁気共鳴装置 600MHz', 'NMR', true],
      ['E2E-XRD', 'X線回折装置', 'X線回折', false],
    ]);
    const unknown = await download('/open-data/equipment.csv?institution=no-such-u');
    expect(unknown.status).toBe(400);
  });

  it('refuses another office, a researcher and the anonymous, asking nothing of the institution', async () => {
    for (const [token, code] of [
      [tokens.otherOffice, 'FORBIDDEN'],
      [tokens.researcher, 'FORBIDDEN'],
      [null, 'UNAUTHENTICATED'],
    ] as const) {
      const answer = await importCsv(CSV, false, token ?? null);
      expect(answer.errors?.map((e) => e.extensions?.code)).toEqual([code]);
      expect((await download(`/listings.csv?institution=${owner.code}`, token ?? undefined)).status).toBeGreaterThanOrEqual(400);
    }
    const tem = (await search('JEM-ARM200F')).edges[0]!.node.id;
    const attempts = [
      ['mutation ($id: ID!) { decommissionInstrument(id: $id) { id } }', { id: tem }],
      ['query ($id: ID!) { listingChanges(instrumentId: $id) { action } }', { id: tem }],
      [
        'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }',
        { input: { institution: owner.code, localId: 'E2E-TEM', name: '乗っ取り', category: 'x' } },
      ],
    ] as const;
    for (const [document, variables] of attempts) {
      const answer = await federation.query(document, variables, tokens.otherOffice);
      expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    }
    expect((await search('JEM-ARM200F')).edges.map((e) => e.node.name)).toEqual(['透過電子顕微鏡']);
  });

  it('refuses a CSV over 10 MiB with LIMIT_EXCEEDED before asking the institution', async () => {
    const big = `local_id,name,category,description\n${'X'.repeat(10 * 1024 * 1024)}`;
    const answer = await importCsv(big, true);
    expect(answer.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['LIMIT_EXCEEDED', 'csv']]);
  });
});

describe('decommissioning and the change history', () => {
  it('takes an instrument out of search; its history says who did what, and it can be listed again', async () => {
    const [xrd] = (await search('SmartLab')).edges;
    const id = xrd!.node.id;
    const gone = await federation.query<{ decommissionInstrument: { decommissionedAt: string | null } }>(
      'mutation ($id: ID!) { decommissionInstrument(id: $id, reason: "老朽化") { decommissionedAt } }',
      { id },
      tokens.office,
    );
    expect(gone.errors).toBeUndefined();
    expect(gone.data!.decommissionInstrument.decommissionedAt).toEqual(expect.any(String));
    expect((await search('SmartLab')).totalCount).toBe(0);
    // The page of an instrument still answers, saying it left.
    const page = await federation.query<{ instrument: { name: string; decommissionedAt: string | null } }>(
      'query ($id: ID!) { instrument(id: $id) { name decommissionedAt } }',
      { id },
    );
    expect(page.data?.instrument).toEqual({ name: 'X線回折装置', decommissionedAt: expect.any(String) });

    const exported = parseKyoyoCsv((await download(`/listings.csv?institution=${owner.code}`, tokens.office)).text);
    expect(exported.rows.map((r) => r.values.localId)).toEqual(['E2E-TEM', 'E2E-NMR']);

    await federation.query('mutation ($id: ID!) { recommissionInstrument(id: $id) { id } }', { id }, tokens.office);
    expect((await search('SmartLab')).totalCount).toBe(1);
    const history = await federation.query<{
      listingChanges: {
        action: string;
        via: string;
        changedBy: string;
        changes: { field: string; from: string | null; to: string | null }[];
      }[];
    }>(CHANGES, { id }, tokens.office);
    expect(history.errors).toBeUndefined();
    expect(history.data!.listingChanges.map((c) => [c.action, c.via, c.changedBy])).toEqual([
      ['RECOMMISSIONED', 'recommissionInstrument', 'office-owner'],
      ['DECOMMISSIONED', 'decommissionInstrument', 'office-owner'],
      ['CREATED', 'importInstruments', 'office-owner'],
    ]);
    expect(history.data!.listingChanges[1]!.changes).toContainEqual({ field: 'reason', from: null, to: '"老朽化"' });
  });
});
