import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors';
import {
  bookableFrom,
  BOOKING_MIN_MINUTES,
  DEFAULT_MAX_BOOKING_MINUTES,
  DEFAULT_OPEN_HOURS,
  durationMinutes,
  fiscalYearOf,
  fiscalYearRange,
  formatDateTimeTokyo,
  freeSlots,
  isWithinOpenHours,
  mergeRanges,
  type OpenHoursRule,
  openRanges,
  parseDate,
  parseDateTime,
  rangesOverlap,
  subtractRanges,
  type TimeRange,
  tokyoDateOf,
  validateOpenHours,
} from './time';

/** A range written in Tokyo wall-clock time, e.g. `range('2026-11-30T09:00', '2026-11-30T18:00')`. */
function range(start: string, end: string): TimeRange {
  return { start: tokyo(start), end: tokyo(end) };
}

function tokyo(localDateTime: string): Date {
  return new Date(`${localDateTime}:00+09:00`);
}

/** Ranges as Tokyo wall-clock strings, for readable expectations. */
function show(ranges: readonly TimeRange[]): string[] {
  return ranges.map((r) => `${formatDateTimeTokyo(r.start)} – ${formatDateTimeTokyo(r.end)}`);
}

const badInput = (field: string) => expect.objectContaining({ code: ErrorCode.BAD_USER_INPUT, field });

// 2026-11-30 is a Monday; 2026-12-05 a Saturday.
const monday = '2026-11-30';

describe('booking limits', () => {
  it('default to 15 minutes at least and 8 hours at most', () => {
    expect(BOOKING_MIN_MINUTES).toBe(15);
    expect(DEFAULT_MAX_BOOKING_MINUTES).toBe(8 * 60);
  });
});

describe('validateOpenHours', () => {
  it('accepts the default hours and rules that only touch', () => {
    expect(() => validateOpenHours(DEFAULT_OPEN_HOURS)).not.toThrow();
    const split = [
      { weekday: 1, opensAt: 780, closesAt: 1080 },
      { weekday: 1, opensAt: 540, closesAt: 780 },
    ];
    expect(() => validateOpenHours(split)).not.toThrow();
  });

  it('refuses a weekday outside 1 to 7', () => {
    for (const weekday of [0, 8, 1.5]) {
      expect(() => validateOpenHours([{ weekday, opensAt: 540, closesAt: 1080 }])).toThrow(badInput('openHours[0].weekday'));
    }
  });

  it('refuses minutes outside the day or a closing time not after the opening time', () => {
    expect(() => validateOpenHours([{ weekday: 1, opensAt: -1, closesAt: 60 }])).toThrow(badInput('openHours[0].opensAt'));
    expect(() => validateOpenHours([{ weekday: 1, opensAt: 1440, closesAt: 1440 }])).toThrow(badInput('openHours[0].opensAt'));
    expect(() => validateOpenHours([{ weekday: 1, opensAt: 600, closesAt: 600 }])).toThrow(badInput('openHours[0].closesAt'));
    expect(() => validateOpenHours([{ weekday: 1, opensAt: 600, closesAt: 1441 }], 'input.openHours')).toThrow(
      badInput('input.openHours[0].closesAt'),
    );
  });

  it('refuses two rules that overlap on the same weekday, naming the later-starting one', () => {
    const rules = [
      { weekday: 2, opensAt: 720, closesAt: 1080 },
      { weekday: 2, opensAt: 540, closesAt: 721 },
    ];
    expect(() => validateOpenHours(rules)).toThrow(badInput('openHours[0]'));
  });

  it('lets rules of different weekdays share the same hours', () => {
    const rules = [
      { weekday: 1, opensAt: 0, closesAt: 1440 },
      { weekday: 2, opensAt: 0, closesAt: 1440 },
    ];
    expect(() => validateOpenHours(rules)).not.toThrow();
  });
});

describe('range arithmetic', () => {
  it('does not count touching ranges as overlapping', () => {
    expect(rangesOverlap(range(`${monday}T09:00`, `${monday}T10:00`), range(`${monday}T10:00`, `${monday}T11:00`))).toBe(false);
  });

  it('counts a shared minute or containment as overlapping', () => {
    expect(rangesOverlap(range(`${monday}T09:00`, `${monday}T10:01`), range(`${monday}T10:00`, `${monday}T11:00`))).toBe(true);
    expect(rangesOverlap(range(`${monday}T09:00`, `${monday}T12:00`), range(`${monday}T10:00`, `${monday}T11:00`))).toBe(true);
  });

  it('measures durations in minutes', () => {
    expect(durationMinutes(range(`${monday}T09:00`, `${monday}T10:30`))).toBe(90);
  });

  it('merges overlapping and touching ranges, sorts them and drops empty ones', () => {
    const input = [
      range(`${monday}T14:00`, `${monday}T15:00`),
      range(`${monday}T09:00`, `${monday}T10:00`),
      range(`${monday}T10:00`, `${monday}T11:00`),
      range(`${monday}T14:30`, `${monday}T14:45`),
      range(`${monday}T16:00`, `${monday}T16:00`),
      range(`${monday}T10:30`, `${monday}T12:00`),
    ];
    expect(show(mergeRanges(input))).toEqual([
      '2026-11-30T09:00:00+09:00 – 2026-11-30T12:00:00+09:00',
      '2026-11-30T14:00:00+09:00 – 2026-11-30T15:00:00+09:00',
    ]);
    expect(input[1]?.end).toEqual(tokyo(`${monday}T10:00`));
  });

  it('subtracts ranges, splitting where a cut falls inside', () => {
    const base = [range(`${monday}T09:00`, `${monday}T18:00`)];
    const remove = [
      range(`${monday}T08:00`, `${monday}T09:30`),
      range(`${monday}T12:00`, `${monday}T13:00`),
      range(`${monday}T12:30`, `${monday}T13:15`),
      range(`${monday}T17:00`, `${monday}T19:00`),
    ];
    expect(show(subtractRanges(base, remove))).toEqual([
      '2026-11-30T09:30:00+09:00 – 2026-11-30T12:00:00+09:00',
      '2026-11-30T13:15:00+09:00 – 2026-11-30T17:00:00+09:00',
    ]);
  });

  it('leaves nothing when a cut covers the whole base, and everything when cuts only touch it', () => {
    const base = [range(`${monday}T09:00`, `${monday}T10:00`)];
    expect(subtractRanges(base, [range(`${monday}T08:00`, `${monday}T11:00`)])).toEqual([]);
    const touching = [range(`${monday}T08:00`, `${monday}T09:00`), range(`${monday}T10:00`, `${monday}T11:00`)];
    expect(show(subtractRanges(base, touching))).toEqual(show(base));
  });
});

describe('openRanges', () => {
  it('turns Monday 09:00–18:00 Tokyo into 00:00Z–09:00Z', () => {
    const open = openRanges(DEFAULT_OPEN_HOURS, range(`${monday}T00:00`, '2026-12-01T00:00'));
    expect(open).toEqual([{ start: new Date('2026-11-30T00:00:00Z'), end: new Date('2026-11-30T09:00:00Z') }]);
  });

  it('gives nothing on a Saturday by default', () => {
    expect(openRanges(DEFAULT_OPEN_HOURS, range('2026-12-05T00:00', '2026-12-06T00:00'))).toEqual([]);
  });

  it('gives five days of nine hours over a whole week', () => {
    const open = openRanges(DEFAULT_OPEN_HOURS, range(`${monday}T00:00`, '2026-12-07T00:00'));
    expect(open).toHaveLength(5);
    expect(open.reduce((sum, r) => sum + durationMinutes(r), 0)).toBe(45 * 60);
  });

  it('takes the weekday from the Tokyo date, not the UTC date', () => {
    const earlyMonday = [{ weekday: 1, opensAt: 0, closesAt: 180 }];
    const sundayUtc = { start: new Date('2026-11-29T00:00:00Z'), end: new Date('2026-11-30T00:00:00Z') };
    expect(openRanges(earlyMonday, sundayUtc)).toEqual([
      { start: new Date('2026-11-29T15:00:00Z'), end: new Date('2026-11-29T18:00:00Z') },
    ]);
  });

  it('joins a stretch that runs through Tokyo midnight into the next weekday', () => {
    const lateShift = [
      { weekday: 7, opensAt: 22 * 60, closesAt: 1440 },
      { weekday: 1, opensAt: 0, closesAt: 2 * 60 },
    ];
    expect(show(openRanges(lateShift, range('2026-11-29T00:00', '2026-12-01T00:00')))).toEqual([
      '2026-11-29T22:00:00+09:00 – 2026-11-30T02:00:00+09:00',
    ]);
  });

  it('clips open hours to the window', () => {
    const window = range(`${monday}T10:30`, `${monday}T20:00`);
    expect(show(openRanges(DEFAULT_OPEN_HOURS, window))).toEqual(['2026-11-30T10:30:00+09:00 – 2026-11-30T18:00:00+09:00']);
  });

  it('gives nothing for an inverted window', () => {
    expect(openRanges(DEFAULT_OPEN_HOURS, range(`${monday}T12:00`, `${monday}T10:00`))).toEqual([]);
  });
});

describe('isWithinOpenHours', () => {
  const withLunch: OpenHoursRule[] = [
    { weekday: 1, opensAt: 540, closesAt: 720 },
    { weekday: 1, opensAt: 780, closesAt: 1080 },
  ];

  it('accepts a booking inside open hours, ending exactly at closing time', () => {
    expect(isWithinOpenHours(DEFAULT_OPEN_HOURS, range(`${monday}T17:00`, `${monday}T18:00`))).toBe(true);
  });

  it('refuses a booking that runs past closing time', () => {
    expect(isWithinOpenHours(DEFAULT_OPEN_HOURS, range(`${monday}T17:00`, `${monday}T18:01`))).toBe(false);
  });

  it('refuses a booking that spans a closed break', () => {
    expect(isWithinOpenHours(withLunch, range(`${monday}T11:00`, `${monday}T14:00`))).toBe(false);
    expect(isWithinOpenHours(withLunch, range(`${monday}T13:00`, `${monday}T14:00`))).toBe(true);
  });

  it('accepts a booking across midnight when both days are open around it', () => {
    const allDay = [6, 7].map((weekday) => ({ weekday, opensAt: 0, closesAt: 1440 }));
    expect(isWithinOpenHours(allDay, range('2026-12-05T23:00', '2026-12-06T01:00'))).toBe(true);
  });

  it('refuses an empty range', () => {
    expect(isWithinOpenHours(DEFAULT_OPEN_HOURS, range(`${monday}T10:00`, `${monday}T10:00`))).toBe(false);
  });
});

describe('freeSlots', () => {
  const window = range(`${monday}T00:00`, '2026-12-01T00:00');
  const busy = [
    range(`${monday}T10:00`, `${monday}T11:00`),
    range(`${monday}T11:10`, `${monday}T12:00`),
    range(`${monday}T17:30`, `${monday}T19:00`),
  ];

  it('lists open hours minus bookings and blackouts', () => {
    expect(show(freeSlots(DEFAULT_OPEN_HOURS, window, busy))).toEqual([
      '2026-11-30T09:00:00+09:00 – 2026-11-30T10:00:00+09:00',
      '2026-11-30T11:00:00+09:00 – 2026-11-30T11:10:00+09:00',
      '2026-11-30T12:00:00+09:00 – 2026-11-30T17:30:00+09:00',
    ]);
  });

  it('drops stretches shorter than the minimum length', () => {
    expect(show(freeSlots(DEFAULT_OPEN_HOURS, window, busy, 15))).toEqual([
      '2026-11-30T09:00:00+09:00 – 2026-11-30T10:00:00+09:00',
      '2026-11-30T12:00:00+09:00 – 2026-11-30T17:30:00+09:00',
    ]);
    expect(freeSlots(DEFAULT_OPEN_HOURS, window, busy, 60 * 6)).toEqual([]);
  });
});

describe('parseDateTime', () => {
  it('reads an RFC 3339 date-time with a Tokyo offset', () => {
    expect(parseDateTime('2026-12-01T10:00:00+09:00', 'start').toISOString()).toBe('2026-12-01T01:00:00.000Z');
  });

  it('reads Z, negative offsets, lower-case separators and fractional seconds', () => {
    expect(parseDateTime('2026-12-01T01:00:00Z', 'start').toISOString()).toBe('2026-12-01T01:00:00.000Z');
    expect(parseDateTime('2026-12-01t01:00:00z', 'start').toISOString()).toBe('2026-12-01T01:00:00.000Z');
    expect(parseDateTime('2026-11-30T20:30:00-04:30', 'start').toISOString()).toBe('2026-12-01T01:00:00.000Z');
    expect(parseDateTime('2026-12-01T10:00:00.5+09:00', 'start').toISOString()).toBe('2026-12-01T01:00:00.500Z');
    expect(parseDateTime('2026-12-01T10:00:00.123456+09:00', 'start').toISOString()).toBe('2026-12-01T01:00:00.123Z');
  });

  it('accepts February 29 only in a leap year', () => {
    expect(parseDateTime('2028-02-29T00:00:00Z', 'start').toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(() => parseDateTime('2026-02-29T00:00:00Z', 'start')).toThrow(badInput('start'));
  });

  it('refuses a date-time without an offset', () => {
    expect(() => parseDateTime('2026-12-01T10:00:00', 'input.start')).toThrow(badInput('input.start'));
  });

  it('refuses impossible dates and times such as February 30 and 24:00', () => {
    for (const value of [
      '2026-02-30T10:00:00+09:00',
      '2026-13-01T10:00:00+09:00',
      '2026-04-31T10:00:00+09:00',
      '2026-12-01T24:00:00+09:00',
      '2026-12-01T10:60:00+09:00',
      '2026-12-01T10:00:60+09:00',
      '2026-12-01T10:00:00+24:00',
    ]) {
      expect(() => parseDateTime(value, 'input.start'), value).toThrow(badInput('input.start'));
    }
  });

  it('refuses near misses and garbage', () => {
    for (const value of [
      '',
      'tomorrow',
      '2026-12-01',
      '2026-12-01 10:00:00+09:00',
      '2026-12-01T10:00+09:00',
      '2026-12-01T10:00:00+0900',
      '2026-12-01T10:00:00.+09:00',
      ' 2026-12-01T10:00:00+09:00',
      '2026-12-01T10:00:00+09:00\n',
      '+02026-12-01T10:00:00Z',
      '２０２６-12-01T10:00:00+09:00',
    ]) {
      expect(() => parseDateTime(value, 'input.start'), JSON.stringify(value)).toThrow(badInput('input.start'));
    }
  });
});

describe('formatDateTimeTokyo', () => {
  it('writes an instant in Tokyo time with a +09:00 offset', () => {
    expect(formatDateTimeTokyo(new Date('2026-12-01T01:00:00Z'))).toBe('2026-12-01T10:00:00+09:00');
  });

  it('moves to the next Tokyo date after 15:00 UTC', () => {
    expect(formatDateTimeTokyo(new Date('2026-12-01T15:30:00Z'))).toBe('2026-12-02T00:30:00+09:00');
  });

  it('writes milliseconds only when there are some', () => {
    expect(formatDateTimeTokyo(new Date('2026-12-01T01:00:00.045Z'))).toBe('2026-12-01T10:00:00.045+09:00');
  });

  it('round-trips through parseDateTime', () => {
    const instant = new Date('2027-03-31T14:59:59.999Z');
    expect(parseDateTime(formatDateTimeTokyo(instant), 'at')).toEqual(instant);
  });
});

describe('calendar dates', () => {
  it('accepts real YYYY-MM-DD dates and returns them unchanged', () => {
    expect(parseDate('2026-04-01', 'from')).toBe('2026-04-01');
    expect(parseDate('2028-02-29', 'from')).toBe('2028-02-29');
  });

  it('refuses impossible or loosely written dates', () => {
    for (const value of ['2026-02-30', '2026-00-10', '2026-4-1', '2026-04-01T00:00:00Z', '20260401']) {
      expect(() => parseDate(value, 'input.from'), value).toThrow(badInput('input.from'));
    }
  });

  it('gives the Tokyo date, which turns over at 15:00 UTC', () => {
    expect(tokyoDateOf(new Date('2026-12-01T14:59:59.999Z'))).toBe('2026-12-01');
    expect(tokyoDateOf(new Date('2026-12-01T15:00:00Z'))).toBe('2026-12-02');
  });
});

describe('fiscal years', () => {
  it('puts 2027-03-31 Tokyo in FY2026 and 2027-04-01 Tokyo in FY2027', () => {
    expect(fiscalYearOf(parseDateTime('2027-03-31T23:59:59.999+09:00', 'at'))).toBe(2026);
    expect(fiscalYearOf(parseDateTime('2027-04-01T00:00:00+09:00', 'at'))).toBe(2027);
  });

  it('decides by the Tokyo date even where the UTC date is still March 31', () => {
    expect(fiscalYearOf(new Date('2027-03-31T15:00:00Z'))).toBe(2027);
  });

  it('puts January to March in the fiscal year that began the previous April', () => {
    expect(fiscalYearOf(parseDateTime('2027-01-15T12:00:00+09:00', 'at'))).toBe(2026);
  });

  it('runs FY2026 from 2026-04-01 to 2027-04-01, midnight Tokyo', () => {
    const fy = fiscalYearRange(2026);
    expect(formatDateTimeTokyo(fy.start)).toBe('2026-04-01T00:00:00+09:00');
    expect(formatDateTimeTokyo(fy.end)).toBe('2027-04-01T00:00:00+09:00');
    expect(fiscalYearOf(fy.start)).toBe(2026);
    expect(fiscalYearOf(new Date(fy.end.getTime() - 1))).toBe(2026);
    expect(fiscalYearOf(fy.end)).toBe(2027);
  });

  it('refuses a fiscal year that is not a whole year', () => {
    expect(() => fiscalYearRange(2026.5)).toThrow(badInput('fiscalYear'));
  });
});

describe('bookableFrom', () => {
  it('rounds up to the next quarter hour and keeps a quarter hour as it is', () => {
    expect(bookableFrom(new Date('2026-11-21T02:17:19.695Z')).toISOString()).toBe('2026-11-21T02:30:00.000Z');
    expect(bookableFrom(new Date('2026-11-21T02:30:00.000Z')).toISOString()).toBe('2026-11-21T02:30:00.000Z');
    expect(bookableFrom(new Date('2026-11-21T02:45:00.001Z')).toISOString()).toBe('2026-11-21T03:00:00.000Z');
  });
});
