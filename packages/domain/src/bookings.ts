import { cancellationFee, type CancellationPolicy } from './cancellation';
import { DomainError, ErrorCode, errors } from './errors';
import type { OperationMode, UserCategory } from './fees';
import { checkTextCharacters } from './input-text';
import type { Yen } from './money';
import {
  BOOKING_MIN_MINUTES,
  isWithinOpenHours,
  TOKYO_OFFSET_MINUTES,
  tokyoDateOf,
  type OpenHoursRule,
  type TimeRange,
} from './time';

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

/**
 * Booking (or waiting for) an instrument that is for its institution's members only is `NOT_SHARED` for anyone
 * from outside (`category` other than INTERNAL).
 */
export function checkSharedWith(category: UserCategory, sharedExternally: boolean): void {
  if (category !== 'INTERNAL' && !sharedExternally) {
    throw new DomainError(
      ErrorCode.NOT_SHARED,
      'This instrument is for members of its institution only (not shared externally)',
      'input.instrumentId',
    );
  }
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

/** The statuses that hold a slot (the database's exclusion constraint covers exactly these). */
export const ACTIVE_BOOKING_STATUSES: readonly BookingStatus[] = ['PENDING', 'CONFIRMED'];

/** Longest cancellation reason or decision note. */
export const MAX_NOTE_LENGTH = 2000;

/**
 * Trimmed text, or null when empty; `BAD_USER_INPUT` naming `field` past `max` characters or holding characters
 * no text may hold (`checkTextCharacters`; tabs and line breaks are fine).
 */
export function optionalNote(value: string | null | undefined, field: string, max = MAX_NOTE_LENGTH): string | null {
  const text = value?.trim() ?? '';
  if ([...text].length > max) throw errors.badInput(field, `${field} is longer than ${max} characters`);
  checkTextCharacters(text, field);
  return text.length > 0 ? text : null;
}

/** The free texts of a booking request, checked and trimmed. */
export interface BookingTexts {
  purpose: string;
  fundingSource: string | null;
}

/**
 * Checks the texts of a booking request: a purpose of 1–2000 characters and an optional funding source of
 * at most 200 (both trimmed; an empty funding source is none). Errors name `${field}.purpose` or
 * `${field}.fundingSource`.
 */
export function checkBookingTexts(input: { purpose: string; fundingSource?: string | null }, field = 'input'): BookingTexts {
  const purpose = optionalNote(input.purpose, `${field}.purpose`, MAX_PURPOSE_LENGTH);
  if (purpose === null) throw errors.badInput(`${field}.purpose`, 'Say what the booking is for');
  return {
    purpose,
    fundingSource: optionalNote(input.fundingSource, `${field}.fundingSource`, MAX_FUNDING_SOURCE_LENGTH),
  };
}

/**
 * Checks an idempotency key: 1–200 characters, none that no text may hold (`checkTextCharacters`: a key with a
 * lone surrogate would be stored as another key's U+FFFD), taken as given (not trimmed).
 */
export function checkIdempotencyKey(key: string, field = 'idempotencyKey'): string {
  const length = [...key].length;
  if (length < 1 || length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw errors.badInput(field, `${field} must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  }
  checkTextCharacters(key, field);
  return key;
}

/** What makes two create requests "the same input" for idempotency. */
export interface BookingRequest extends BookingTexts {
  instrumentId: number;
  start: Date;
  end: Date;
  mode: OperationMode;
}

/**
 * The canonical text of a create request, which the service hashes (SHA-256) and stores with the booking:
 * fixed key order, times as ISO UTC, texts as stored (trimmed, empty funding source → null). Two requests
 * with the same text are retries of one another whatever offsets or spacing the client wrote.
 */
export function canonicalBookingRequest(request: BookingRequest): string {
  return JSON.stringify([
    'booking/v1',
    request.instrumentId,
    request.start.toISOString(),
    request.end.toISOString(),
    request.mode,
    request.purpose,
    request.fundingSource,
  ]);
}

/** A qualification as the rules see it. */
export interface QualificationState {
  /** Last valid day (Asia/Tokyo), inclusive; null: no expiry. */
  expiresOn: string | null;
  revokedAt: Date | null;
}

/** True when the qualification is not revoked and has not expired by `day` (a Tokyo `YYYY-MM-DD`). */
export function isQualificationValidOn(qualification: QualificationState | null, day: string): boolean {
  if (!qualification || qualification.revokedAt) return false;
  return qualification.expiresOn === null || qualification.expiresOn >= day;
}

/**
 * Whether a `SELF` booking starting at `start` is allowed by the qualification: it must be valid on the
 * Tokyo day the booking starts (a qualification that lapses mid-booking, at midnight, still covers it).
 * `ASSISTED` and `DELEGATED` need none. Throws `QUALIFICATION_REQUIRED` naming `input.mode`.
 */
export function checkQualification(
  required: boolean,
  mode: OperationMode,
  qualification: QualificationState | null,
  start: Date,
): void {
  if (!required || mode !== 'SELF') return;
  if (!isQualificationValidOn(qualification, tokyoDateOf(start))) {
    throw new DomainError(
      ErrorCode.QUALIFICATION_REQUIRED,
      `SELF use of this instrument needs a qualification valid on ${tokyoDateOf(start)}; book ASSISTED or DELEGATED use, or ask the facility office`,
      'input.mode',
    );
  }
}

/** Checks the expiry of a new grant: today (Tokyo) or later, or none. */
export function checkQualificationExpiry(expiresOn: string | null, today: string, field = 'expiresOn'): void {
  if (expiresOn !== null && expiresOn < today) {
    throw errors.badInput(field, `${field} is in the past (today is ${today} in Tokyo)`);
  }
}

/** A booking as the lifecycle rules see it. */
export interface BookingLifecycleState {
  status: BookingStatus;
  start: Date;
}

function wrongStatus(booking: BookingLifecycleState, expected: string): DomainError {
  return errors.badInput('id', `The booking is ${booking.status}; only a ${expected} booking can be changed this way`);
}

/** A booking may be cancelled while `PENDING` or `CONFIRMED` and before it starts (field `id`). */
export function checkCancellable(booking: BookingLifecycleState, now: Date): void {
  if (!ACTIVE_BOOKING_STATUSES.includes(booking.status)) throw wrongStatus(booking, 'PENDING or CONFIRMED');
  if (now.getTime() >= booking.start.getTime()) throw errors.badInput('id', 'The booking has started and cannot be cancelled');
}

/**
 * What a cancellation costs (DOMAIN.md, "Booking rules"): nothing when the facility office cancels, nothing
 * for a `PENDING` booking (the office never confirmed it), otherwise `cancellationFee` under the instrument's
 * policy. Checks that the booking may be cancelled first.
 */
export function cancellationCharge(
  booking: BookingLifecycleState & { fee: Yen },
  byRequester: boolean,
  policy: Readonly<CancellationPolicy>,
  now: Date,
): Yen {
  checkCancellable(booking, now);
  if (!byRequester || booking.status === 'PENDING') return 0;
  return cancellationFee(booking.fee, booking.start, now, policy);
}

/** A decision is taken on a `PENDING` booking; approving one that has started is refused (field `id`). */
export function checkDecision(booking: BookingLifecycleState, approve: boolean, now: Date): void {
  if (booking.status !== 'PENDING') throw wrongStatus(booking, 'PENDING');
  if (approve && now.getTime() >= booking.start.getTime()) {
    throw errors.badInput('id', 'The booking has started; it can only be rejected now');
  }
}

/** An outcome is recorded for a `CONFIRMED` booking that has started (field `id`). */
export function checkOutcome(booking: BookingLifecycleState, now: Date): void {
  if (booking.status !== 'CONFIRMED') throw wrongStatus(booking, 'CONFIRMED');
  if (now.getTime() < booking.start.getTime()) {
    throw errors.badInput('id', 'The booking has not started yet; record its outcome once it has');
  }
}

const MONTH = /^(?<year>\d{4})-(?<month>0[1-9]|1[0-2])$/;

/** A calendar month `YYYY-MM` in Asia/Tokyo as a range of instants; `BAD_USER_INPUT` naming `field` otherwise. */
export function tokyoMonthRange(month: string, field = 'month'): TimeRange {
  const parts = MONTH.exec(month)?.groups;
  if (!parts) throw errors.badInput(field, `${field} must be a month written YYYY-MM`);
  const year = Number(parts.year);
  const index = Number(parts.month) - 1;
  const startOf = (y: number, m: number) => new Date(0).setUTCFullYear(y, m, 1) - TOKYO_OFFSET_MINUTES * 60_000;
  return { start: new Date(startOf(year, index)), end: new Date(startOf(year, index + 1)) };
}

/**
 * What a booking puts on a usage statement: the fee for `COMPLETED` and `NO_SHOW` (charged in full), the
 * cancellation fee for a cancellation that cost something; null when nothing is charged.
 */
export function chargedAmount(booking: { status: BookingStatus; fee: Yen; cancellationFee: Yen | null }): Yen | null {
  if (booking.status === 'COMPLETED' || booking.status === 'NO_SHOW') return booking.fee;
  if (booking.status === 'CANCELLED' && (booking.cancellationFee ?? 0) > 0) return booking.cancellationFee;
  return null;
}

/** What grouping a usage statement needs of each charged line. */
export interface UsageLineKey {
  requesterOrganization: string;
  requesterInstitution: string | null;
  fundingSource: string | null;
  start: Date;
  bookingId: number;
  amount: Yen;
}

/** The charged lines of one requesting organisation, institution and funding source. */
export interface UsageGroup<L extends UsageLineKey> {
  requesterOrganization: string;
  requesterInstitution: string | null;
  fundingSource: string | null;
  bookings: number;
  amount: Yen;
  lines: L[];
}

/** Code-point order with nulls last, so statements read the same under any database collation. */
function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/**
 * Groups charged lines by (organisation, institution, funding source): groups ordered by organisation,
 * then funding source (none last), then institution; lines by start, then booking id; amounts summed in
 * whole yen.
 */
export function groupUsage<L extends UsageLineKey>(lines: readonly L[]): { groups: UsageGroup<L>[]; total: Yen } {
  const byKey = new Map<string, UsageGroup<L>>();
  for (const line of lines) {
    const key = JSON.stringify([line.requesterOrganization, line.requesterInstitution, line.fundingSource]);
    const group = byKey.get(key) ?? {
      requesterOrganization: line.requesterOrganization,
      requesterInstitution: line.requesterInstitution,
      fundingSource: line.fundingSource,
      bookings: 0,
      amount: 0,
      lines: [],
    };
    group.lines.push(line);
    group.bookings += 1;
    group.amount += line.amount;
    byKey.set(key, group);
  }
  const groups = [...byKey.values()].sort(
    (a, b) =>
      compareText(a.requesterOrganization, b.requesterOrganization) ||
      compareText(a.fundingSource, b.fundingSource) ||
      compareText(a.requesterInstitution, b.requesterInstitution),
  );
  for (const group of groups) {
    group.lines.sort((a, b) => a.start.getTime() - b.start.getTime() || a.bookingId - b.bookingId);
  }
  const total = groups.reduce((sum, g) => sum + g.amount, 0);
  if (!Number.isSafeInteger(total)) throw errors.limitExceeded('The statement total is too large to add up exactly', 'month');
  return { groups, total };
}
