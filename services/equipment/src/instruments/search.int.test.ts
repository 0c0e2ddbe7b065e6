import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, equipmentSchema, type Database } from '@kyoyo/db';
import { freeSlots, normalizeText, type OpenHoursRule } from '@kyoyo/domain';
import { createKeyPair, signServiceToken } from '@kyoyo/auth';
import { createLogger } from '@kyoyo/server-kit';
import { createTestDatabase } from '@kyoyo/test-kit';
import { createContextFactory } from '../common/context';
import { createEquipmentApp } from '../app';
import { InstrumentsRepository } from './instruments.repository';
import { searchColumnsOf } from '@kyoyo/domain';
import { toCriteria, toListing, type InstrumentInput, type LocalSearchInput } from './instruments.service';
import type { InstrumentListing, SearchHit } from './instruments.types';

const { bookingsTable, blackoutsTable } = equipmentSchema;
const silent = createLogger('test', 'error', {}, () => undefined);

let database: Database<typeof equipmentSchema> & { url: string };
let repository: InstrumentsRepository;
let search: (
  input: Partial<LocalSearchInput>,
) => Promise<{ totalCount: number; hits: SearchHit[]; categories: { value: string; count: number }[] }>;

function listingOf(input: Partial<InstrumentInput> & { localId: string; name: string }): InstrumentListing {
  return toListing({
    category: 'その他',
    sharedExternally: true,
    remoteOperable: false,
    requiresApproval: false,
    requiresQualification: false,
    ...input,
  });
}

async function load(listings: InstrumentListing[]): Promise<Map<string, number>> {
  const results = await repository.upsertMany(listings.map((listing) => ({ listing, search: searchColumnsOf(listing) })));
  return new Map(results.map(({ instrument }) => [instrument.localId, instrument.id]));
}

beforeAll(async () => {
  const url = await createTestDatabase();
  database = { ...connect(url, equipmentSchema, { max: 4 }), url };
  repository = new InstrumentsRepository(database.db);
  const contextOf = createContextFactory(database.db, 'test-u', silent);
  search = (input) => contextOf(null, 'test').instruments.search({ sort: 'RELEVANCE', limit: 20, ...input });
});
afterAll(() => database.close());

const localIds = (hits: SearchHit[]) => hits.map((h) => h.instrument.localId);

/** Pages through a search `size` hits at a time, resuming after the last hit's key and id. */
async function pageThrough(input: Partial<LocalSearchInput>, size: number, keyOf: (hit: SearchHit) => number | null) {
  const all: SearchHit[] = [];
  let after: LocalSearchInput['after'] = null;
  for (let guard = 0; guard < 1000; guard++) {
    const { hits } = await search({ ...input, after, limit: size });
    all.push(...hits);
    if (hits.length < size) return all;
    const last = hits.at(-1)!;
    after = { key: keyOf(last), id: String(last.instrument.id) };
  }
  throw new Error('paging did not end');
}

describe('keyset paging of a local search', () => {
  const names = ['NMR装置', '核磁気共鳴装置 (NMR)', '固体NMR', '透過型電子顕微鏡', '走査型電子顕微鏡', 'X線回折装置'];
  beforeAll(async () => {
    await load(
      Array.from({ length: 150 }, (_, i) =>
        listingOf({
          localId: `K-${i}`,
          name: `${names[i % names.length]}${i % 4 === 0 ? '' : ` ${i % 3}号機`}`,
          acquisitionPrice: i % 5 === 0 ? null : (i % 7) * 10_000_000,
          location: { latitude: 35 + (i % 3), longitude: 139 + (i % 2) },
        }),
      ),
    );
  });

  const cases: [string, Partial<LocalSearchInput>, (hit: SearchHit) => number | null][] = [
    ['relevance, with many equal scores', { query: 'nmr', sort: 'RELEVANCE' }, (h) => h.score],
    [
      'price, with ties and unpriced instruments last',
      { query: '装置', sort: 'PRICE_ASC' },
      (h) => h.instrument.acquisitionPrice,
    ],
    [
      'distance, with instruments at the same place',
      { sort: 'DISTANCE', near: { point: { latitude: 35, longitude: 139 }, radiusKm: 500 } },
      (h) => h.distanceKm,
    ],
  ];
  for (const [name, input, keyOf] of cases) {
    it(`gives the same order by pages of 7 as in one page: ${name}`, async () => {
      const whole = await search({ ...input, limit: 1000 });
      expect(whole.hits.length).toBe(whole.totalCount);
      expect(whole.totalCount).toBeGreaterThan(20);
      const paged = await pageThrough(input, 7, keyOf);
      expect(localIds(paged)).toEqual(localIds(whole.hits));
    });
  }

  it('ranks a whole-name match above a name prefix, a name substring and a match elsewhere', async () => {
    await load([
      listingOf({ localId: 'R-1', name: 'クライオ電顕', category: 'TEM' }),
      listingOf({ localId: 'R-2', name: 'クライオ電顕 (Glacios)', category: 'TEM' }),
      listingOf({ localId: 'R-3', name: '200kV クライオ電顕', category: 'TEM' }),
      listingOf({ localId: 'R-4', name: 'グリッド作製装置', category: 'TEM', description: 'クライオ電顕の試料作製に' }),
    ]);
    const { hits } = await search({ query: 'ｸﾗｲｵ電顕' });
    expect(localIds(hits)).toEqual(['R-1', 'R-2', 'R-3', 'R-4']);
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
  });

  it('ranks a match of the English name like a match of the name', async () => {
    await load([
      listingOf({ localId: 'E-1', name: '共焦点レーザー顕微鏡', nameEn: 'Confocal Laser Scanning Microscope' }),
      listingOf({ localId: 'E-2', name: '蛍光顕微鏡', nameEn: 'Fluorescence microscope' }),
      listingOf({ localId: 'E-3', name: '画像解析装置', description: 'For images from a confocal microscope' }),
    ]);
    const { hits } = await search({ query: 'ＣＯＮＦＯＣＡＬ microscope' });
    expect(localIds(hits)).toEqual(['E-1', 'E-3']);
    expect(hits[0]!.score).toBeGreaterThanOrEqual(0.6);
    expect(hits[1]!.score).toBe(0.4);
    expect(localIds((await search({ query: 'fluorescence microscope' })).hits)).toEqual(['E-2']);
  });
});

describe('availability in a local search', () => {
  // Monday 4 March 2030, 09:00 in Tokyo: every instrument opens Mon–Fri 09:00–18:00 unless told otherwise.
  const asOf = new Date('2030-03-04T00:00:00Z');
  const at = (iso: string) => new Date(iso);
  const window = { from: at('2030-03-04T00:00:00Z'), to: at('2030-03-06T00:00:00Z') };
  let ids: Map<string, number>;

  beforeAll(async () => {
    const nightOnly: OpenHoursRule[] = [{ weekday: 1, opensAt: 19 * 60, closesAt: 23 * 60 }];
    ids = await load([
      listingOf({ localId: 'A-free', name: 'フローサイトメーター A' }),
      listingOf({ localId: 'A-morning', name: 'フローサイトメーター B' }),
      listingOf({ localId: 'A-monday', name: 'フローサイトメーター C' }),
      listingOf({ localId: 'A-blackout', name: 'フローサイトメーター D' }),
      { ...listingOf({ localId: 'A-never', name: 'フローサイトメーター E' }), openHours: [] },
      { ...listingOf({ localId: 'A-night', name: 'フローサイトメーター F' }), openHours: nightOnly },
    ]);
    const booking = (localId: string, start: string, end: string, status: 'CONFIRMED' | 'CANCELLED' = 'CONFIRMED') => ({
      instrumentId: ids.get(localId)!,
      requesterId: 'user-1',
      requesterOrganization: '東北大学',
      requesterInstitution: 'tohoku-u',
      userCategory: 'ACADEMIC' as const,
      mode: 'SELF' as const,
      period: { start: at(start), end: at(end) },
      status,
      fee: 0,
      purpose: 'measurement',
      idempotencyKey: `${localId}-${start}`,
      requestHash: 'h',
    });
    await database.db.insert(bookingsTable).values([
      // Monday 09:00–12:00 and 14:00–15:00 Tokyo: free 12–14 (2 h) and 15–18 (3 h).
      booking('A-morning', '2030-03-04T00:00:00Z', '2030-03-04T03:00:00Z'),
      booking('A-morning', '2030-03-04T05:00:00Z', '2030-03-04T06:00:00Z'),
      // All of Monday; a cancelled booking on Tuesday holds nothing.
      booking('A-monday', '2030-03-04T00:00:00Z', '2030-03-04T09:00:00Z'),
      booking('A-monday', '2030-03-05T00:00:00Z', '2030-03-05T09:00:00Z', 'CANCELLED'),
    ]);
    await database.db.insert(blackoutsTable).values({
      instrumentId: ids.get('A-blackout')!,
      period: { start: at('2030-03-03T00:00:00Z'), end: at('2030-03-07T00:00:00Z') },
      reason: 'maintenance',
      createdBy: 'office',
    });
  });

  const starts = (hits: SearchHit[]) =>
    Object.fromEntries(hits.map((h) => [h.instrument.localId, h.availableFrom?.toISOString() ?? null]));

  it('keeps only instruments with a free stretch of the asked length, with its start', async () => {
    const result = await search({ query: 'フローサイトメーター', availableIn: { ...window, minutes: 150 }, asOf, limit: 100 });
    expect(starts(result.hits)).toEqual({
      'A-free': '2030-03-04T00:00:00.000Z',
      'A-morning': '2030-03-04T06:00:00.000Z',
      'A-monday': '2030-03-05T00:00:00.000Z',
      'A-night': '2030-03-04T10:00:00.000Z',
    });
    expect(result.totalCount).toBe(4);
    expect(result.categories).toEqual([{ value: 'その他', count: 4 }]);
  });

  it('finds the same instruments as asking each one for its free slots', async () => {
    const contextOf = createContextFactory(database.db, 'test-u', silent);
    for (const minutes of [15, 120, 180, 240, 600]) {
      const found = await search({ query: 'フローサイトメーター', availableIn: { ...window, minutes }, asOf, limit: 100 });
      const expected: string[] = [];
      for (const [localId, id] of ids) {
        const ctx = contextOf(null, 'check');
        const hours = await ctx.availability.openHours(id);
        const busy = await database.db.query.bookingsTable.findMany({ where: (b, { eq }) => eq(b.instrumentId, id) });
        const blackouts = await database.db.query.blackoutsTable.findMany({ where: (b, { eq }) => eq(b.instrumentId, id) });
        const periods = [...busy.filter((b) => b.status === 'CONFIRMED'), ...blackouts].map((b) => b.period);
        if (freeSlots(hours, { start: window.from, end: window.to }, periods, minutes).length > 0) expected.push(localId);
      }
      expect(localIds(found.hits).sort(), `${minutes} minutes`).toEqual(expected.sort());
    }
  });

  it('sorts by the earliest free stretch, instruments with none last, and pages by the same order', async () => {
    const input = { query: 'フローサイトメーター', sort: 'EARLIEST_AVAILABLE' as const, asOf };
    const whole = await search({ ...input, limit: 100 });
    expect(localIds(whole.hits)).toEqual(['A-free', 'A-morning', 'A-night', 'A-monday', 'A-blackout', 'A-never']);
    expect(whole.hits.at(-1)!.availableFrom).toBeNull();
    expect(whole.totalCount).toBe(6);
    const paged = await pageThrough({ ...input }, 2, (h) => h.availableFrom?.getTime() ?? null);
    expect(localIds(paged)).toEqual(localIds(whole.hits));
  });

  it('never counts the past as free', async () => {
    const later = new Date('2030-03-04T07:00:00Z'); // Monday 16:00 Tokyo
    const result = await search({ query: 'フローサイトメーター a', availableIn: { ...window, minutes: 60 }, asOf: later });
    expect(result.hits[0]?.availableFrom?.toISOString()).toBe('2030-03-04T07:00:00.000Z');
    const gone = await search({
      query: 'フローサイトメーター',
      availableIn: { from: at('2030-03-01T00:00:00Z'), to: at('2030-03-03T00:00:00Z'), minutes: 15 },
      asOf,
    });
    expect(gone.totalCount).toBe(0);
  });

  it('refuses a window backwards, too long, or with too few minutes, naming the field', () => {
    const bad: [LocalSearchInput['availableIn'], string][] = [
      [{ from: window.to, to: window.from, minutes: 60 }, 'input.availableIn.to'],
      [{ from: window.from, to: at('2030-07-01T00:00:00Z'), minutes: 60 }, 'input.availableIn.to'],
      [{ ...window, minutes: 5 }, 'input.availableIn.minutes'],
    ];
    for (const [availableIn, field] of bad) {
      expect(() => toCriteria({ sort: 'RELEVANCE', limit: 1, availableIn }, asOf)).toThrow(
        expect.objectContaining({ code: 'BAD_USER_INPUT', field }),
      );
    }
  });
});

describe('query plans of text search', () => {
  /** Names like real listings: an instrument kind, often a maker and model in brackets, sometimes a size. */
  const kinds = [
    '透過型電子顕微鏡',
    '走査型電子顕微鏡',
    '共焦点レーザー顕微鏡',
    '蛍光顕微鏡',
    'NMR装置',
    '固体NMR',
    'X線回折装置',
    '単結晶X線構造解析装置',
    '質量分析装置',
    'ガスクロマトグラフ質量分析計',
    '液体クロマトグラフ',
    'フローサイトメーター',
    'セルソーター',
    'クライオ電子顕微鏡',
    '超遠心機',
    '分光光度計',
    'ラマン分光装置',
    'フーリエ変換赤外分光光度計',
    '元素分析装置',
    'ICP発光分光分析装置',
    '熱分析装置',
    '原子間力顕微鏡',
    'リアルタイムPCR',
    'シーケンサー',
    'プレートリーダー',
    '真空蒸着装置',
    'スパッタ装置',
    '電子線描画装置',
    '微小部X線回折装置',
    '蛍光X線分析装置',
    'X線光電子分光装置',
    'オージェ電子分光装置',
    '二次イオン質量分析装置',
    'MALDI-TOF質量分析計',
    '高速液体クロマトグラフ',
    'イオンクロマトグラフ',
    '円二色性分散計',
    '蛍光分光光度計',
    '紫外可視近赤外分光光度計',
    '等温滴定型カロリメーター',
    '示差走査熱量計',
    '粒子径分布測定装置',
    'ゼータ電位測定装置',
    '比表面積測定装置',
    '電子スピン共鳴装置',
    '超伝導量子干渉磁束計',
    '物理特性測定システム',
    'クリーンドラフト',
    'マスクアライナー',
    'ドライエッチング装置',
    '集束イオンビーム装置',
    'ダイシングソー',
    'ワイヤボンダー',
    '次世代シーケンサー',
    'イメージングサイトメーター',
    'ライブセルイメージング',
    '動物用CT',
    '小動物用MRI',
    '超純水製造装置',
    'ドラフトチャンバー',
  ];
  const makers = ['日本電子', 'JEOL', '日立ハイテク', 'リガク', '島津製作所', 'Bruker', 'Thermo Fisher', 'Agilent', 'Zeiss'];

  let listings: InstrumentListing[] = [];
  beforeAll(async () => {
    listings = Array.from({ length: 8000 }, (_, i) => {
      const kind = kinds[(i * 7) % kinds.length]!;
      const maker = makers[(i * 11) % makers.length]!;
      return listingOf({
        localId: `P-${i}`,
        name: i % 3 === 0 ? `${kind} (${maker}・M${i % 97}-${i % 13})` : `${kind} ${i % 5}号機`,
        category: kind.slice(0, 4),
        manufacturer: maker,
        model: `M${i % 97}-${i % 13}`,
        description: `${kind}。学内外の共同利用に供する。測定相談は${i % 17}番窓口まで。`,
      });
    });
    await load(listings);
    await database.sql`ANALYZE instruments`;
  }, 120_000);

  for (const query of [
    '顕微鏡',
    'nmr',
    'ＮＭＲ',
    'x線回折',
    '質量分析',
    'クライオ',
    'フローサイトメーター',
    'jeol',
    'ガスクロ',
  ]) {
    it(`uses an index, never a sequential scan of the instruments, for "${query}"`, async () => {
      const criteria = toCriteria({ query, sort: 'RELEVANCE', limit: 21 }, new Date());
      const plan = await repository.explainSearch(criteria);
      expect(plan, plan).not.toMatch(/Seq Scan on instruments/);
      expect(plan, plan).toMatch(/Index Scan on instruments_(search_text|name_norm)_trgm|instruments_search_tokens_gin/);
    });
  }

  it('answers a two-character Japanese query through the bigram index', async () => {
    const plan = await repository.explainSearch(toCriteria({ query: '顕微', sort: 'RELEVANCE', limit: 21 }, new Date()));
    expect(plan, plan).toMatch(/instruments_search_tokens_gin/);
  });

  it('finds every listing whose name contains the query, however the query is written', async () => {
    for (const query of ['顕微', '電子顕微鏡', 'ｸﾛﾏﾄ', 'ＮＭＲ', 'x線', '(日本電子・m1']) {
      const found = new Set(localIds(await pageThrough({ query }, 1000, (h) => h.score)));
      const expected = listings.filter((l) => normalizeText(l.name).includes(normalizeText(query))).map((l) => l.localId);
      expect(expected.length, query).toBeGreaterThan(0);
      expect(
        expected.filter((id) => !found.has(id)),
        query,
      ).toEqual([]);
    }
  });
});

describe('round trips to the database', () => {
  const PAGE = `query ($ids: [ID!]!, $from: DateTime!, $to: DateTime!) {
    instruments(ids: $ids) {
      id name fees { hourlyRate } openHours { weekday }
      availability(from: $from, to: $to) { start end }
      utilization(from: $from, to: $to)
    } }`;
  const SEARCH = `query ($input: LocalSearchInput!) {
    searchInstruments(input: $input) { totalCount categories { value } hits { score instrument { id fees { mode } } } } }`;

  it('stay the same for a page of 10 and a page of 100 instruments with fees, hours, availability and use', async () => {
    const ids = await load(
      Array.from({ length: 100 }, (_, i) => listingOf({ localId: `Q-${i}`, name: `セルソーター ${i}号機` })),
    );
    const queries: string[] = [];
    const counted = connect(database.url, equipmentSchema, { max: 4, onQuery: (q) => queries.push(q) });
    const { pair } = await createKeyPair();
    const app = await createEquipmentApp({
      institution: 'test-u',
      database: counted,
      gatewayKey: pair.publicKey,
      logger: silent,
      maxBodyBytes: 1024 * 1024,
      production: false,
    });
    try {
      const url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}/graphql`;
      const token = await signServiceToken({ identity: null, requestId: 'count' }, 'test-u', pair);
      const roundTrips = async (query: string, variables: Record<string, unknown>) => {
        queries.length = 0;
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        });
        const body = (await response.json()) as { errors?: unknown };
        expect(body.errors).toBeUndefined();
        return queries.length;
      };
      const window = { from: '2030-03-04T00:00:00Z', to: '2030-03-11T00:00:00Z' };
      const all = [...ids.values()].map(String);
      await roundTrips(PAGE, { ids: all, ...window }); // opens the pool's connections
      const ten = await roundTrips(PAGE, { ids: all.slice(0, 10), ...window });
      const hundred = await roundTrips(PAGE, { ids: all, ...window });
      expect(hundred).toBe(ten);
      // instruments, fees, open hours, busy periods (bookings and blackouts), booked periods.
      expect(hundred).toBeLessThanOrEqual(6);

      const searchTen = await roundTrips(SEARCH, { input: { query: 'セルソーター', limit: 10 } });
      const searchHundred = await roundTrips(SEARCH, { input: { query: 'セルソーター', limit: 100 } });
      expect(searchHundred).toBe(searchTen);
      expect(searchHundred).toBeLessThanOrEqual(3);
    } finally {
      await app.stop();
    }
  });
});
