import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFederation, uniqueCode, type TestFederation } from './support/federation';

const north = {
  code: uniqueCode('north'),
  name: '北方大学',
  prefecture: '宮城県',
  location: { latitude: 38.2547, longitude: 140.838 },
};
const south = {
  code: uniqueCode('south'),
  name: '南方大学',
  prefecture: '福岡県',
  location: { latitude: 33.5975, longitude: 130.218 },
};

const UPSERT = `mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id name institution { code } fees { userCategory mode hourlyRate } } }`;
const SEARCH = `query ($query: String, $first: Int, $after: String, $filter: InstrumentFilter, $sort: InstrumentSort) {
  searchInstruments(query: $query, first: $first, after: $after, filter: $filter, sort: $sort) {
    totalCount
    pageInfo { hasNextPage endCursor }
    facets { categories { value count } institutions { value count } prefectures { value count } }
    unavailableInstitutions { code }
    edges { cursor score distanceKm node { id name institution { code } } }
  } }`;

interface SearchData {
  searchInstruments: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    facets: Record<'categories' | 'institutions' | 'prefectures', { value: string; count: number }[]>;
    unavailableInstitutions: { code: string }[];
    edges: {
      cursor: string;
      score: number;
      distanceKm: number | null;
      node: { id: string; name: string; institution: { code: string } };
    }[];
  };
}

let federation: TestFederation;
let managerOf: Record<string, string>;

const listings = [
  {
    at: north,
    localId: 'N-1',
    name: '核磁気共鳴装置 ＮＭＲ 600MHz',
    category: 'NMR',
    manufacturer: 'JEOL',
    model: 'JNM-ECZ600R',
    price: 120_000_000,
  },
  {
    at: north,
    localId: 'N-2',
    name: '走査型電子顕微鏡',
    category: 'SEM',
    manufacturer: '日立ハイテク',
    model: 'SU8230',
    price: 60_000_000,
  },
  {
    at: north,
    localId: 'N-3',
    name: '500MHz NMR測定装置(scorpio)(液体試料専用)',
    category: 'NMR',
    manufacturer: 'Bruker',
    model: 'AVANCE NEO 500',
    price: 80_000_000,
  },
  {
    at: south,
    localId: 'S-1',
    name: 'NMR 400MHz',
    category: 'NMR',
    manufacturer: 'Bruker',
    model: 'AVANCE III HD 400',
    price: 40_000_000,
  },
  {
    at: south,
    localId: 'S-2',
    name: '透過型電子顕微鏡',
    category: 'TEM',
    manufacturer: 'JEOL',
    model: 'JEM-ARM200F',
    price: 300_000_000,
  },
  {
    at: south,
    localId: 'S-3',
    name: 'ガスクロマトグラフ質量分析計',
    category: 'GC-MS',
    manufacturer: '島津製作所',
    model: 'GCMS-QP2020 NX',
    price: 15_000_000,
  },
];

beforeAll(async () => {
  federation = await startFederation([north, south]);
  managerOf = {
    [north.code]: await federation.token({ id: 'office-north', institution: north.code, roles: ['FACILITY_MANAGER'] }),
    [south.code]: await federation.token({ id: 'office-south', institution: south.code, roles: ['FACILITY_MANAGER'] }),
  };
  for (const l of listings) {
    const answer = await federation.query(
      UPSERT,
      {
        input: {
          institution: l.at.code,
          localId: l.localId,
          name: l.name,
          category: l.category,
          manufacturer: l.manufacturer,
          model: l.model,
          acquisitionPrice: l.price,
          sharedExternally: true,
          fees: [
            { userCategory: 'INTERNAL', mode: 'SELF', hourlyRate: 2000 },
            { userCategory: 'ACADEMIC', mode: 'SELF', hourlyRate: 3000, billingUnitMinutes: 30 },
          ],
        },
      },
      managerOf[l.at.code],
    );
    expect(answer.errors).toBeUndefined();
  }
});

afterAll(() => federation?.stop());

describe('the gateway in front of two institutions', () => {
  it('lists both institutions as UP with their instrument counts', async () => {
    const answer = await federation.query<{ institutions: { code: string; health: string; instrumentCount: number }[] }>(
      '{ institutions { code health instrumentCount } }',
    );
    const mine = answer.data!.institutions.filter((i) => [north.code, south.code].includes(i.code));
    expect(mine).toEqual(
      [
        { code: north.code, health: 'UP', instrumentCount: 3 },
        { code: south.code, health: 'UP', instrumentCount: 3 },
      ].sort((a, b) => (a.code < b.code ? -1 : 1)),
    );
  });

  it('finds full-width ＮＭＲ and half-width NMR listings at both institutions with one query', async () => {
    const answer = await federation.query<SearchData>(SEARCH, { query: 'nmr', first: 10 });
    const result = answer.data!.searchInstruments;
    expect(result.edges.map((e) => e.node.name).sort()).toEqual(
      ['500MHz NMR測定装置(scorpio)(液体試料専用)', 'NMR 400MHz', '核磁気共鳴装置 ＮＭＲ 600MHz'].sort(),
    );
    expect(result.unavailableInstitutions).toEqual([]);
    expect(result.edges[0]!.node.name).toBe('NMR 400MHz');
  });

  it('finds a two-character Japanese query through the bigram index', async () => {
    const answer = await federation.query<SearchData>(SEARCH, { query: '顕微', first: 10 });
    expect(answer.data!.searchInstruments.edges.map((e) => e.node.name).sort()).toEqual(['走査型電子顕微鏡', '透過型電子顕微鏡']);
  });

  it('pages through the merged list with no repeats and no gaps, in the same order as one big page', async () => {
    const all = (await federation.query<SearchData>(SEARCH, { first: 100 })).data!.searchInstruments;
    const paged: string[] = [];
    let after: string | null = null;
    do {
      const page: SearchData['searchInstruments'] = (await federation.query<SearchData>(SEARCH, { first: 4, after })).data!
        .searchInstruments;
      paged.push(...page.edges.map((e) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(paged).toEqual(all.edges.map((e) => e.node.id));
    expect(new Set(paged).size).toBe(paged.length);
    expect(all.totalCount).toBeGreaterThanOrEqual(6);
  });

  it('keeps facets consistent with totalCount', async () => {
    const result = (await federation.query<SearchData>(SEARCH, { query: 'nmr' })).data!.searchInstruments;
    const sum = (list: { count: number }[]) => list.reduce((s, f) => s + f.count, 0);
    expect(sum(result.facets.institutions)).toBe(result.totalCount);
    expect(sum(result.facets.prefectures)).toBe(result.totalCount);
    expect(sum(result.facets.categories)).toBe(result.totalCount);
    expect(result.facets.institutions).toEqual([
      { value: north.code, count: 2 },
      { value: south.code, count: 1 },
    ]);
  });

  it('filters by prefecture and sorts by distance from a point', async () => {
    const result = (
      await federation.query<SearchData>(SEARCH, {
        filter: { near: { point: { latitude: 33.59, longitude: 130.4 }, radiusKm: 2000 } },
        sort: 'DISTANCE',
        first: 10,
      })
    ).data!.searchInstruments;
    const codes = result.edges.map((e) => e.node.institution.code);
    expect(codes.slice(0, 3)).toEqual([south.code, south.code, south.code]);
    const distances = result.edges.map((e) => e.distanceKm!);
    expect([...distances].sort((a, b) => a - b)).toEqual(distances);
    const fukuoka = (await federation.query<SearchData>(SEARCH, { filter: { prefectures: ['福岡県'] } })).data!.searchInstruments;
    expect(fukuoka.totalCount).toBe(3);
  });

  it('names the public argument at fault when search input is bad', async () => {
    const tooLong = await federation.query(SEARCH, { query: 'x'.repeat(201) });
    expect(tooLong.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'query' });
    const radius = await federation.query(SEARCH, {
      filter: { near: { point: { latitude: 35, longitude: 139 }, radiusKm: -1 } },
    });
    expect(radius.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'filter.near.radiusKm' });
    for (const first of [-1, 101]) {
      const answer = await federation.query(SEARCH, { first });
      expect(answer.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
    }
    const cursor = await federation.query(SEARCH, { after: 'bm90LWEtY3Vyc29y' });
    expect(cursor.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
    const institution = await federation.query(SEARCH, { filter: { institutions: ['no-such-u'] } });
    expect(institution.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'filter.institutions' });
    const window = await federation.query(SEARCH, {
      filter: { availableIn: { from: '2030-01-02T00:00:00Z', to: '2030-01-01T00:00:00Z', minutes: 60 } },
    });
    expect(window.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'filter.availableIn.to' });
  });

  it('answers counts and facets without results for first: 0', async () => {
    const result = (await federation.query<SearchData>(SEARCH, { query: 'nmr', first: 0 })).data!.searchInstruments;
    expect(result.edges).toEqual([]);
    expect(result.totalCount).toBe(3);
    expect(result.pageInfo.hasNextPage).toBe(true);
  });

  it('refuses a cursor of one search for another', async () => {
    const page = (await federation.query<SearchData>(SEARCH, { query: 'nmr', first: 1 })).data!.searchInstruments;
    const other = await federation.query(SEARCH, { query: '顕微鏡', first: 1, after: page.pageInfo.endCursor });
    expect(other.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it('routes instrument(id) to the owning institution and returns its fees', async () => {
    const first = (await federation.query<SearchData>(SEARCH, { query: 'JEM-ARM200F' })).data!.searchInstruments.edges[0]!;
    const answer = await federation.query<{
      instrument: {
        name: string;
        institution: { code: string };
        fees: { userCategory: string; hourlyRate: number; billingUnitMinutes: number }[];
      };
    }>(
      'query ($id: ID!) { instrument(id: $id) { name institution { code } fees { userCategory hourlyRate billingUnitMinutes } } }',
      { id: first.node.id },
    );
    expect(answer.data!.instrument).toEqual({
      name: '透過型電子顕微鏡',
      institution: { code: south.code },
      fees: [
        { userCategory: 'INTERNAL', hourlyRate: 2000, billingUnitMinutes: 60 },
        { userCategory: 'ACADEMIC', hourlyRate: 3000, billingUnitMinutes: 30 },
      ],
    });
  });

  it('answers BAD_USER_INPUT for a malformed id and NOT_FOUND for an unknown one, never a 500', async () => {
    const malformed = await federation.query('{ instrument(id: "not an id") { id } }');
    expect(malformed.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
    const unknownId = Buffer.from(`Instrument:${north.code}:999999`).toString('base64url');
    const unknown = await federation.query('query ($id: ID!) { instrument(id: $id) { id } }', { id: unknownId });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(unknown.status).toBe(200);
  });

  it('lets only the owning facility office change a listing', async () => {
    const input = { institution: north.code, localId: 'N-1', name: 'hijacked', category: 'NMR' };
    const foreign = await federation.query(UPSERT, { input }, managerOf[south.code]);
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await federation.query(UPSERT, { input });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const researcher = await federation.query(UPSERT, { input }, await federation.token({ id: 'r1', institution: north.code }));
    expect(researcher.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const check = await federation.query<SearchData>(SEARCH, { query: 'hijacked' });
    expect(check.data!.searchInstruments.totalCount).toBe(0);
  });

  it('refuses bad listing input with a coded error naming the field, writing nothing', async () => {
    const answer = await federation.query(
      UPSERT,
      { input: { institution: north.code, localId: 'N-9', name: '  ', category: 'NMR' } },
      managerOf[north.code],
    );
    expect(answer.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.name' });
    const counts = await federation.query<{ institutions: { code: string; instrumentCount: number }[] }>(
      '{ institutions { code instrumentCount } }',
    );
    expect(counts.data!.institutions.find((i) => i.code === north.code)!.instrumentCount).toBe(3);
  });

  it('rejects a forged or foreign token as UNAUTHENTICATED rather than treating the caller as anonymous', async () => {
    const answer = await federation.query('{ me { id } }', {}, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.');
    expect(answer.status).toBe(401);
    expect(answer.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('tells who the viewer is from the token', async () => {
    const token = await federation.token({ id: 'u-77', institution: north.code, roles: ['RESEARCHER', 'FUNDER'] });
    const answer = await federation.query<{ me: unknown }>('{ me { id organization roles institution { code } } }', {}, token);
    expect(answer.data!.me).toEqual({
      id: 'u-77',
      organization: '北方大学',
      roles: ['RESEARCHER', 'FUNDER'],
      institution: { code: north.code },
    });
    expect((await federation.query<{ me: unknown }>('{ me { id } }')).data!.me).toBeNull();
  });

  it('searches the catalogue without calling institutions; availability is one call per institution', async () => {
    const calls: string[] = [];
    federation.gateway.client.observer = (institution, operation) => calls.push(`${institution} ${operation}`);
    try {
      const answer = await federation.query(
        `{ searchInstruments(first: 100) { edges { node { name institution { name } fees { hourlyRate }
           availability(from: "2030-01-07T00:00:00+09:00", to: "2030-01-09T00:00:00+09:00") { start end } } } } }`,
      );
      expect(answer.errors).toBeUndefined();
    } finally {
      federation.gateway.client.observer = undefined;
    }
    expect(calls.sort()).toEqual([`${north.code} AvailabilityByIds`, `${south.code} AvailabilityByIds`].sort());
  });

  it('accepts no call that the gateway did not sign', async () => {
    const { url } = federation.services.get(north.code)!;
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ institution { code instrumentCount } }' }),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
      'UNAUTHENTICATED',
    );
  });
});
