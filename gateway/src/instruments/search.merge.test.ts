import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@kyoyo/domain';
import { decodeCursor, encodeCursor, mergeHits, sumFacets, type FederatedHit } from './search.merge';

function hit(
  institution: string,
  id: number,
  score: number,
  price: number | null = null,
  distanceKm: number | null = null,
): FederatedHit {
  return {
    score,
    distanceKm,
    instrument: { institutionCode: institution, id: String(id), acquisitionPrice: price } as FederatedHit['instrument'],
  };
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
    const merged = mergeHits([[hit('a-u', 1, 0, null), hit('a-u', 2, 0, 5_000_000)], [hit('b-u', 1, 0, 1_000_000)]], 'PRICE_ASC');
    expect(ids(merged)).toEqual(['b-u/1', 'a-u/2', 'a-u/1']);
  });

  it('sorts by distance nearest first', () => {
    const merged = mergeHits([[hit('a-u', 1, 0, null, 300)], [hit('b-u', 1, 0, null, 12.5)]], 'DISTANCE');
    expect(ids(merged)).toEqual(['b-u/1', 'a-u/1']);
  });

  it('compares local ids as numbers, so id 10 follows id 9', () => {
    expect(ids(mergeHits([[hit('a-u', 10, 0.5), hit('a-u', 9, 0.5)]], 'RELEVANCE'))).toEqual(['a-u/9', 'a-u/10']);
  });
});

describe('cursors', () => {
  it('round-trip a position', () => {
    expect(decodeCursor(encodeCursor(41))).toBe(41);
  });

  it('refuse a cursor the gateway did not issue with BAD_USER_INPUT on `after`', () => {
    for (const bad of ['', 'nonsense', Buffer.from('{"v":1,"p":-1}').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT, field: 'after' }));
    }
  });
});

describe('facets', () => {
  it('sum counts across institutions, most frequent first', () => {
    expect(
      sumFacets([
        [
          { value: 'NMR', count: 2 },
          { value: 'XRD', count: 1 },
        ],
        [{ value: 'XRD', count: 4 }],
      ]),
    ).toEqual([
      { value: 'XRD', count: 5 },
      { value: 'NMR', count: 2 },
    ]);
  });
});
