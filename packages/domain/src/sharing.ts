import type { BookingStatus } from './bookings';
import { errors } from './errors';
import {
  durationMinutes,
  fiscalYearOf,
  fiscalYearRange,
  openRanges,
  parseDateTime,
  subtractRanges,
  type OpenHoursRule,
  type TimeRange,
} from './time';

/**
 * The sharing report's rules (DOMAIN.md, "Sharing report"): which instruments it covers, which period, which
 * bookings count as use, and how an institution's figures add up to the nation's rates.
 */

/**
 * Bookings that held their instrument and so count as booked hours: CONFIRMED, and the outcomes the office
 * records afterwards (COMPLETED, NO_SHOW — a no-show kept the instrument from everyone else). PENDING
 * bookings were never confirmed; REJECTED and CANCELLED ones gave their slot back.
 */
export const HELD_BOOKING_STATUSES: readonly BookingStatus[] = ['CONFIRMED', 'COMPLETED', 'NO_SHOW'];

/** The earliest fiscal year a sharing report covers: Kyoyo holds no record of use before it. */
export const FIRST_REPORT_FISCAL_YEAR = 1990;

/**
 * The period a sharing report of fiscal year `fiscalYear` covers when asked at `now`: the whole fiscal year
 * (April 1 to April 1, 00:00 Tokyo) once it is over, and for the current one April 1 to `now` — the report so
 * far, so that hours still to come neither count as booked nor as open. `BAD_USER_INPUT` on `field` for a
 * fiscal year that has not begun, one before 1990, or anything but a whole year.
 */
export function sharingReportPeriod(fiscalYear: number, now: Date, field = 'fiscalYear'): TimeRange {
  const current = fiscalYearOf(now);
  if (!Number.isInteger(fiscalYear) || fiscalYear < FIRST_REPORT_FISCAL_YEAR) {
    throw errors.badInput(field, `${field} must be a whole fiscal year from ${FIRST_REPORT_FISCAL_YEAR} to ${current}`);
  }
  if (fiscalYear > current) {
    throw errors.badInput(field, `Fiscal year ${fiscalYear} has not begun yet (the current one is ${current})`);
  }
  const year = fiscalYearRange(fiscalYear);
  return { start: year.start, end: year.end.getTime() < now.getTime() ? year.end : now };
}

/**
 * The part of `period` in which an instrument existed: from 00:00 Tokyo of its acquisition day (when known)
 * until it was decommissioned (when it was). Open hours outside its life are not hours it could have been used.
 * Empty (start = end) when the instrument did not exist in the period.
 */
export function lifeWithin(period: TimeRange, acquiredOn: string | null, decommissionedAt: Date | null): TimeRange {
  const acquired = acquiredOn === null ? null : parseDateTime(`${acquiredOn}T00:00:00+09:00`, 'acquiredOn');
  const start = acquired && acquired.getTime() > period.start.getTime() ? acquired : period.start;
  const end = decommissionedAt && decommissionedAt.getTime() < period.end.getTime() ? decommissionedAt : period.end;
  return end.getTime() > start.getTime() ? { start, end } : { start, end: start };
}

/**
 * One instrument's open minutes in `window` under its weekly `rules`, and how many of them bookings held —
 * the terms of `Instrument.utilization`: booked periods are merged first, so overlapping bookings count once,
 * and booked time outside open hours does not count.
 */
export function openAndHeldMinutes(
  rules: readonly OpenHoursRule[],
  window: TimeRange,
  booked: readonly TimeRange[],
): { openMinutes: number; heldMinutes: number } {
  const open = openRanges(rules, window);
  const openMinutes = open.reduce((sum, r) => sum + durationMinutes(r), 0);
  if (openMinutes === 0) return { openMinutes: 0, heldMinutes: 0 };
  const freeMinutes = subtractRanges(open, booked).reduce((sum, r) => sum + durationMinutes(r), 0);
  return { openMinutes, heldMinutes: openMinutes - freeMinutes };
}

/** One covered instrument as a report lays out its use: its life, weekly open hours and held bookings. */
export interface CoveredUse {
  acquiredOn: string | null;
  decommissionedAt: Date | null;
  openHours: readonly OpenHoursRule[];
  /** Periods held by its bookings (`HELD_BOOKING_STATUSES`) that overlap the period; need not be clipped. */
  held: readonly TimeRange[];
}

/**
 * The open hours of `instruments` in `period` (each inside its own life) and the part of them bookings held:
 * a report's `openHours` and `bookedOpenHours`, the same at an owner and in the national catalogue.
 */
export function openAndHeldHours(
  period: TimeRange,
  instruments: Iterable<CoveredUse>,
): { openHours: number; bookedOpenHours: number } {
  let openMinutes = 0;
  let heldMinutes = 0;
  for (const instrument of instruments) {
    const life = lifeWithin(period, instrument.acquiredOn, instrument.decommissionedAt);
    const usage = openAndHeldMinutes(instrument.openHours, life, instrument.held);
    openMinutes += usage.openMinutes;
    heldMinutes += usage.heldMinutes;
  }
  return { openHours: openMinutes / 60, bookedOpenHours: heldMinutes / 60 };
}

/**
 * What one institution contributes to a sharing report. A national report adds these up before it divides,
 * so every rate is a ratio of national sums (never an average of institutions' rates).
 */
export interface SharingTotals {
  /** Covered instruments: acquired for the threshold or more and in existence during the period. */
  instrumentsAtOrAboveThreshold: number;
  /** The covered instruments that are shared externally. */
  sharedAtOrAboveThreshold: number;
  /** Hours of the covered instruments held by bookings (`HELD_BOOKING_STATUSES`) inside the period. */
  bookedHours: number;
  /** The part of `bookedHours` booked by users who are not `INTERNAL`. */
  externalBookedHours: number;
  /** Open hours of the covered instruments inside the period and each one's life. */
  openHours: number;
  /** The part of `openHours` that bookings held. */
  bookedOpenHours: number;
}

/** Totals of nothing: the start of a sum. */
export const NO_SHARING_TOTALS: Readonly<SharingTotals> = Object.freeze({
  instrumentsAtOrAboveThreshold: 0,
  sharedAtOrAboveThreshold: 0,
  bookedHours: 0,
  externalBookedHours: 0,
  openHours: 0,
  bookedOpenHours: 0,
});

/** The totals of several institutions (or none). */
export function sumSharingTotals(parts: readonly SharingTotals[]): SharingTotals {
  return parts.reduce<SharingTotals>(
    (sum, part) => ({
      instrumentsAtOrAboveThreshold: sum.instrumentsAtOrAboveThreshold + part.instrumentsAtOrAboveThreshold,
      sharedAtOrAboveThreshold: sum.sharedAtOrAboveThreshold + part.sharedAtOrAboveThreshold,
      bookedHours: sum.bookedHours + part.bookedHours,
      externalBookedHours: sum.externalBookedHours + part.externalBookedHours,
      openHours: sum.openHours + part.openHours,
      bookedOpenHours: sum.bookedOpenHours + part.bookedOpenHours,
    }),
    { ...NO_SHARING_TOTALS },
  );
}

/** The report's rates, each 0 when its denominator is 0. */
export interface SharingRates {
  /** 共用化率: shared / covered instruments. */
  sharingRate: number;
  /** Booked hours of non-INTERNAL users / all booked hours. */
  externalUseShare: number;
  /** Booked hours inside open hours / open hours. */
  utilization: number;
}

const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : 0);

/** The rates of a report from its (possibly national) totals. */
export function sharingRates(totals: SharingTotals): SharingRates {
  return {
    sharingRate: ratio(totals.sharedAtOrAboveThreshold, totals.instrumentsAtOrAboveThreshold),
    externalUseShare: ratio(totals.externalBookedHours, totals.bookedHours),
    utilization: ratio(totals.bookedOpenHours, totals.openHours),
  };
}
