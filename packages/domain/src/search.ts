import { errors } from './errors';
import { validateGeoPoint, type GeoPoint } from './geo';

/** Longest free-text query, in UTF-16 units as GraphQL delivers it. */
export const MAX_SEARCH_QUERY_LENGTH = 200;
/** Largest `near` radius: half the Earth's circumference, rounded down (covers every point that matters). */
export const MAX_SEARCH_RADIUS_KM = 20_000;

/** `BAD_USER_INPUT` on `field` when the query is longer than `MAX_SEARCH_QUERY_LENGTH`. */
export function validateSearchQuery(query: string | null | undefined, field: string): void {
  if ((query?.length ?? 0) > MAX_SEARCH_QUERY_LENGTH) {
    throw errors.badInput(field, `The query is longer than ${MAX_SEARCH_QUERY_LENGTH} characters`);
  }
}

/** Checks a `near` filter: a valid point and a radius in (0, MAX_SEARCH_RADIUS_KM], naming `${field}.…` at fault. */
export function validateNear(near: { point: GeoPoint; radiusKm: number }, field: string): void {
  validateGeoPoint(near.point, `${field}.point`);
  if (!(near.radiusKm > 0 && near.radiusKm <= MAX_SEARCH_RADIUS_KM)) {
    throw errors.badInput(`${field}.radiusKm`, `radiusKm must be more than 0 and at most ${MAX_SEARCH_RADIUS_KM}`);
  }
}
