import { describe, expect, it } from 'vitest';
import { cancellationFee, DEFAULT_CANCELLATION_POLICY, validateCancellationPolicy } from './cancellation';
import { ErrorCode } from './errors';

const start = new Date('2026-12-10T01:00:00Z');
const before = (hours: number, minutes = 0) => new Date(start.getTime() - (hours * 60 + minutes) * 60_000);

describe('cancellationFee', () => {
  it('is free exactly 48 hours before the start', () => {
    expect(cancellationFee(10_000, start, before(48))).toBe(0);
  });

  it('is free earlier than 48 hours before the start', () => {
    expect(cancellationFee(10_000, start, before(24 * 30))).toBe(0);
  });

  it('charges half the fee at 47 h 59 min before the start', () => {
    expect(cancellationFee(10_000, start, before(47, 59))).toBe(5_000);
  });

  it('rounds half of an odd fee up to the yen', () => {
    expect(cancellationFee(10_001, start, before(47, 59))).toBe(5_001);
    expect(cancellationFee(1, start, before(1))).toBe(1);
  });

  it('charges a millisecond before the start', () => {
    expect(cancellationFee(3_333, start, new Date(start.getTime() - 1))).toBe(1_667);
  });

  it('stays exact for fees near the safe-integer limit', () => {
    const fee = Number.MAX_SAFE_INTEGER;
    expect(BigInt(cancellationFee(fee, start, before(1)))).toBe((BigInt(fee) * 50n + 99n) / 100n);
  });

  it('follows a custom policy', () => {
    const policy = { freeUntilHours: 24, lateFeePercent: 30 };
    expect(cancellationFee(1_000, start, before(25), policy)).toBe(0);
    expect(cancellationFee(1_001, start, before(23), policy)).toBe(301);
  });

  it('refuses a cancellation at or after the start with BAD_USER_INPUT on the booking id', () => {
    for (const now of [start, new Date(start.getTime() + 60_000)]) {
      expect(() => cancellationFee(10_000, start, now)).toThrow(
        expect.objectContaining({
          code: ErrorCode.BAD_USER_INPUT,
          field: 'id',
          message: 'A booking cannot be cancelled after it has started',
        }),
      );
    }
  });
});

describe('validateCancellationPolicy', () => {
  it('accepts the default policy', () => {
    expect(() => validateCancellationPolicy(DEFAULT_CANCELLATION_POLICY)).not.toThrow();
  });

  it('refuses a percentage that is not a whole number from 0 to 100', () => {
    for (const lateFeePercent of [-1, 101, 12.5]) {
      expect(() => validateCancellationPolicy({ freeUntilHours: 48, lateFeePercent })).toThrow(
        expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT, field: 'cancellationPolicy.lateFeePercent' }),
      );
    }
  });

  it('refuses a negative or infinite free period', () => {
    for (const freeUntilHours of [-1, Number.POSITIVE_INFINITY]) {
      expect(() => validateCancellationPolicy({ freeUntilHours, lateFeePercent: 50 })).toThrow(
        expect.objectContaining({ field: 'cancellationPolicy.freeUntilHours' }),
      );
    }
  });
});
