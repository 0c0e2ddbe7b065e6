import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BookingsRepository, InstrumentsRepository, searchColumnsOf, toListing } from '@kyoyo/equipment-service';
import { startFederation, uniqueCode, type TestFederation, type TestInstitution } from './support/federation';

/**
 * National search through the gateway over three institutions of 45 listings each: one national order
 * whatever the sort, paged by keyset cursors; availability filters and sorts; one call per institution per
 * kind of data.
 */

const institutions: TestInstitution[] = [
  { code: uniqueCode('sendai'), name: '仙台大学', prefecture: '宮城県', location: { latitude: 38.2547, longitude: 140.838 } },
  { code: uniqueCode('nagoya'), name: '名古屋大学', prefecture: '愛知県', location: { latitude: 35.1542, longitude: 136.9647 } },
  { code: uniqueCode('fukuoka'), name: '福岡大学', prefecture: '福岡県', location: { latitude: 33.5975, longitude: 130.218 } },
];
const PER_INSTITUTION = 45;
const KINDS = [
  'NMR装置',
  '固体NMR',
  '透過型電子顕微鏡',
  '走査型電子顕微鏡',
  'X線回折装置',
  'フローサイトメーター',
  '質量分析装置',
];

// A week in 2031 (Monday 10 March, 09:00 Tokyo, to the next Monday): instruments open Mon–Fri 09:00–18:00.
const WINDOW = { from: '2031-03-10T00:00:00Z', to: '2031-03-17T00:00:00Z' };

const SEARCH = `query ($query: String, $first: Int, $after: String, $filter: InstrumentFilter, $sort: InstrumentSort) {
  searchInstruments(query: $query, first: $first, after: $after, filter: $filter, sort: $sort) {
    totalCount
    pageInfo { hasNextPage endCursor }
    facets { categories { value count } institutions { value count } prefectures { value count } }
    edges { cursor score distanceKm availableFrom node { id name acquisitionPrice institution { code } } }
  } }`;

interface Edge {
  cursor: string;
  score: number;
  distanceKm: number | null;
  availableFrom: string | null;
  node: { id: string; name: string; acquisitionPrice: number | null; institution: { code: string } };
}
interface SearchData {
  searchInstruments: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    facets: Record<'categories' | 'institutions' | 'prefectures', { value: string; count: number }[]>;
    edges: Edge[];
  };
}

let federation: TestFederation;

async function search(variables: Record<string, unknown>): Promise<SearchData['searchInstruments']> {
  const answer = await federation.query<SearchData>(SEARCH, variables);
  expect(answer.errors).toBeUndefined();
  return answer.data!.searchInstruments;
}

/** Every result of a search, `first` at a time, following `endCursor`. */
async function pageThrough(variables: Record<string, unknown>, first: number, limit = Infinity): Promise<Edge[]> {
  const edges: Edge[] = [];
  let after: string | null = null;
  do {
    const page: SearchData['searchInstruments'] = await search({ ...variables, first, after });
    edges.push(...page.edges);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after && edges.length < limit);
  return edges;
}

const ids = (edges: Edge[]) => edges.map((e) => e.node.id);

beforeAll(async () => {
  federation = await startFederation(institutions);
  for (const [n, institution] of institutions.entries()) {
    const { database } = federation.services.get(institution.code)!;
    const listings = Array.from({ length: PER_INSTITUTION }, (_, i) =>
      toListing({
        localId: `L-${i}`,
        name: `${KINDS[(i + n) % KINDS.length]} ${i % 4}号機`,
        category: KINDS[(i + n) % KINDS.length]!,
        acquisitionPrice: i % 6 === 0 ? null : ((i % 4) + 1) * 10_000_000,
        location:
          i % 3 === 0
            ? null
            : { latitude: institution.location.latitude + (i % 5) * 0.01, longitude: institution.location.longitude },
        sharedExternally: i % 2 === 0,
        remoteOperable: i % 5 === 0,
        requiresApproval: false,
        requiresQualification: false,
      }),
    );
    const stored = await new InstrumentsRepository(database.db).upsertMany(
      listings.map((listing) => ({ listing, search: searchColumnsOf(listing) })),
    );
    // Bookings that fill part of the week: every third instrument is booked all Monday, every fourth
    // Monday to Wednesday, so free stretches start at different times.
    const bookings = new BookingsRepository(database.db);
    for (const [i, { instrument }] of stored.entries()) {
      const days = i % 4 === 0 ? 3 : i % 3 === 0 ? 1 : 0;
      for (let day = 0; day < days; day++) {
        const start = new Date(Date.parse(WINDOW.from) + day * 86_400_000);
        await bookings.create({
          instrumentId: instrument.id,
          requesterId: 'user-1',
          requesterOrganization: '東北大学',
          requesterInstitution: null,
          userCategory: 'ACADEMIC',
          mode: 'SELF',
          period: { start, end: new Date(start.getTime() + 9 * 3_600_000) },
          status: 'CONFIRMED',
          fee: 0,
          fundingSource: null,
          purpose: 'measurement',
          idempotencyKey: `${instrument.id}-${day}`,
          requestHash: 'h',
        });
      }
      // A booked afternoon on Thursday for some: only a morning stretch is left that day.
      if (i % 7 === 1) {
        await bookings.create({
          instrumentId: instrument.id,
          requesterId: 'user-2',
          requesterOrganization: '東北大学',
          requesterInstitution: null,
          userCategory: 'ACADEMIC',
          mode: 'SELF',
          period: { start: new Date('2031-03-13T03:00:00Z'), end: new Date('2031-03-13T09:00:00Z') },
          status: 'CONFIRMED',
          fee: 0,
          fundingSource: null,
          purpose: 'measurement',
          idempotencyKey: `${instrument.id}-thu`,
          requestHash: 'h',
        });
      }
    }
  }
});

afterAll(() => federation?.stop());

describe('one national order, paged by keyset cursors', () => {
  const near = { point: { latitude: 35.68, longitude: 139.77 }, radiusKm: 2000 };
  const cases: [string, Record<string, unknown>][] = [
    ['relevance', { query: 'nmr' }],
    ['relevance without a query', {}],
    ['distance', { sort: 'DISTANCE', filter: { near } }],
    ['price', { sort: 'PRICE_ASC' }],
    ['earliest free stretch', { sort: 'EARLIEST_AVAILABLE', filter: { availableIn: { ...WINDOW, minutes: 60 } } }],
  ];
  for (const [name, variables] of cases) {
    it(`pages by 7 through the same order as one page of 100, with no repeats: ${name}`, async () => {
      const page = await search({ ...variables, first: 100 });
      const paged = await pageThrough(variables, 7, 100);
      expect(ids(paged.slice(0, page.edges.length))).toEqual(ids(page.edges));
      const all = await pageThrough(variables, 50);
      expect(all).toHaveLength(page.totalCount);
      expect(new Set(ids(all)).size).toBe(all.length);
    });
  }

  it('orders by price with ties across institutions and unpriced instruments last', async () => {
    const all = await pageThrough({ sort: 'PRICE_ASC' }, 100);
    const prices = all.map((e) => e.node.acquisitionPrice);
    const priced = prices.filter((p): p is number => p !== null);
    expect(priced).toEqual([...priced].sort((a, b) => a - b));
    expect(prices.slice(priced.length).every((p) => p === null)).toBe(true);
    expect(all).toHaveLength(3 * PER_INSTITUTION);
  });

  it('orders by great-circle distance and gives every edge its distance', async () => {
    const all = await pageThrough({ sort: 'DISTANCE', filter: { near } }, 100);
    const distances = all.map((e) => e.distanceKm!);
    expect(distances.every((d) => typeof d === 'number')).toBe(true);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    const within = await search({ filter: { near: { ...near, radiusKm: 400 } }, first: 0 });
    // Nagoya is about 260 km from Tokyo, Sendai about 300 km, Fukuoka about 880 km.
    expect(within.facets.institutions.map((f) => f.value).sort()).toEqual([institutions[0]!.code, institutions[1]!.code].sort());
  });

  it('keeps its place when a better match is listed between two pages', async () => {
    const first = await search({ query: 'フローサイトメーター', first: 5 });
    const office = await federation.token({ id: 'office', institution: institutions[2]!.code, roles: ['FACILITY_MANAGER'] });
    const added = await federation.query(
      'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }',
      {
        input: {
          institution: institutions[2]!.code,
          localId: 'NEW-1',
          name: 'フローサイトメーター',
          category: 'フローサイトメーター',
        },
      },
      office,
    );
    expect(added.errors).toBeUndefined();
    const rest = await pageThrough({ query: 'フローサイトメーター' }, 100);
    const second = await search({ query: 'フローサイトメーター', first: 100, after: first.pageInfo.endCursor });
    expect(ids(second.edges).filter((id) => ids(first.edges).includes(id))).toEqual([]);
    // The new whole-name match ranks first nationally, before the cursor, so the second page goes on
    // exactly where the first stopped.
    expect(rest[0]!.node.name).toBe('フローサイトメーター');
    expect(ids(second.edges)).toEqual(ids(rest.slice(6)));
  });

  it('keeps facets and totalCount consistent under filters', async () => {
    const filter = { sharedExternally: true, minAcquisitionPrice: 20_000_000, prefectures: ['宮城県', '福岡県'] };
    const result = await search({ filter, first: 0 });
    const sum = (list: { count: number }[]) => list.reduce((s, f) => s + f.count, 0);
    for (const facet of ['categories', 'institutions', 'prefectures'] as const) {
      expect(sum(result.facets[facet]), facet).toBe(result.totalCount);
    }
    expect(result.facets.prefectures.map((f) => f.value).sort()).toEqual(['宮城県', '福岡県']);
    expect(await pageThrough({ filter }, 100)).toHaveLength(result.totalCount);
  });
});

describe('availability', () => {
  it('finds exactly the instruments whose free slots hold the asked stretch, with its start', async () => {
    // Monday to Thursday: a whole free day (9 h) is left only where Thursday afternoon is not booked.
    const mondayToThursday = { from: WINDOW.from, to: '2031-03-14T00:00:00Z' };
    for (const [minutes, window] of [
      [60, WINDOW],
      [9 * 60, mondayToThursday],
    ] as const) {
      const found = await pageThrough({ query: '顕微鏡', filter: { availableIn: { ...window, minutes } } }, 100);
      const everything = await pageThrough({ query: '顕微鏡' }, 100);
      for (const edge of everything) {
        const answer = await federation.query<{ instrument: { availability: { start: string; end: string }[] } }>(
          'query ($id: ID!, $from: DateTime!, $to: DateTime!) { instrument(id: $id) { availability(from: $from, to: $to) { start end } } }',
          { id: edge.node.id, ...window },
        );
        const slots = answer.data!.instrument.availability.filter(
          (s) => Date.parse(s.end) - Date.parse(s.start) >= minutes * 60_000,
        );
        const hit = found.find((f) => f.node.id === edge.node.id);
        const start = hit?.availableFrom ? Date.parse(hit.availableFrom) : null;
        expect(start, `${edge.node.name} ${minutes} min`).toBe(slots[0] ? Date.parse(slots[0].start) : null);
      }
      expect(found.length).toBeGreaterThan(0);
      if (minutes > 60) expect(found.length).toBeLessThan(everything.length);
    }
  });

  it('sorts by the earliest free stretch, soonest first', async () => {
    const all = await pageThrough({ sort: 'EARLIEST_AVAILABLE', filter: { availableIn: { ...WINDOW, minutes: 60 } } }, 100);
    const starts = all.map((e) => Date.parse(e.availableFrom!));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(new Set(starts).size).toBeGreaterThan(2);
  });

  it('sorts by the earliest free stretch in the coming weeks without a window', async () => {
    const result = await search({ sort: 'EARLIEST_AVAILABLE', first: 10 });
    expect(result.totalCount).toBeGreaterThanOrEqual(3 * PER_INSTITUTION);
    expect(result.edges.every((e) => e.availableFrom !== null && Date.parse(e.availableFrom) >= Date.now() - 60_000)).toBe(true);
  });
});

describe('calls to institutions', () => {
  it('searches without calling any institution, then makes one call per institution per kind of live data for a page of 100', async () => {
    const calls: string[] = [];
    federation.gateway.client.observer = (institution, operation) => calls.push(`${institution} ${operation}`);
    try {
      const answer = await federation.query<SearchData>(
        `query ($from: DateTime!, $to: DateTime!) { searchInstruments(first: 100) { edges { node {
           name institution { name health } fees { hourlyRate }
           availability(from: $from, to: $to) { start end }
           utilization(from: $from, to: $to) } } } }`,
        WINDOW,
      );
      expect(answer.errors).toBeUndefined();
      expect(answer.data!.searchInstruments.edges).toHaveLength(100);
    } finally {
      federation.gateway.client.observer = undefined;
    }
    const expected = institutions.flatMap(({ code }) => [`${code} AvailabilityByIds`, `${code} UtilizationByIds`]);
    expect(calls.sort()).toEqual(expected.sort());
  });
});
