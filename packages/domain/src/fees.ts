import { DomainError, ErrorCode, errors } from './errors';
import { ceilDiv, isYen, type Yen } from './money';

/** Every user category, in display order. */
export const USER_CATEGORIES = ['INTERNAL', 'ACADEMIC', 'INDUSTRY'] as const;
/** Who is booking, relative to the owning institution. */
export type UserCategory = (typeof USER_CATEGORIES)[number];
/** Use by someone from outside the owning institution: what the sharing report counts as external use. */
export const isExternalUse = (category: UserCategory): boolean => category !== 'INTERNAL';

/** Every operation mode, in display order. */
export const OPERATION_MODES = ['SELF', 'ASSISTED', 'DELEGATED'] as const;
/** `SELF`: the user operates; `ASSISTED`: staff assist (技術補助); `DELEGATED`: staff measure for the user (技術代行). */
export type OperationMode = (typeof OPERATION_MODES)[number];

/** One line of a fee schedule: the hourly rate for a user category and operation mode. */
export interface FeeRate {
  userCategory: UserCategory;
  mode: OperationMode;
  hourlyRate: Yen;
  /** Durations are rounded up to whole units of this many minutes. */
  billingUnitMinutes: number;
  minimumCharge: Yen;
}

/** The billing unit when a fee rate sets none: durations are billed in whole hours. */
export const DEFAULT_BILLING_UNIT_MINUTES = 60;

/** One explained line of a quote. */
export interface FeeLine {
  label: string;
  amount: Yen;
}

/** What a booking of a given length costs a given user category in a given mode. */
export interface FeeQuote {
  userCategory: UserCategory;
  mode: OperationMode;
  billableMinutes: number;
  amount: Yen;
  lines: FeeLine[];
}

/**
 * The rate for `(category, mode)`, or `NOT_OFFERED` when the schedule has none: a missing rate means
 * that combination is not offered.
 */
export function findRate(schedule: readonly FeeRate[], category: UserCategory, mode: OperationMode): FeeRate {
  const rate = schedule.find((r) => r.userCategory === category && r.mode === mode);
  if (!rate) {
    throw new DomainError(ErrorCode.NOT_OFFERED, `${mode} use is not offered to ${category} users`, 'input.mode');
  }
  return rate;
}

/**
 * Prices a booking: billable minutes are the duration rounded up to whole billing units; the amount is
 * `ceil(rate × billable minutes / 60)`, raised to the minimum charge.
 */
export function quoteFee(
  schedule: readonly FeeRate[],
  category: UserCategory,
  mode: OperationMode,
  durationMinutes: number,
): FeeQuote {
  if (!Number.isSafeInteger(durationMinutes) || durationMinutes <= 0) {
    throw errors.badInput('input.end', 'A booking must last a whole, positive number of minutes');
  }
  const rate = findRate(schedule, category, mode);
  const units = ceilDiv(durationMinutes, rate.billingUnitMinutes);
  const billableMinutes = units * rate.billingUnitMinutes;
  const usage = hourlyCharge(rate.hourlyRate, billableMinutes);
  const lines: FeeLine[] = [
    {
      label: `${units} × ${rate.billingUnitMinutes} min at ¥${rate.hourlyRate.toLocaleString('en-US')}/h (${category}, ${mode})`,
      amount: usage,
    },
  ];
  if (usage < rate.minimumCharge) {
    lines.push({ label: `Minimum charge ¥${rate.minimumCharge.toLocaleString('en-US')}`, amount: rate.minimumCharge - usage });
  }
  return { userCategory: category, mode, billableMinutes, amount: Math.max(usage, rate.minimumCharge), lines };
}

/**
 * `ceil(hourlyRate × minutes / 60)`, split so that no intermediate product leaves the safe-integer range:
 * a rate above ¥150 billion per hour times 60 minutes would otherwise lose precision.
 */
function hourlyCharge(hourlyRate: Yen, minutes: number): Yen {
  const remainder = hourlyRate % 60;
  const amount = ((hourlyRate - remainder) / 60) * minutes + ceilDiv(remainder * minutes, 60);
  if (!Number.isSafeInteger(amount)) {
    throw errors.limitExceeded('The fee is too large to compute exactly', 'input.end');
  }
  return amount;
}

/**
 * Checks a whole fee schedule before it is stored: whole non-negative yen, a billing unit of 1–1440
 * minutes, and at most one rate per `(category, mode)`. Throws `BAD_USER_INPUT` naming the first bad line.
 */
export function validateFeeSchedule(schedule: readonly FeeRate[], field = 'fees'): void {
  const seen = new Set<string>();
  schedule.forEach((rate, i) => {
    const at = `${field}[${i}]`;
    if (!USER_CATEGORIES.includes(rate.userCategory)) throw errors.badInput(`${at}.userCategory`, 'Unknown user category');
    if (!OPERATION_MODES.includes(rate.mode)) throw errors.badInput(`${at}.mode`, 'Unknown operation mode');
    if (!isYen(rate.hourlyRate)) throw errors.badInput(`${at}.hourlyRate`, 'hourlyRate must be whole, non-negative yen');
    if (!isYen(rate.minimumCharge)) throw errors.badInput(`${at}.minimumCharge`, 'minimumCharge must be whole, non-negative yen');
    if (!Number.isInteger(rate.billingUnitMinutes) || rate.billingUnitMinutes < 1 || rate.billingUnitMinutes > 1440) {
      throw errors.badInput(`${at}.billingUnitMinutes`, 'billingUnitMinutes must be a whole number from 1 to 1440');
    }
    const key = `${rate.userCategory}/${rate.mode}`;
    if (seen.has(key)) throw errors.badInput(at, `The schedule has two rates for ${key}`);
    seen.add(key);
  });
}
