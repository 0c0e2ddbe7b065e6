import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors';
import { haversineKm, isGeoPoint, validateGeoPoint } from './geo';

const tokyo = { latitude: 35.6762, longitude: 139.6503 };
const osaka = { latitude: 34.6937, longitude: 135.5023 };

describe('haversineKm', () => {
  it('puts Tokyo and Osaka about 397 km apart', () => {
    expect(haversineKm(tokyo, osaka)).toBeGreaterThan(392);
    expect(haversineKm(tokyo, osaka)).toBeLessThan(402);
  });

  it('is symmetric and zero for the same point', () => {
    expect(haversineKm(osaka, tokyo)).toBeCloseTo(haversineKm(tokyo, osaka), 9);
    expect(haversineKm(tokyo, tokyo)).toBe(0);
  });

  it('gives half the circumference for antipodal points', () => {
    const distance = haversineKm({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 180 });
    expect(distance).toBeCloseTo(Math.PI * 6371.0088, 6);
  });
});

describe('geo points', () => {
  it('recognises points inside the latitude and longitude ranges, bounds included', () => {
    expect(isGeoPoint(tokyo)).toBe(true);
    expect(isGeoPoint({ latitude: -90, longitude: 180 })).toBe(true);
  });

  it('rejects out-of-range, non-finite and malformed values', () => {
    expect(isGeoPoint({ latitude: 90.0001, longitude: 0 })).toBe(false);
    expect(isGeoPoint({ latitude: 0, longitude: -180.5 })).toBe(false);
    expect(isGeoPoint({ latitude: Number.NaN, longitude: 0 })).toBe(false);
    expect(isGeoPoint({ latitude: '35', longitude: 139 })).toBe(false);
    expect(isGeoPoint(null)).toBe(false);
  });

  it('names the bad coordinate when validating', () => {
    expect(() => validateGeoPoint({ latitude: 0, longitude: 200 }, 'input.location')).toThrow(
      expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT, field: 'input.location.longitude' }),
    );
    expect(() => validateGeoPoint({ latitude: -91, longitude: 0 }, 'input.location')).toThrow(
      expect.objectContaining({ field: 'input.location.latitude' }),
    );
    expect(() => validateGeoPoint(osaka, 'input.location')).not.toThrow();
  });
});
