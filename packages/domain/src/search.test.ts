import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors';
import {
  compareSortKeys,
  MAX_AVAILABLE_IN_DAYS,
  MAX_SEARCH_QUERY_LENGTH,
  validateAvailabilityWindow,
  validateNear,
  validateSearchQuery,
} from './search';

describe('search input rules', () => {
  it('accept a query of the maximum length and refuse one character more, naming the field', () => {
    expect(() => validateSearchQuery('x'.repeat(MAX_SEARCH_QUERY_LENGTH), 'query')).not.toThrow();
    expect(() => validateSearchQuery('x'.repeat(MAX_SEARCH_QUERY_LENGTH + 1), 'query')).toThrow(
      expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT, field: 'query' }),
    );
  });

  it('refuse a non-positive radius and a point off the globe with the nested field name', () => {
    const point = { latitude: 35, longitude: 139 };
    expect(() => validateNear({ point, radiusKm: 0 }, 'filter.near')).toThrow(
      expect.objectContaining({ field: 'filter.near.radiusKm' }),
    );
    expect(() => validateNear({ point: { latitude: 91, longitude: 0 }, radiusKm: 5 }, 'filter.near')).toThrow(
      expect.objectContaining({ field: 'filter.near.point.latitude' }),
    );
    expect(() => validateNear({ point, radiusKm: 5 }, 'filter.near')).not.toThrow();
  });
});

describe('sort keys', () => {
  it('put higher relevance first and lower distance, price and start first', () => {
    expect([0.5, 0.9, 0.7].sort((a, b) => compareSortKeys('RELEVANCE', a, b))).toEqual([0.9, 0.7, 0.5]);
    expect([300, 12.5, 40].sort((a, b) => compareSortKeys('DISTANCE', a, b))).toEqual([12.5, 40, 300]);
  });

  it('put a missing key after every present one, whatever the direction', () => {
    expect([null, 5, 1].sort((a, b) => compareSortKeys('PRICE_ASC', a, b))).toEqual([1, 5, null]);
    expect([null, 0.2].sort((a, b) => compareSortKeys('RELEVANCE', a, b))).toEqual([0.2, null]);
    expect(compareSortKeys('EARLIEST_AVAILABLE', null, null)).toBe(0);
  });
});

describe('availability windows', () => {
  const from = new Date('2026-12-01T00:00:00Z');
  const days = (n: number) => new Date(from.getTime() + n * 86_400_000);

  it('accept a window of the maximum span and refuse a longer one, naming `to`', () => {
    expect(() => validateAvailabilityWindow({ from, to: days(MAX_AVAILABLE_IN_DAYS), minutes: 60 }, 'f')).not.toThrow();
    expect(() => validateAvailabilityWindow({ from, to: days(MAX_AVAILABLE_IN_DAYS + 1), minutes: 60 }, 'f')).toThrow(
      expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT, field: 'f.to' }),
    );
  });

  it('refuse an empty or reversed window and minutes outside 15 to 10080', () => {
    expect(() => validateAvailabilityWindow({ from, to: from, minutes: 60 }, 'f')).toThrow(
      expect.objectContaining({ field: 'f.to' }),
    );
    for (const minutes of [0, 14, 10_081, 30.5]) {
      expect(() => validateAvailabilityWindow({ from, to: days(1), minutes }, 'f')).toThrow(
        expect.objectContaining({ field: 'f.minutes' }),
      );
    }
  });
});
