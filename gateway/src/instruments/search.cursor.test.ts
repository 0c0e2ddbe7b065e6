import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@kyoyo/domain';
import { decodeCursor, encodeCursor, searchDigest, sumFacets, type SearchCursor } from './search.cursor';

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
