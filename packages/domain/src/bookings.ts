import { errors } from './errors';
import type { UserCategory } from './fees';
import { BOOKING_MIN_MINUTES, isWithinOpenHours, type OpenHoursRule, type TimeRange } from './time';

/** The states of a booking. `PENDING` and `CONFIRMED` hold their slot. */
export const BOOKING_STATUSES = ['PENDING', 'CONFIRMED', 'REJECTED', 'CANCELLED', 'COMPLETED', 'NO_SHOW'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

/** What a facility office records for a booking that has started. */
export type BookingOutcome = 'COMPLETED' | 'NO_SHOW';

/** Longest purpose text of a booking. */
export const MAX_PURPOSE_LENGTH = 2000;
/** Longest funding-source text (a grant number, e.g. `KAKENHI JP23H01234`). */
export const MAX_FUNDING_SOURCE_LENGTH = 200;
/** Longest idempotency key. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/**
 * The requester's category for an instrument of `owner` (CONTRACT.md): `INTERNAL` for a member of the
 * owning institution, `INDUSTRY` for a company affiliation, `ACADEMIC` otherwise.
 */
export function userCategoryOf(
  requester: { institution: string | null; affiliation: 'academic' | 'industry' },
  owner: string,
): UserCategory {
  if (requester.institution === owner) return 'INTERNAL';
  return requester.affiliation === 'industry' ? 'INDUSTRY' : 'ACADEMIC';
}

/** What the booking rules need to know of an instrument. */
export interface BookingLimits {
  openHours: readonly OpenHoursRule[];
  /** Longest booking in minutes. */
  maxBookingMinutes: number;
}

/**
 * Checks the period of a booking against the rules (DOMAIN.md, "Booking rules"), naming the input field at
 * fault: whole minutes, `end` after `start`, from 15 minutes to the instrument's maximum, starting after
 * `now`, and inside one continuous stretch of open hours. Availability (other bookings, blackouts) is not
 * checked here.
 */
export function checkBookingPeriod(period: TimeRange, limits: BookingLimits, now: Date, field = 'input'): void {
  const { start, end } = period;
  if (start.getTime() % 60_000 !== 0) throw errors.badInput(`${field}.start`, 'A booking starts on a whole minute');
  if (end.getTime() % 60_000 !== 0) throw errors.badInput(`${field}.end`, 'A booking ends on a whole minute');
  if (end.getTime() <= start.getTime()) throw errors.badInput(`${field}.end`, 'The end must be after the start');
  const minutes = (end.getTime() - start.getTime()) / 60_000;
  if (minutes < BOOKING_MIN_MINUTES) {
    throw errors.badInput(`${field}.end`, `A booking lasts at least ${BOOKING_MIN_MINUTES} minutes`);
  }
  if (minutes > limits.maxBookingMinutes) {
    throw errors.badInput(
      `${field}.end`,
      `This instrument can be booked for at most ${limits.maxBookingMinutes} minutes at a time`,
    );
  }
  if (start.getTime() <= now.getTime()) throw errors.badInput(`${field}.start`, 'A booking must start in the future');
  if (!isWithinOpenHours(limits.openHours, period)) {
    throw errors.badInput(`${field}.start`, 'The instrument is not open for the whole period (see its open hours)');
  }
}
