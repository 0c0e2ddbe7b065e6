/**
 * Drawing Japan: an equirectangular projection fitted to the country (longitude scaled by cos 36°, the
 * latitude of Honshu's middle, so shapes look right), the coastline as one SVG path, and results grouped
 * where they would overlap on the map.
 */
import type { GeoPoint } from './model';

/** Japan's extent in degrees, from Yonaguni to Hokkaido's northern tip. */
const WEST = 122;
const EAST = 146;
const SOUTH = 24;
const NORTH = 46;
const X_SCALE = Math.cos((36 * Math.PI) / 180);
/** View-box units per degree of latitude. */
const UNIT = 20;

export const MAP_WIDTH = (EAST - WEST) * X_SCALE * UNIT;
export const MAP_HEIGHT = (NORTH - SOUTH) * UNIT;

/** A [longitude, latitude] pair as `japan.json` stores it. */
export type LonLat = [number, number];
/** Polygons, each a list of rings (outer first). */
export type Outline = LonLat[][][];

export function project(longitude: number, latitude: number): { x: number; y: number } {
  return { x: (longitude - WEST) * X_SCALE * UNIT, y: (NORTH - latitude) * UNIT };
}

/** The SVG path of every ring of every polygon. */
export function outlinePath(outline: Outline): string {
  const ring = (points: LonLat[]) =>
    points
      .map(([lon, lat], i) => {
        const { x, y } = project(lon, lat);
        return `${i === 0 ? 'M' : 'L'}${x.toFixed(1)} ${y.toFixed(1)}`;
      })
      .join('') + 'Z';
  return outline.flatMap((polygon) => polygon.map(ring)).join('');
}

export interface Place<T> {
  /** Stable while the same items share it: the key of its first item. */
  key: string;
  x: number;
  y: number;
  items: T[];
}

/**
 * Groups items whose points fall within `radius` view-box units of a group's first item (one campus's
 * buildings become one marker), in the order items come.
 */
export function groupByPlace<T>(
  items: T[],
  pointOf: (item: T) => GeoPoint | null,
  keyOf: (item: T) => string,
  radius = 8,
): Place<T>[] {
  const places: Place<T>[] = [];
  for (const item of items) {
    const point = pointOf(item);
    if (!point) continue;
    const { x, y } = project(point.longitude, point.latitude);
    const near = places.find((p) => Math.hypot(p.x - x, p.y - y) <= radius);
    if (near) near.items.push(item);
    else places.push({ key: keyOf(item), x, y, items: [item] });
  }
  return places;
}
