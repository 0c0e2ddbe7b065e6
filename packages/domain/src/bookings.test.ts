import { describe, expect, it } from 'vitest';
import {
  cancellationCharge,
  canonicalBookingRequest,
  chargedAmount,
  checkBookingPeriod,
  checkBookingTexts,
  checkCancellable,
  checkDecision,
  checkIdempotencyKey,
  checkOutcome,
  checkQualification,
  checkQualificationExpiry,
  groupUsage,
  isQualificationValidOn,
  tokyoMonthRange,
  userCategoryOf,
  type BookingRequest,
  type UsageLineKey,
} from './bookings';
import { DEFAULT_CANCELLATION_POLICY } from './cancellation';
import { DomainError, ErrorCode } from './errors';
import { DEFAULT_OPEN_HOURS } from './time';

/** The code and field of the DomainError `fn` throws. */
function failure(fn: () => unknown): { code: string; field: string | undefined } {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, field: error.field };
    throw error;
  }
  throw new Error('expected a DomainError');
}

const tokyo = (local: string) => new Date(`${local}+09:00`);
// 2030-01-07 is a Monday.
const now = tokyo('2030-01-06T12:00:00');
const limits = { openHours: DEFAULT_OPEN_HOURS, maxBookingMinutes: 480 };
const period = (start: string, end: string) => ({ start: tokyo(start), end: tokyo(end) });

describe('userCategoryOf', () => {
  it('is INTERNAL for a member of the owning institution, whatever the affiliation', () => {
    expect(userCategoryOf({ institution: 'tohoku-u', affiliation: 'industry' }, 'tohoku-u')).toBe('INTERNAL');
  });

  it('is ACADEMIC for a member of another institution and INDUSTRY for a company', () => {
    expect(userCategoryOf({ institution: 'kyoto-u', affiliation: 'academic' }, 'tohoku-u')).toBe('ACADEMIC');
    expect(userCategoryOf({ institution: null, affiliation: 'industry' }, 'tohoku-u')).toBe('INDUSTRY');
  });
});

describe('checkBookingPeriod', () => {
  it('accepts 90 minutes inside Monday open hours', () => {
    expect(() => checkBookingPeriod(period('2030-01-07T10:00:00', '2030-01-07T11:30:00'), limits, now)).not.toThrow();
  });

  it.each([
    ['seconds in the start', '2030-01-07T10:00:30', '2030-01-07T11:00:00', 'input.start'],
    ['seconds in the end', '2030-01-07T10:00:00', '2030-01-07T11:00:30', 'input.end'],
    ['an end before the start', '2030-01-07T11:00:00', '2030-01-07T10:00:00', 'input.end'],
    ['zero duration', '2030-01-07T10:00:00', '2030-01-07T10:00:00', 'input.end'],
    ['14 minutes', '2030-01-07T10:00:00', '2030-01-07T10:14:00', 'input.end'],
    ['more than the maximum', '2030-01-07T09:00:00', '2030-01-07T17:01:00', 'input.end'],
    ['a start in the past', '2030-01-06T10:00:00', '2030-01-06T11:00:00', 'input.start'],
    ['a period past closing time', '2030-01-07T17:00:00', '2030-01-07T18:15:00', 'input.start'],
  ])('refuses %s, naming %s', (_name, start, end, field) => {
    expect(failure(() => checkBookingPeriod(period(start, end), limits, now))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field });
  });
});

describe('checkBookingTexts and checkIdempotencyKey', () => {
  it('trims the texts and treats an empty funding source as none', () => {
    expect(checkBookingTexts({ purpose: '  NMR測定 ', fundingSource: '  ' })).toEqual({
      purpose: 'NMR測定',
      fundingSource: null,
    });
  });

  it('needs a purpose of at most 2000 characters and a funding source of at most 200', () => {
    expect(failure(() => checkBookingTexts({ purpose: ' ' })).field).toBe('input.purpose');
    expect(failure(() => checkBookingTexts({ purpose: 'x'.repeat(2001) })).field).toBe('input.purpose');
    expect(checkBookingTexts({ purpose: '測'.repeat(2000) }).purpose).toHaveLength(2000);
    expect(failure(() => checkBookingTexts({ purpose: 'x', fundingSource: 'J'.repeat(201) })).field).toBe('input.fundingSource');
  });

  it('takes keys of 1 to 200 characters as given', () => {
    expect(checkIdempotencyKey(' a ')).toBe(' a ');
    expect(failure(() => checkIdempotencyKey(''))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'idempotencyKey' });
    expect(failure(() => checkIdempotencyKey('k'.repeat(201))).field).toBe('idempotencyKey');
  });
});

describe('canonicalBookingRequest', () => {
  const request: BookingRequest = {
    instrumentId: 7,
    start: new Date('2030-01-07T01:00:00Z'),
    end: new Date('2030-01-07T02:00:00Z'),
    mode: 'SELF',
    purpose: 'NMR',
    fundingSource: null,
  };

  it('is the same for the same instants written with other offsets', () => {
    const same = { ...request, start: tokyo('2030-01-07T10:00:00'), end: tokyo('2030-01-07T11:00:00') };
    expect(canonicalBookingRequest(same)).toBe(canonicalBookingRequest(request));
  });

  it('differs when any part differs', () => {
    const variants: Partial<BookingRequest>[] = [
      { instrumentId: 8 },
      { start: new Date('2030-01-07T00:45:00Z') },
      { end: new Date('2030-01-07T02:15:00Z') },
      { mode: 'ASSISTED' },
      { purpose: 'NMR ' },
      { fundingSource: 'JP23H01234' },
    ];
    const texts = new Set(variants.map((v) => canonicalBookingRequest({ ...request, ...v })));
    expect(texts.size).toBe(variants.length);
    expect(texts.has(canonicalBookingRequest(request))).toBe(false);
  });
});

describe('qualifications', () => {
  it('are valid through their last day and never after revocation', () => {
    expect(isQualificationValidOn({ expiresOn: '2030-01-07', revokedAt: null }, '2030-01-07')).toBe(true);
    expect(isQualificationValidOn({ expiresOn: '2030-01-06', revokedAt: null }, '2030-01-07')).toBe(false);
    expect(isQualificationValidOn({ expiresOn: null, revokedAt: null }, '2099-12-31')).toBe(true);
    expect(isQualificationValidOn({ expiresOn: null, revokedAt: new Date() }, '2030-01-07')).toBe(false);
    expect(isQualificationValidOn(null, '2030-01-07')).toBe(false);
  });

  it('are checked on the Tokyo day the booking starts, for SELF use only', () => {
    const start = new Date('2030-01-06T15:30:00Z'); // 2030-01-07 00:30 in Tokyo
    const lapsedDayBefore = { expiresOn: '2030-01-06', revokedAt: null };
    expect(failure(() => checkQualification(true, 'SELF', lapsedDayBefore, start))).toEqual({
      code: ErrorCode.QUALIFICATION_REQUIRED,
      field: 'input.mode',
    });
    expect(() => checkQualification(true, 'SELF', { expiresOn: '2030-01-07', revokedAt: null }, start)).not.toThrow();
    expect(() => checkQualification(true, 'ASSISTED', null, start)).not.toThrow();
    expect(() => checkQualification(false, 'SELF', null, start)).not.toThrow();
  });

  it('cannot be granted with an expiry before today', () => {
    expect(() => checkQualificationExpiry('2030-01-07', '2030-01-07')).not.toThrow();
    expect(() => checkQualificationExpiry(null, '2030-01-07')).not.toThrow();
    expect(failure(() => checkQualificationExpiry('2030-01-06', '2030-01-07'))).toEqual({
      code: ErrorCode.BAD_USER_INPUT,
      field: 'expiresOn',
    });
  });
});

describe('booking lifecycle', () => {
  const start = tokyo('2030-01-10T10:00:00');
  const confirmed = { status: 'CONFIRMED' as const, start, fee: 4_501 };
  const hoursBefore = (h: number) => new Date(start.getTime() - h * 3_600_000);

  it('charges the requester nothing 48 hours ahead and half the fee, rounded up, later', () => {
    expect(cancellationCharge(confirmed, true, DEFAULT_CANCELLATION_POLICY, hoursBefore(48))).toBe(0);
    expect(cancellationCharge(confirmed, true, DEFAULT_CANCELLATION_POLICY, hoursBefore(47))).toBe(2_251);
  });

  it('charges nothing when the office cancels, or when the booking was still PENDING', () => {
    expect(cancellationCharge(confirmed, false, DEFAULT_CANCELLATION_POLICY, hoursBefore(1))).toBe(0);
    expect(cancellationCharge({ ...confirmed, status: 'PENDING' }, true, DEFAULT_CANCELLATION_POLICY, hoursBefore(1))).toBe(0);
  });

  it('follows the instrument policy', () => {
    expect(cancellationCharge(confirmed, true, { freeUntilHours: 0, lateFeePercent: 100 }, hoursBefore(1))).toBe(0);
    expect(cancellationCharge(confirmed, true, { freeUntilHours: 72, lateFeePercent: 100 }, hoursBefore(71))).toBe(4_501);
  });

  it('refuses to cancel after the start or in a final status, naming id', () => {
    expect(failure(() => checkCancellable(confirmed, start))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'id' });
    for (const status of ['REJECTED', 'CANCELLED', 'COMPLETED', 'NO_SHOW'] as const) {
      expect(failure(() => checkCancellable({ status, start }, hoursBefore(100))).field).toBe('id');
    }
  });

  it('decides only PENDING bookings and approves only before the start', () => {
    const pending = { status: 'PENDING' as const, start };
    expect(() => checkDecision(pending, true, hoursBefore(1))).not.toThrow();
    expect(failure(() => checkDecision(pending, true, start)).field).toBe('id');
    expect(() => checkDecision(pending, false, start)).not.toThrow();
    expect(failure(() => checkDecision(confirmed, false, hoursBefore(1))).field).toBe('id');
  });

  it('records outcomes only for CONFIRMED bookings that have started', () => {
    expect(() => checkOutcome(confirmed, start)).not.toThrow();
    expect(failure(() => checkOutcome(confirmed, hoursBefore(1))).field).toBe('id');
    expect(failure(() => checkOutcome({ status: 'PENDING', start }, start)).field).toBe('id');
  });
});

describe('usage statements', () => {
  it('span a Tokyo calendar month', () => {
    expect(tokyoMonthRange('2030-01')).toEqual({
      start: new Date('2029-12-31T15:00:00Z'),
      end: new Date('2030-01-31T15:00:00Z'),
    });
    expect(tokyoMonthRange('2030-12').end).toEqual(new Date('2030-12-31T15:00:00Z'));
  });

  it.each(['2030-1', '2030-13', '2030-00', '30-01', '2030-01-01', ''])('refuse the month "%s"', (month) => {
    expect(failure(() => tokyoMonthRange(month))).toEqual({ code: ErrorCode.BAD_USER_INPUT, field: 'month' });
  });

  it('charge the fee for COMPLETED and NO_SHOW and a late cancellation fee, nothing else', () => {
    expect(chargedAmount({ status: 'COMPLETED', fee: 100, cancellationFee: null })).toBe(100);
    expect(chargedAmount({ status: 'NO_SHOW', fee: 100, cancellationFee: null })).toBe(100);
    expect(chargedAmount({ status: 'CANCELLED', fee: 100, cancellationFee: 50 })).toBe(50);
    expect(chargedAmount({ status: 'CANCELLED', fee: 100, cancellationFee: 0 })).toBeNull();
    expect(chargedAmount({ status: 'CONFIRMED', fee: 100, cancellationFee: null })).toBeNull();
  });

  it('group by organisation, funding source (none last) and institution, lines by start', () => {
    let id = 0;
    const line = (org: string, fund: string | null, day: number, amount: number, inst: string | null = null): UsageLineKey => ({
      requesterOrganization: org,
      requesterInstitution: inst,
      fundingSource: fund,
      start: new Date(Date.UTC(2030, 0, day)),
      bookingId: ++id,
      amount,
    });
    const { groups, total } = groupUsage([
      line('東北大学', null, 3, 100),
      line('京都大学', 'B', 2, 10),
      line('東北大学', 'A', 9, 1),
      line('京都大学', 'B', 1, 20),
      line('京都大学', 'A', 5, 5),
      line('東北大学', null, 1, 1000),
    ]);
    expect(groups.map((g) => [g.requesterOrganization, g.fundingSource, g.bookings, g.amount])).toEqual([
      ['京都大学', 'A', 1, 5],
      ['京都大学', 'B', 2, 30],
      ['東北大学', 'A', 1, 1],
      ['東北大学', null, 2, 1100],
    ]);
    expect(groups[1]!.lines.map((l) => l.start.getUTCDate())).toEqual([1, 2]);
    expect(total).toBe(1136);
  });
});
