import { describe, expect, it } from 'vitest';
import { groupByPlace, project } from './map-geometry';

describe('the map', () => {
  it('puts the north-west corner of Japan at the origin and the south further down', () => {
    expect(project(122, 46)).toEqual({ x: 0, y: 0 });
    expect(project(140, 38).y).toBeLessThan(project(130, 33).y);
  });

  it('groups results of one campus into one place and keeps distant ones apart', () => {
    const at = (latitude: number, longitude: number, id: string) => ({ id, point: { latitude, longitude } });
    const places = groupByPlace(
      [at(38.2547, 140.838, 'a'), at(38.256, 140.84, 'b'), at(35.7126, 139.762, 'c'), { id: 'd', point: null }],
      (item) => item.point,
      (item) => item.id,
    );
    expect(places.map((p) => [p.key, p.items.length])).toEqual([
      ['a', 2],
      ['c', 1],
    ]);
  });
});
