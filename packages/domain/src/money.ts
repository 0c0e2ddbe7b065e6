import { errors } from './errors';

/** Whole yen. Stored and computed as safe integers, never as floating point. */
export type Yen = number;

/** True when `value` is a whole, non-negative number of yen that JSON can carry exactly. */
export function isYen(value: unknown): value is Yen {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Returns `value` as yen, or throws `BAD_USER_INPUT` naming `field`. */
export function toYen(value: unknown, field: string): Yen {
  if (!isYen(value)) throw errors.badInput(field, `${field} must be a whole, non-negative number of yen`);
  return value;
}

/** `ceil(numerator / denominator)` for non-negative safe integers, exact (no floating-point division). */
export function ceilDiv(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || numerator < 0 || denominator <= 0) {
    throw new RangeError(`ceilDiv needs non-negative safe integers and a positive denominator: ${numerator}/${denominator}`);
  }
  // Float division can be off by one for large operands; settle it with exact integer products.
  let floor = Math.floor(numerator / denominator);
  while (floor * denominator > numerator) floor -= 1;
  while ((floor + 1) * denominator <= numerator) floor += 1;
  return floor * denominator === numerator ? floor : floor + 1;
}

/** Formats yen for people: `¥12,345`. */
export function formatYen(amount: Yen): string {
  return `¥${amount.toLocaleString('en-US')}`;
}
