import { describe, expect, it } from 'vitest';
import { compareSortKeys, ErrorCode, type SearchSort } from '@kyoyo/domain';
import {
  decodeCursor,
  encodeCursor,
  mergeHits,
  resumeAt,
  searchDigest,
  sortKeyOf,
  sumFacets,
  type FederatedHit,
  type SearchCursor,
} from './search.merge';

function hit(
  institution: string,
  id: number,
  score: number,
  price: number | null = null,
  distanceKm: number | null = null,
  sort: SearchSort = 'RELEVANCE',
): FederatedHit {
  const partial = {
    score,
    distanceKm,
    availableFrom: null,
    instrument: { institutionCode: institution, id: String(id), acquisitionPrice: price } as FederatedHit['instrument'],
  };
  return { ...partial, key: sortKeyOf(sort, partial) };
}

const ids = (hits: FederatedHit[]) => hits.map((h) => `${h.instrument.institutionCode}/${h.instrument.id}`);

describe('national merge', () => {
  it('orders by score, then institution code, then local id, whatever order the answers arrive in', () => {
    const a = [hit('kyoto-u', 2, 0.9), hit('kyoto-u', 1, 0.5)];
    const b = [hit('hokudai', 7, 0.9), hit('hokudai', 3, 0.5)];
    expect(ids(mergeHits([a, b], 'RELEVANCE'))).toEqual(['hokudai/7', 'kyoto-u/2', 'hokudai/3', 'kyoto-u/1']);
    expect(ids(mergeHits([b, a], 'RELEVANCE'))).toEqual(ids(mergeHits([a, b], 'RELEVANCE')));
  });

  it('puts instruments without a price last when sorting by price', () => {
    const merged = mergeHits(
      [
        [hit('a-u', 1, 0, null, null, 'PRICE_ASC'), hit('a-u', 2, 0, 5_000_000, null, 'PRICE_ASC')],
        [hit('b-u', 1, 0, 1_000_000, null, 'PRICE_ASC')],
      ],
      'PRICE_ASC',
    );
    expect(ids(merged)).toEqual(['b-u/1', 'a-u/2', 'a-u/1']);
  });

  it('sorts by distance nearest first', () => {
    const merged = mergeHits([[hit('a-u', 1, 0, null, 300, 'DISTANCE')], [hit('b-u', 1, 0, null, 12.5, 'DISTANCE')]], 'DISTANCE');
    expect(ids(merged)).toEqual(['b-u/1', 'a-u/1']);
  });

  it('compares local ids as numbers, so id 10 follows id 9', () => {
    expect(ids(mergeHits([[hit('a-u', 10, 0.5), hit('a-u', 9, 0.5)]], 'RELEVANCE'))).toEqual(['a-u/9', 'a-u/10']);
  });
});

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What an institution's service does with `after` and `limit`: its own (key, id) order, resumed. */
function answer(all: FederatedHit[], sort: SearchSort, after: { key: number | null; id: string | null } | null, limit: number) {
  const sorted = [...all].sort(
    (a, b) => compareSortKeys(sort, a.key, b.key) || Number(a.instrument.id) - Number(b.instrument.id),
  );
  const rest = after
    ? sorted.filter((h) => {
        const cmp = compareSortKeys(sort, h.key, after.key);
        return cmp > 0 || (cmp === 0 && after.id !== null && Number(h.instrument.id) > Number(after.id));
      })
    : sorted;
  return rest.slice(0, limit);
}

describe('keyset paging across institutions', () => {
  const institutions = ['a-u', 'b-u', 'c-u', 'd-u'];

  for (const sort of ['RELEVANCE', 'PRICE_ASC', 'DISTANCE'] as SearchSort[]) {
    it(`pages by 7 through the same order as one page of 100, with many ties and missing keys (${sort})`, () => {
      const next = random(sort.length);
      const data = new Map(
        institutions.map((code) => [
          code,
          Array.from({ length: 20 + Math.floor(next() * 10) }, (_, i) => {
            // Few distinct values, so that ties across and within institutions are common.
            const value = Math.floor(next() * 4);
            const missing = next() < 0.2;
            return hit(code, i * 3 + 1, value / 4, missing ? null : value * 1_000_000, missing ? null : value * 10.5, sort);
          }),
        ]),
      );

      const oneBigPage = mergeHits(
        institutions.map((code) => answer(data.get(code)!, sort, null, 1000)),
        sort,
      );
      const paged: FederatedHit[] = [];
      let cursor: SearchCursor | null = null;
      for (let guard = 0; guard < 100; guard++) {
        const merged = mergeHits(
          institutions.map((code) => answer(data.get(code)!, sort, cursor ? resumeAt(cursor, code) : null, 8)),
          sort,
        );
        const page = merged.slice(0, 7);
        paged.push(...page);
        if (merged.length <= 7) break;
        const last = page.at(-1)!;
        cursor = {
          search: 's',
          key: last.key,
          institution: last.instrument.institutionCode,
          localId: last.instrument.id,
          asOf: null,
        };
      }
      expect(ids(paged)).toEqual(ids(oneBigPage));
      expect(new Set(ids(paged)).size).toBe(paged.length);
    });
  }
});

describe('cursors', () => {
  const position: SearchCursor = {
    search: searchDigest({ q: 'nmr' }),
    key: 0.75,
    institution: 'kyoto-u',
    localId: '42',
    asOf: null,
  };

  it('round-trip a position', () => {
    expect(decodeCursor(encodeCursor(position), position.search)).toEqual(position);
  });

  it('refuse a cursor the gateway did not issue with BAD_USER_INPUT on `after`', () => {
    const forged = Buffer.from(JSON.stringify({ v: 2, s: position.search, k: 'x', i: 'a', d: '1', t: null })).toString(
      'base64url',
    );
    for (const bad of ['not-a-cursor', 'eyJ2IjoxLCJwIjotMX0', forged, '']) {
      expect(() => decodeCursor(bad, position.search)).toThrow(
        expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT, field: 'after' }),
      );
    }
  });

  it('refuse a cursor of another search', () => {
    expect(() => decodeCursor(encodeCursor(position), searchDigest({ q: 'sem' }))).toThrow(
      expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT, field: 'after' }),
    );
  });

  it('tell searches apart by value, not by the order of filter keys', () => {
    expect(searchDigest({ a: 1, b: [2, 3] })).toBe(searchDigest({ b: [2, 3], a: 1 }));
    expect(searchDigest({ a: 1 })).not.toBe(searchDigest({ a: 2 }));
  });
});

describe('facets', () => {
  it('sum counts across institutions, most frequent first, leaving out values without a match', () => {
    expect(
      sumFacets([
        [
          { value: 'NMR', count: 2 },
          { value: 'SEM', count: 1 },
        ],
        [
          { value: 'SEM', count: 3 },
          { value: 'XRD', count: 0 },
        ],
      ]),
    ).toEqual([
      { value: 'SEM', count: 4 },
      { value: 'NMR', count: 2 },
    ]);
  });
});
