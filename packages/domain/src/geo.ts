import { errors } from './errors';

/** A position on Earth in decimal degrees (WGS 84). */
export interface GeoPoint {
  latitude: number;
  longitude: number;
}

/** The mean Earth radius (IUGG), in kilometres. */
const EARTH_RADIUS_KM = 6371.0088;

/** True when `value` is an object with a finite latitude in [−90, 90] and longitude in [−180, 180]. */
export function isGeoPoint(value: unknown): value is GeoPoint {
  if (typeof value !== 'object' || value === null) return false;
  const { latitude, longitude } = value as Record<string, unknown>;
  return isInRange(latitude, 90) && isInRange(longitude, 180);
}

/** Throws `BAD_USER_INPUT` naming `${field}.latitude` or `${field}.longitude` when either is out of range. */
export function validateGeoPoint(point: GeoPoint, field: string): void {
  if (!isInRange(point.latitude, 90)) {
    throw errors.badInput(`${field}.latitude`, 'latitude must be a number from -90 to 90');
  }
  if (!isInRange(point.longitude, 180)) {
    throw errors.badInput(`${field}.longitude`, 'longitude must be a number from -180 to 180');
  }
}

/** The great-circle distance between two points in kilometres (haversine formula on a sphere). */
export function haversineKm(a: GeoPoint, b: GeoPoint): number {
  const dLat = toRadians(b.latitude - a.latitude);
  const dLon = toRadians(b.longitude - a.longitude);
  const cosLatitudes = Math.cos(toRadians(a.latitude)) * Math.cos(toRadians(b.latitude));
  const h = Math.sin(dLat / 2) ** 2 + cosLatitudes * Math.sin(dLon / 2) ** 2;
  // Rounding can push h a hair above 1 for antipodal points, which would make asin return NaN.
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(Math.min(1, h)));
}

function isInRange(value: unknown, limit: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= limit;
}

function toRadians(degrees: number): number {
  return (degrees * Math.PI) / 180;
}
