import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors';
import {
  FIRST_REPORT_FISCAL_YEAR,
  lifeWithin,
  NO_SHARING_TOTALS,
  openAndHeldHours,
  openAndHeldMinutes,
  sharingRates,
  sharingReportPeriod,
  sumSharingTotals,
  type SharingTotals,
} from './sharing';
import { DEFAULT_OPEN_HOURS, type TimeRange } from './time';

const tokyo = (local: string) => new Date(`${local}:00+09:00`);
const range = (start: string, end: string): TimeRange => ({ start: tokyo(start), end: tokyo(end) });
const badInput = (field: string) => expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT, field });

describe('sharingReportPeriod', () => {
  const now = tokyo('2030-06-17T12:00');

  it('covers a past fiscal year from April 1 to April 1, 00:00 Tokyo', () => {
    expect(sharingReportPeriod(2029, now)).toEqual(range('2029-04-01T00:00', '2030-04-01T00:00'));
    expect(sharingReportPeriod(FIRST_REPORT_FISCAL_YEAR, now)).toEqual(range('1990-04-01T00:00', '1991-04-01T00:00'));
  });

  it('covers the current fiscal year up to now only', () => {
    expect(sharingReportPeriod(2030, now)).toEqual({ start: tokyo('2030-04-01T00:00'), end: now });
    expect(sharingReportPeriod(2029, tokyo('2030-03-31T23:59'))).toEqual(range('2029-04-01T00:00', '2030-03-31T23:59'));
  });

  it('is empty at the very first instant of a fiscal year', () => {
    const start = tokyo('2030-04-01T00:00');
    expect(sharingReportPeriod(2030, start)).toEqual({ start, end: start });
  });

  it('refuses fiscal years that have not begun, years before 1990 and fractions, on the field asked', () => {
    expect(() => sharingReportPeriod(2031, now)).toThrow(badInput('fiscalYear'));
    expect(() => sharingReportPeriod(2030, tokyo('2030-03-31T23:59'))).toThrow(badInput('fiscalYear'));
    expect(() => sharingReportPeriod(1989, now)).toThrow(badInput('fiscalYear'));
    expect(() => sharingReportPeriod(2029.5, now)).toThrow(badInput('fiscalYear'));
    expect(() => sharingReportPeriod(Number.NaN, now, 'fy')).toThrow(badInput('fy'));
    expect(() => sharingReportPeriod(-2029, now)).toThrow(badInput('fiscalYear'));
  });
});

describe('lifeWithin', () => {
  const year = range('2029-04-01T00:00', '2030-04-01T00:00');

  it('is the whole period for an instrument with no known acquisition that is still in service', () => {
    expect(lifeWithin(year, null, null)).toEqual(year);
    expect(lifeWithin(year, '2001-05-01', tokyo('2031-01-01T00:00'))).toEqual(year);
  });

  it('starts at 00:00 Tokyo of the acquisition day and ends when the instrument was decommissioned', () => {
    expect(lifeWithin(year, '2029-10-01', null)).toEqual(range('2029-10-01T00:00', '2030-04-01T00:00'));
    expect(lifeWithin(year, null, tokyo('2029-06-30T15:00'))).toEqual(range('2029-04-01T00:00', '2029-06-30T15:00'));
    expect(lifeWithin(year, '2029-05-01', tokyo('2029-06-01T00:00'))).toEqual(range('2029-05-01T00:00', '2029-06-01T00:00'));
  });

  it('is empty for an instrument that did not exist in the period', () => {
    const later = lifeWithin(year, '2030-04-01', null);
    expect(later.end.getTime() - later.start.getTime()).toBe(0);
    const gone = lifeWithin(year, null, tokyo('2029-04-01T00:00'));
    expect(gone.end.getTime() - gone.start.getTime()).toBe(0);
  });
});

describe('openAndHeldMinutes', () => {
  // Monday 2030-06-17 to Monday 2030-06-24: five days of 09:00–18:00.
  const week = range('2030-06-17T00:00', '2030-06-24T00:00');

  it('counts open minutes of the weekly rules and the booked minutes inside them, overlaps once', () => {
    const booked = [
      range('2030-06-17T08:00', '2030-06-17T10:00'), // one hour before opening does not count
      range('2030-06-18T10:00', '2030-06-18T12:00'),
      range('2030-06-18T11:00', '2030-06-18T13:00'), // overlaps the one before: 10:00–13:00 in all
      range('2030-06-22T10:00', '2030-06-22T12:00'), // Saturday: closed
    ];
    expect(openAndHeldMinutes(DEFAULT_OPEN_HOURS, week, booked)).toEqual({ openMinutes: 5 * 9 * 60, heldMinutes: 60 + 180 });
  });

  it('is nothing for an instrument that is never open', () => {
    expect(openAndHeldMinutes([], week, [range('2030-06-18T10:00', '2030-06-18T12:00')])).toEqual({
      openMinutes: 0,
      heldMinutes: 0,
    });
  });
});

describe('openAndHeldHours', () => {
  const week = range('2030-06-17T00:00', '2030-06-24T00:00');

  it('adds instruments up, each inside its own life, in hours', () => {
    const usage = openAndHeldHours(week, [
      // Open the whole week (45 h), two hours held.
      {
        acquiredOn: null,
        decommissionedAt: null,
        openHours: DEFAULT_OPEN_HOURS,
        held: [range('2030-06-18T10:00', '2030-06-18T12:00')],
      },
      // Acquired on Thursday: Thursday and Friday only (18 h); its Wednesday booking predates it.
      {
        acquiredOn: '2030-06-20',
        decommissionedAt: null,
        openHours: DEFAULT_OPEN_HOURS,
        held: [range('2030-06-19T10:00', '2030-06-19T12:00'), range('2030-06-21T09:00', '2030-06-21T10:00')],
      },
      // Decommissioned on Tuesday at 00:00: Monday only (9 h), nothing held.
      { acquiredOn: null, decommissionedAt: tokyo('2030-06-18T00:00'), openHours: DEFAULT_OPEN_HOURS, held: [] },
    ]);
    expect(usage).toEqual({ openHours: 45 + 18 + 9, bookedOpenHours: 2 + 1 });
    expect(openAndHeldHours(week, [])).toEqual({ openHours: 0, bookedOpenHours: 0 });
  });
});

describe('sharing totals and rates', () => {
  const totals = (shared: number, covered: number, external: number, booked: number, held: number, open: number) =>
    ({
      instrumentsAtOrAboveThreshold: covered,
      sharedAtOrAboveThreshold: shared,
      bookedHours: booked,
      externalBookedHours: external,
      openHours: open,
      bookedOpenHours: held,
    }) satisfies SharingTotals;

  it('are all 0 when there is nothing to divide by', () => {
    expect(sharingRates(sumSharingTotals([]))).toEqual({ sharingRate: 0, externalUseShare: 0, utilization: 0 });
    expect(sumSharingTotals([])).toEqual(NO_SHARING_TOTALS);
  });

  it('divide national sums, not average the institutions’ rates', () => {
    const national = sumSharingTotals([totals(1, 1, 0, 10, 10, 100), totals(1, 4, 30, 30, 20, 300)]);
    expect(national).toEqual(totals(2, 5, 30, 40, 30, 400));
    expect(sharingRates(national)).toEqual({ sharingRate: 2 / 5, externalUseShare: 30 / 40, utilization: 30 / 400 });
  });
});
