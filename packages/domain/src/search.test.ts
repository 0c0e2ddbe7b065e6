import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors';
import { MAX_SEARCH_QUERY_LENGTH, validateNear, validateSearchQuery } from './search';

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
