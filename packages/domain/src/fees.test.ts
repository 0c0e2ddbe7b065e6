import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors';
import { type FeeRate, findRate, quoteFee, validateFeeSchedule } from './fees';

function rate(overrides: Partial<FeeRate> = {}): FeeRate {
  return {
    userCategory: 'ACADEMIC',
    mode: 'SELF',
    hourlyRate: 6_000,
    billingUnitMinutes: 60,
    minimumCharge: 0,
    ...overrides,
  };
}

describe('quoteFee', () => {
  it('rounds 61 minutes up to 120 billable minutes with a 60-minute unit', () => {
    const quote = quoteFee([rate()], 'ACADEMIC', 'SELF', 61);
    expect(quote.billableMinutes).toBe(120);
    expect(quote.amount).toBe(12_000);
  });

  it('bills in 30-minute units when the rate says so', () => {
    const quote = quoteFee([rate({ billingUnitMinutes: 30 })], 'ACADEMIC', 'SELF', 61);
    expect(quote.billableMinutes).toBe(90);
    expect(quote.amount).toBe(9_000);
  });

  it('charges an exact multiple of the unit without rounding', () => {
    expect(quoteFee([rate()], 'ACADEMIC', 'SELF', 180).amount).toBe(18_000);
  });

  it('raises a small fee to the minimum charge and explains it in its own line', () => {
    const quote = quoteFee([rate({ hourlyRate: 1_000, minimumCharge: 5_000 })], 'ACADEMIC', 'SELF', 60);
    expect(quote.amount).toBe(5_000);
    expect(quote.lines).toHaveLength(2);
    expect(quote.lines[1]?.label).toContain('Minimum charge');
    expect(quote.lines.reduce((sum, line) => sum + line.amount, 0)).toBe(5_000);
  });

  it('adds no minimum-charge line when usage already exceeds it', () => {
    const quote = quoteFee([rate({ minimumCharge: 1_000 })], 'ACADEMIC', 'SELF', 60);
    expect(quote.amount).toBe(6_000);
    expect(quote.lines).toHaveLength(1);
  });

  it('rounds the amount up to a whole yen (¥1,000/h, 15-minute unit, 20 minutes → 30 min → ¥500)', () => {
    const quote = quoteFee([rate({ hourlyRate: 1_000, billingUnitMinutes: 15 })], 'ACADEMIC', 'SELF', 20);
    expect(quote.billableMinutes).toBe(30);
    expect(quote.amount).toBe(500);
  });

  it('rounds a fractional yen up rather than to nearest (¥1,001/h for 1 minute → ¥17)', () => {
    const quote = quoteFee([rate({ hourlyRate: 1_001, billingUnitMinutes: 1 })], 'ACADEMIC', 'SELF', 1);
    expect(quote.amount).toBe(17);
  });

  it('keeps large prices exact, beyond the range where rate × minutes fits in a double', () => {
    const hourlyRate = 9_007_199_254_740; // about ¥9 trillion an hour: rate × 61 exceeds 2^53 / 60
    const quote = quoteFee([rate({ hourlyRate, billingUnitMinutes: 1 })], 'ACADEMIC', 'SELF', 61);
    const exact = (BigInt(hourlyRate) * 61n + 59n) / 60n;
    expect(BigInt(quote.amount)).toBe(exact);
  });

  it('answers LIMIT_EXCEEDED instead of a wrong number when the fee itself is not a safe integer', () => {
    const schedule = [rate({ hourlyRate: Number.MAX_SAFE_INTEGER })];
    expect(() => quoteFee(schedule, 'ACADEMIC', 'SELF', 120)).toThrow(
      expect.objectContaining({ code: ErrorCode.LIMIT_EXCEEDED }),
    );
  });

  it('answers NOT_OFFERED when the schedule has no rate for the category and mode', () => {
    expect(() => quoteFee([rate()], 'INDUSTRY', 'SELF', 60)).toThrow(
      expect.objectContaining({ code: ErrorCode.NOT_OFFERED, field: 'input.mode' }),
    );
    expect(() => findRate([rate()], 'ACADEMIC', 'DELEGATED')).toThrow(expect.objectContaining({ code: ErrorCode.NOT_OFFERED }));
  });

  it('refuses a duration that is not a whole, positive number of minutes', () => {
    for (const minutes of [0, -15, 30.5]) {
      expect(() => quoteFee([rate()], 'ACADEMIC', 'SELF', minutes)).toThrow(
        expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT }),
      );
    }
  });
});

describe('validateFeeSchedule', () => {
  it('accepts one rate per category and mode', () => {
    expect(() => validateFeeSchedule([rate(), rate({ mode: 'ASSISTED' }), rate({ userCategory: 'INDUSTRY' })])).not.toThrow();
  });

  it('refuses two rates for the same category and mode, naming the second', () => {
    expect(() => validateFeeSchedule([rate(), rate({ hourlyRate: 1 })])).toThrow(
      expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT, field: 'fees[1]' }),
    );
  });

  it('refuses a negative or fractional amount, naming the field', () => {
    expect(() => validateFeeSchedule([rate({ hourlyRate: -1 })])).toThrow(
      expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT, field: 'fees[0].hourlyRate' }),
    );
    expect(() => validateFeeSchedule([rate({ minimumCharge: 0.5 })], 'input.fees')).toThrow(
      expect.objectContaining({ field: 'input.fees[0].minimumCharge' }),
    );
  });

  it('refuses a billing unit outside 1 to 1440 minutes', () => {
    for (const billingUnitMinutes of [0, 1441, 7.5]) {
      expect(() => validateFeeSchedule([rate({ billingUnitMinutes })])).toThrow(
        expect.objectContaining({ field: 'fees[0].billingUnitMinutes' }),
      );
    }
  });
});
