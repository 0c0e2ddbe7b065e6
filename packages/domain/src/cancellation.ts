import { DomainError, ErrorCode, errors } from './errors';
import { ceilDiv, toYen, type Yen } from './money';

const HOUR_MS = 3_600_000;

/** When cancelling a booking costs something, and how much. */
export interface CancellationPolicy {
  /** Cancelling at least this many hours before the start is free. */
  freeUntilHours: number;
  /** The share of the booked fee charged for a later cancellation, in whole percent (0–100). */
  lateFeePercent: number;
}

/** Free until 48 hours before the start; later, half the booked fee. */
export const DEFAULT_CANCELLATION_POLICY: Readonly<CancellationPolicy> = Object.freeze({
  freeUntilHours: 48,
  lateFeePercent: 50,
});

/**
 * Checks a cancellation policy before it is stored: a finite, non-negative number of hours and a whole
 * percentage from 0 to 100. Throws `BAD_USER_INPUT` naming the bad setting.
 */
export function validateCancellationPolicy(policy: Readonly<CancellationPolicy>, field = 'cancellationPolicy'): void {
  if (!Number.isFinite(policy.freeUntilHours) || policy.freeUntilHours < 0) {
    throw errors.badInput(`${field}.freeUntilHours`, 'freeUntilHours must be a non-negative number of hours');
  }
  if (!Number.isInteger(policy.lateFeePercent) || policy.lateFeePercent < 0 || policy.lateFeePercent > 100) {
    throw errors.badInput(`${field}.lateFeePercent`, 'lateFeePercent must be a whole percentage from 0 to 100');
  }
}

/**
 * What cancelling a booking at `now` costs: nothing while `now` is at least `freeUntilHours` before `start`
 * (exactly on the limit is still free); later, `lateFeePercent` of the booked fee rounded up to the yen.
 * Throws `BAD_USER_INPUT` (field `id`) once the booking has started.
 */
export function cancellationFee(
  bookedFee: Yen,
  start: Date,
  now: Date,
  policy: Readonly<CancellationPolicy> = DEFAULT_CANCELLATION_POLICY,
): Yen {
  const fee = toYen(bookedFee, 'bookedFee');
  validateCancellationPolicy(policy);
  if (Number.isNaN(start.getTime()) || Number.isNaN(now.getTime())) throw new RangeError('Invalid Date');
  if (now.getTime() >= start.getTime()) {
    throw new DomainError(ErrorCode.BAD_USER_INPUT, 'A booking cannot be cancelled after it has started', 'id');
  }
  const freeUntil = start.getTime() - policy.freeUntilHours * HOUR_MS;
  return now.getTime() <= freeUntil ? 0 : percentRoundedUp(fee, policy.lateFeePercent);
}

/** `ceil(amount × percent / 100)`, split so that no intermediate product leaves the safe-integer range. */
function percentRoundedUp(amount: Yen, percent: number): Yen {
  const remainder = amount % 100;
  const hundreds = (amount - remainder) / 100;
  return hundreds * percent + ceilDiv(remainder * percent, 100);
}
