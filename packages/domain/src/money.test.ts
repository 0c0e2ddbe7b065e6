import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors';
import { ceilDiv, formatYen, isYen, toYen } from './money';

function bigCeilDiv(numerator: number, denominator: number): number {
  const n = BigInt(numerator);
  const d = BigInt(denominator);
  return Number((n + d - 1n) / d);
}

describe('ceilDiv', () => {
  it('returns the exact quotient when the division is exact', () => {
    expect(ceilDiv(120, 60)).toBe(2);
    expect(ceilDiv(0, 7)).toBe(0);
  });

  it('rounds any remainder up', () => {
    expect(ceilDiv(61, 60)).toBe(2);
    expect(ceilDiv(1, 100)).toBe(1);
  });

  it('stays exact for operands near 2^53', () => {
    const max = Number.MAX_SAFE_INTEGER;
    const cases: [number, number][] = [
      [max, 1],
      [max, 2],
      [max, 3],
      [max, 10],
      [max, 60],
      [max, 100],
      [max - 1, 3],
      [max - 59, 60],
      [2 ** 52 + 1, 2 ** 52],
      [max, 2 ** 52],
      [max, max],
      [max - 1, max],
      [9_007_199_254_740_000, 7],
    ];
    for (const [numerator, denominator] of cases) {
      expect(ceilDiv(numerator, denominator), `${numerator} / ${denominator}`).toBe(bigCeilDiv(numerator, denominator));
    }
  });

  it('refuses operands that are not safe integers or a zero denominator', () => {
    expect(() => ceilDiv(2 ** 53, 1)).toThrow(RangeError);
    expect(() => ceilDiv(1.5, 1)).toThrow(RangeError);
    expect(() => ceilDiv(-1, 1)).toThrow(RangeError);
    expect(() => ceilDiv(1, 0)).toThrow(RangeError);
  });
});

describe('yen', () => {
  it('accepts only whole, non-negative, safe amounts', () => {
    expect(isYen(0)).toBe(true);
    expect(isYen(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(isYen(1.5)).toBe(false);
    expect(isYen(-1)).toBe(false);
    expect(isYen(2 ** 53)).toBe(false);
    expect(isYen('100')).toBe(false);
  });

  it('reports a bad amount as BAD_USER_INPUT on the named field', () => {
    expect(() => toYen(10.5, 'hourlyRate')).toThrow(
      expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT, field: 'hourlyRate' }),
    );
    expect(toYen(12_000, 'hourlyRate')).toBe(12_000);
  });

  it('formats amounts with a yen sign and thousands separators', () => {
    expect(formatYen(12_345_678)).toBe('¥12,345,678');
  });
});
