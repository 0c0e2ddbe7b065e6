import { describe, expect, it } from 'vitest';
import { addDays, tokyoToday } from '../../format';
import { checkSearch, effectiveSort, readSearch, searchQuery, toFilter, withDefaults, type Origins } from './search-params';

const sendai = { latitude: 38.25, longitude: 140.84 };
const nagoya = { latitude: 35.15, longitude: 136.97 };
const origins: Origins = { home: sendai, institutions: new Map([['nagoya-u', nagoya]]) };
const anonymous: Origins = { home: null, institutions: new Map([['nagoya-u', nagoya]]) };

describe('search state in the address', () => {
  it('survives a round trip through the query', () => {
    const state = readSearch(new URLSearchParams('q=NMR&cat=400MHz NMR装置|ICP/MS&shared=1&near=nagoya-u&km=30&sort=DISTANCE'));
    expect(state).toMatchObject({ q: 'NMR', categories: ['400MHz NMR装置', 'ICP/MS'], sharedOnly: true, sort: 'DISTANCE' });
    const query = new URLSearchParams(Object.entries(searchQuery(state)).filter((e): e is [string, string] => e[1] !== null));
    expect(readSearch(query)).toEqual(state);
  });

  it('ignores an unknown sort', () => {
    expect(readSearch(new URLSearchParams('sort=CHEAPEST')).sort).toBe('RELEVANCE');
  });
});

describe('search filter', () => {
  it('measures "near" from my home institution or a chosen one', () => {
    const home = toFilter(readSearch(new URLSearchParams('near=home&km=20')), origins);
    expect(home.near).toEqual({ point: sendai, radiusKm: 20 });
    const chosen = toFilter(readSearch(new URLSearchParams('near=nagoya-u')), anonymous);
    expect(chosen.near).toEqual({ point: nagoya, radiusKm: 50 });
    expect(toFilter(readSearch(new URLSearchParams('near=home')), anonymous).near).toBeUndefined();
  });

  it('asks for a free stretch of N hours between two Tokyo dates, the last one included', () => {
    const filter = toFilter(readSearch(new URLSearchParams('hours=2.5&from=2030-04-01&to=2030-04-07')), origins);
    expect(filter.availableIn).toEqual({ from: '2030-04-01T00:00:00+09:00', to: '2030-04-08T00:00:00+09:00', minutes: 150 });
  });

  it('sorts by distance only when there is a point to measure from', () => {
    const state = readSearch(new URLSearchParams('sort=DISTANCE'));
    expect(effectiveSort(state, origins)).toBe('DISTANCE');
    expect(effectiveSort(state, anonymous)).toBe('RELEVANCE');
    expect(effectiveSort(readSearch(new URLSearchParams('sort=DISTANCE&near=nagoya-u')), anonymous)).toBe('DISTANCE');
  });
});

describe('a draft search', () => {
  it('gets a radius and a two-week window when left out', () => {
    const ready = withDefaults({ ...readSearch(new URLSearchParams('near=home&hours=1')) });
    expect(ready.nearKm).toBe('50');
    expect(ready.availableFrom).toBe(tokyoToday());
    expect(ready.availableTo).toBe(addDays(tokyoToday(), 13));
    expect(checkSearch(ready)).toEqual({});
  });

  it('names the fields that are wrong', () => {
    const today = tokyoToday();
    const problems = checkSearch({
      ...readSearch(new URLSearchParams(`minPrice=abc&near=home&km=-1&hours=500&from=${today}&to=${addDays(today, -1)}`)),
    });
    expect(Object.keys(problems).sort()).toEqual(['availableHours', 'availableTo', 'minPrice', 'nearKm']);
  });
});
