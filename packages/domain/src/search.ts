import { errors } from './errors';
import { validateGeoPoint, type GeoPoint } from './geo';
import { checkTextCharacters } from './input-text';
import { BOOKING_MIN_MINUTES } from './time';

/** Longest free-text query, in UTF-16 units as GraphQL delivers it. */
export const MAX_SEARCH_QUERY_LENGTH = 200;
/** Largest `near` radius: half the Earth's circumference, rounded down (covers every point that matters). */
export const MAX_SEARCH_RADIUS_KM = 20_000;

/**
 * `BAD_USER_INPUT` on `field` when the query is longer than `MAX_SEARCH_QUERY_LENGTH` or holds characters no
 * text may hold (`checkTextCharacters`: a NUL would otherwise fail the statement that searches).
 */
export function validateSearchQuery(query: string | null | undefined, field: string): void {
  if ((query?.length ?? 0) > MAX_SEARCH_QUERY_LENGTH) {
    throw errors.badInput(field, `The query is longer than ${MAX_SEARCH_QUERY_LENGTH} characters`);
  }
  if (query) checkTextCharacters(query, field);
}

/** Most values one filter list (categories, prefectures, institutions) may hold. */
export const MAX_FILTER_VALUES = 200;
/** Longest value a category or prefecture filter may hold: no listing's category is longer. */
export const MAX_FILTER_VALUE_LENGTH = 200;

/**
 * Checks the values of a filter list that are matched against listings (categories, prefectures): at most
 * `MAX_FILTER_VALUES` of them (`BAD_USER_INPUT` on `field`), each at most `MAX_FILTER_VALUE_LENGTH` characters
 * and free of characters no text may hold (`BAD_USER_INPUT` on `${field}[i]`).
 */
export function validateFilterValues(values: readonly string[] | null | undefined, field: string): void {
  if (!values) return;
  if (values.length > MAX_FILTER_VALUES) throw errors.badInput(field, `At most ${MAX_FILTER_VALUES} values`);
  values.forEach((value, i) => {
    if (value.length > MAX_FILTER_VALUE_LENGTH) {
      throw errors.badInput(`${field}[${i}]`, `${field}[${i}] is longer than ${MAX_FILTER_VALUE_LENGTH} characters`);
    }
    checkTextCharacters(value, `${field}[${i}]`);
  });
}

/** Checks a `near` filter: a valid point and a radius in (0, MAX_SEARCH_RADIUS_KM], naming `${field}.…` at fault. */
export function validateNear(near: { point: GeoPoint; radiusKm: number }, field: string): void {
  validateGeoPoint(near.point, `${field}.point`);
  if (!(near.radiusKm > 0 && near.radiusKm <= MAX_SEARCH_RADIUS_KM)) {
    throw errors.badInput(`${field}.radiusKm`, `radiusKm must be more than 0 and at most ${MAX_SEARCH_RADIUS_KM}`);
  }
}

/** The orders of a search, national and local alike. */
export type SearchSort = 'RELEVANCE' | 'DISTANCE' | 'PRICE_ASC' | 'EARLIEST_AVAILABLE';

/**
 * Compares two sort keys of `sort`: relevance (score) highest first; distance, price and earliest free start
 * lowest first. A missing key (no price, no free stretch in the window) sorts after every present one.
 * Ties are for the caller to break (by institution code, then local id).
 */
export function compareSortKeys(sort: SearchSort, a: number | null, b: number | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return sort === 'RELEVANCE' ? b - a : a - b;
}

/** Longest `availableIn` window of a search. */
export const MAX_AVAILABLE_IN_DAYS = 92;
/** Window `EARLIEST_AVAILABLE` looks into when no `availableIn` is given: from now, this many days. */
export const EARLIEST_AVAILABLE_WINDOW_DAYS = 28;

/** A free stretch of `minutes` somewhere in [from, to). */
export interface AvailabilityWindow {
  from: Date;
  to: Date;
  minutes: number;
}

/**
 * Checks an `availableIn` filter: `to` after `from`, a span of at most `MAX_AVAILABLE_IN_DAYS` days, and a
 * whole number of minutes from the shortest booking to a week, naming `${field}.…` at fault.
 */
export function validateAvailabilityWindow(window: AvailabilityWindow, field: string): void {
  const span = window.to.getTime() - window.from.getTime();
  if (!(span > 0)) throw errors.badInput(`${field}.to`, `${field}.to must be after ${field}.from`);
  if (span > MAX_AVAILABLE_IN_DAYS * 86_400_000) {
    throw errors.badInput(`${field}.to`, `An availability window spans at most ${MAX_AVAILABLE_IN_DAYS} days`);
  }
  if (!Number.isInteger(window.minutes) || window.minutes < BOOKING_MIN_MINUTES || window.minutes > 10_080) {
    throw errors.badInput(`${field}.minutes`, `${field}.minutes must be a whole number from ${BOOKING_MIN_MINUTES} to 10080`);
  }
}
