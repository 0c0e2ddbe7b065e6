import { checkBookingPeriod, type BookingLimits } from './bookings';
import { DomainError, ErrorCode, errors } from './errors';
import type { TimeRange } from './time';

/** Why a waitlist entry stopped waiting. */
export const WAITLIST_END_REASONS = ['LEFT', 'STARTED', 'BOOKED'] as const;
export type WaitlistEndReason = (typeof WAITLIST_END_REASONS)[number];

/**
 * Checks a period to wait for: one that has started (or starts now) is refused first, with its own message
 * (waiting ends when the period starts, so there is nothing to wait for); otherwise the period must be one
 * the instrument could be booked for (`checkBookingPeriod`: whole minutes, 15 minutes to the instrument's
 * maximum, inside open hours), since waiting ends in a booking. Errors name `${field}.start` or `${field}.end`.
 */
export function checkWaitPeriod(period: TimeRange, limits: BookingLimits, now: Date, field = 'input'): void {
  if (period.start.getTime() <= now.getTime()) {
    throw errors.badInput(`${field}.start`, 'This period has started: waiting for it ends when it starts');
  }
  checkBookingPeriod(period, limits, now, field);
}

/** What holds a period someone asks to wait for, as the owner's database says under the instrument lock. */
export interface PeriodHolders {
  /** Requesters of the active (PENDING, CONFIRMED) bookings overlapping the period. */
  bookedBy: readonly string[];
  /** True when a closure (maintenance blackout) overlaps the period: no cancellation frees that. */
  closed: boolean;
}

/**
 * Whether `subject` may wait for a period held as `holders` says. Waiting is for a period that a
 * cancellation or a rejection could free:
 * - a closure overlaps it: `BAD_USER_INPUT` (no cancellation ends a closure);
 * - nothing holds any of it: `SLOT_AVAILABLE` — book it instead;
 * - only the caller's own bookings hold it: `BAD_USER_INPUT` (they would wait for themselves).
 * Errors name `${field}.start`.
 */
export function checkWaitable(holders: PeriodHolders, subject: string, field = 'input'): void {
  if (holders.closed) {
    throw errors.badInput(
      `${field}.start`,
      'The instrument is closed for part of this period (maintenance); no cancellation frees it, so there is nothing to wait for',
    );
  }
  if (holders.bookedBy.length === 0) {
    throw new DomainError(ErrorCode.SLOT_AVAILABLE, 'This period is free: book it instead of waiting for it', `${field}.start`);
  }
  if (holders.bookedBy.every((requester) => requester === subject)) {
    throw errors.badInput(`${field}.start`, 'You hold this period yourself; there is nobody else to wait for');
  }
}
