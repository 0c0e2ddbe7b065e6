import { errors } from './errors';

/** A half-open stretch of time `[start, end)`: it contains `start` and ends just before `end`. */
export interface TimeRange {
  start: Date;
  end: Date;
}

/** Asia/Tokyo is UTC+09:00 all year: Japan has no daylight saving time. */
export const TOKYO_OFFSET_MINUTES = 540;

/** The shortest booking, in minutes. */
export const BOOKING_MIN_MINUTES = 15;

/** Free time is offered from quarter hours on (00, 15, 30, 45 in Tokyo as everywhere: offsets are whole hours). */
export const SLOT_STEP_MINUTES = 15;

/** The first quarter hour at or after `now`: where free time shown to users starts (never a ragged 11:17:19). */
export function bookableFrom(now: Date): Date {
  const step = SLOT_STEP_MINUTES * 60_000;
  return new Date(Math.ceil(now.getTime() / step) * step);
}

/** The longest booking, in minutes, unless an instrument sets its own maximum. */
export const DEFAULT_MAX_BOOKING_MINUTES = 480;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const MINUTES_PER_DAY = 1440;
const TOKYO_OFFSET_MS = TOKYO_OFFSET_MINUTES * MINUTE_MS;

/**
 * One weekly opening of an instrument, in Asia/Tokyo local time.
 * A weekday may have several rules (e.g. a lunch break) as long as they do not overlap.
 */
export interface OpenHoursRule {
  /** ISO weekday in Tokyo: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** Opening time in minutes since Tokyo local midnight, 0–1439. */
  opensAt: number;
  /** Closing time in minutes since Tokyo local midnight, after `opensAt`, at most 1440 (midnight). */
  closesAt: number;
}

/** Open hours when an instrument sets none: Monday to Friday, 09:00–18:00 Asia/Tokyo. */
export const DEFAULT_OPEN_HOURS: readonly OpenHoursRule[] = Object.freeze(
  [1, 2, 3, 4, 5].map((weekday) => Object.freeze({ weekday, opensAt: 9 * 60, closesAt: 18 * 60 })),
);

/**
 * Checks open-hours rules before they are stored: whole minutes within the day, opening before closing, and
 * no two rules of the same weekday overlapping (touching is fine). Throws `BAD_USER_INPUT` naming the rule.
 */
export function validateOpenHours(rules: readonly OpenHoursRule[], field = 'openHours'): void {
  rules.forEach((rule, i) => validateOpenHoursRule(rule, `${field}[${i}]`));
  const byStart = rules
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => a.rule.weekday - b.rule.weekday || a.rule.opensAt - b.rule.opensAt);
  byStart.forEach((current, i) => {
    const previous = byStart[i - 1];
    if (previous && previous.rule.weekday === current.rule.weekday && current.rule.opensAt < previous.rule.closesAt) {
      throw errors.badInput(`${field}[${current.index}]`, `Open hours overlap on ISO weekday ${current.rule.weekday}`);
    }
  });
}

function validateOpenHoursRule(rule: OpenHoursRule, at: string): void {
  if (!Number.isInteger(rule.weekday) || rule.weekday < 1 || rule.weekday > 7) {
    throw errors.badInput(`${at}.weekday`, 'weekday must be an ISO weekday from 1 (Monday) to 7 (Sunday)');
  }
  if (!Number.isInteger(rule.opensAt) || rule.opensAt < 0 || rule.opensAt >= MINUTES_PER_DAY) {
    throw errors.badInput(`${at}.opensAt`, 'opensAt must be whole minutes after midnight, from 0 to 1439');
  }
  if (!Number.isInteger(rule.closesAt) || rule.closesAt <= rule.opensAt || rule.closesAt > MINUTES_PER_DAY) {
    throw errors.badInput(`${at}.closesAt`, 'closesAt must be whole minutes after opensAt, at most 1440');
  }
}

/** True when the two ranges share at least one instant; ranges that only touch do not overlap. */
export function rangesOverlap(a: TimeRange, b: TimeRange): boolean {
  return a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime();
}

/** The length of a range in minutes (fractional when the range is not whole minutes). */
export function durationMinutes(range: TimeRange): number {
  return (range.end.getTime() - range.start.getTime()) / MINUTE_MS;
}

/**
 * The union of `ranges` as sorted, disjoint ranges: overlapping and touching ranges are joined, empty ones
 * dropped. Returns new objects; the input is not changed.
 */
export function mergeRanges(ranges: readonly TimeRange[]): TimeRange[] {
  const sorted = ranges
    .filter(isNonEmpty)
    .map((r) => rangeOf(r.start.getTime(), r.end.getTime()))
    .sort((a, b) => a.start.getTime() - b.start.getTime());
  const merged: TimeRange[] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last && range.start.getTime() <= last.end.getTime()) {
      if (range.end.getTime() > last.end.getTime()) last.end = range.end;
    } else {
      merged.push(range);
    }
  }
  return merged;
}

/** The parts of `base` that no range of `remove` covers, as sorted, disjoint ranges. */
export function subtractRanges(base: readonly TimeRange[], remove: readonly TimeRange[]): TimeRange[] {
  const cuts = mergeRanges(remove);
  const rest: TimeRange[] = [];
  for (const piece of mergeRanges(base)) {
    let cursor = piece.start.getTime();
    const end = piece.end.getTime();
    for (const cut of cuts) {
      if (cursor >= end || cut.start.getTime() >= end) break;
      if (cut.end.getTime() <= cursor) continue;
      if (cut.start.getTime() > cursor) rest.push(rangeOf(cursor, cut.start.getTime()));
      cursor = cut.end.getTime();
    }
    if (cursor < end) rest.push(rangeOf(cursor, end));
  }
  return rest;
}

/**
 * The concrete open stretches that `rules` give inside `window`: clipped to the window, sorted and merged
 * (so Monday 18:00–24:00 and Tuesday 00:00–09:00 form one stretch). An empty or inverted window gives none.
 */
export function openRanges(rules: readonly OpenHoursRule[], window: TimeRange): TimeRange[] {
  const from = window.start.getTime();
  const to = window.end.getTime();
  if (!(from < to)) return [];
  const stretches: TimeRange[] = [];
  for (let midnight = tokyoMidnightBefore(from); midnight < to; midnight += DAY_MS) {
    const weekday = tokyoIsoWeekday(midnight);
    for (const rule of rules) {
      if (rule.weekday !== weekday) continue;
      const start = Math.max(from, midnight + rule.opensAt * MINUTE_MS);
      const end = Math.min(to, midnight + rule.closesAt * MINUTE_MS);
      if (start < end) stretches.push(rangeOf(start, end));
    }
  }
  return mergeRanges(stretches);
}

/** `BAD_USER_INPUT` on `to` unless `to` is after `from` (either may be open, i.e. null or undefined). */
export function checkPeriodOrder(from: Date | null | undefined, to: Date | null | undefined, field = 'to'): void {
  if (from && to && to.getTime() <= from.getTime()) throw errors.badInput(field, '`to` must be after `from`');
}

/** True when the whole (non-empty) range lies inside one continuous open stretch. */
export function isWithinOpenHours(rules: readonly OpenHoursRule[], range: TimeRange): boolean {
  const [open, ...more] = openRanges(rules, range);
  return (
    open !== undefined &&
    more.length === 0 &&
    open.start.getTime() === range.start.getTime() &&
    open.end.getTime() === range.end.getTime()
  );
}

/**
 * The bookable stretches inside `window`: open hours minus everything `busy` (bookings, maintenance
 * blackouts), keeping only stretches of at least `minMinutes`.
 */
export function freeSlots(
  rules: readonly OpenHoursRule[],
  window: TimeRange,
  busy: readonly TimeRange[],
  minMinutes = 0,
): TimeRange[] {
  return subtractRanges(openRanges(rules, window), busy).filter((slot) => durationMinutes(slot) >= minMinutes);
}

const DATE_PART = String.raw`(?<date>\d{4}-\d{2}-\d{2})`;
const TIME_PART = String.raw`(?<hour>\d{2}):(?<minute>\d{2}):(?<second>\d{2})(?:\.(?<fraction>\d+))?`;
const OFFSET_PART = String.raw`(?:[Zz]|(?<sign>[+-])(?<offsetHour>\d{2}):(?<offsetMinute>\d{2}))`;
const DATE_TIME = new RegExp(`^${DATE_PART}[Tt]${TIME_PART}${OFFSET_PART}$`);
const DATE = /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})$/;

/**
 * Parses a strict RFC 3339 date-time that carries its offset (`Z` or `±hh:mm`), e.g.
 * `2026-12-01T10:00:00+09:00`. Fractional seconds are allowed and kept to the millisecond (further digits
 * are dropped). A missing offset, an impossible date or time (Feb 30, 24:00, leap second :60) or anything
 * else throws `BAD_USER_INPUT` naming `field`.
 */
export function parseDateTime(value: string, field: string): Date {
  const parts = DATE_TIME.exec(value)?.groups;
  if (!parts) {
    const example = '2026-12-01T10:00:00+09:00';
    throw errors.badInput(field, `${field} must be an RFC 3339 date-time with an offset, e.g. ${example}`);
  }
  const dayStart = calendarDayStartUtc(parts.date ?? '');
  if (dayStart === undefined) throw errors.badInput(field, `${field} is not a real calendar date`);
  const part = (name: string) => Number(parts[name] ?? '0');
  const validTime = part('hour') <= 23 && part('minute') <= 59 && part('second') <= 59;
  const validOffset = part('offsetHour') <= 23 && part('offsetMinute') <= 59;
  if (!validTime || !validOffset) {
    throw errors.badInput(field, `${field} has an impossible time of day or offset`);
  }
  const offsetMinutes = (parts.sign === '-' ? -1 : 1) * (part('offsetHour') * 60 + part('offsetMinute'));
  const millis = Number((parts.fraction ?? '').padEnd(3, '0').slice(0, 3));
  return new Date(dayStart + (part('hour') * 60 + part('minute') - offsetMinutes) * MINUTE_MS + part('second') * 1000 + millis);
}

/** Formats an instant as RFC 3339 in Tokyo time, e.g. `2026-12-01T10:00:00+09:00` (`.sss` only when needed). */
export function formatDateTimeTokyo(date: Date): string {
  const tokyo = toTokyoWallClock(date);
  const time = [tokyo.getUTCHours(), tokyo.getUTCMinutes(), tokyo.getUTCSeconds()].map((n) => pad(n, 2)).join(':');
  const millis = tokyo.getUTCMilliseconds();
  return `${formatCalendarDate(tokyo)}T${time}${millis === 0 ? '' : `.${pad(millis, 3)}`}+09:00`;
}

/** Returns `value` when it is a real calendar date written `YYYY-MM-DD`; otherwise throws `BAD_USER_INPUT`. */
export function parseDate(value: string, field: string): string {
  if (calendarDayStartUtc(value) === undefined) {
    throw errors.badInput(field, `${field} must be a real calendar date written YYYY-MM-DD`);
  }
  return value;
}

/** The calendar date (`YYYY-MM-DD`) in Tokyo at the given instant. */
export function tokyoDateOf(date: Date): string {
  return formatCalendarDate(toTokyoWallClock(date));
}

/** The Japanese fiscal year (April–March) an instant falls in, by Tokyo time: 2027-03-31 is in FY2026. */
export function fiscalYearOf(date: Date): number {
  const tokyo = toTokyoWallClock(date);
  const month = tokyo.getUTCMonth() + 1;
  return month >= 4 ? tokyo.getUTCFullYear() : tokyo.getUTCFullYear() - 1;
}

/**
 * Fiscal year `fy` as a range: from April 1 of `fy` to April 1 of `fy + 1`, both 00:00 Tokyo.
 * Throws `BAD_USER_INPUT` (field `fiscalYear`) unless `fy` is a whole year from 1 to 9998.
 */
export function fiscalYearRange(fy: number): TimeRange {
  if (!Number.isInteger(fy) || fy < 1 || fy > 9998) {
    throw errors.badInput('fiscalYear', 'fiscalYear must be a whole year from 1 to 9998');
  }
  return {
    start: new Date(utcMidnight(fy, 4, 1) - TOKYO_OFFSET_MS),
    end: new Date(utcMidnight(fy + 1, 4, 1) - TOKYO_OFFSET_MS),
  };
}

function rangeOf(start: number, end: number): TimeRange {
  return { start: new Date(start), end: new Date(end) };
}

function isNonEmpty(range: TimeRange): boolean {
  return range.start.getTime() < range.end.getTime();
}

/** The instant of the Tokyo midnight at or before `ms`. */
function tokyoMidnightBefore(ms: number): number {
  return Math.floor((ms + TOKYO_OFFSET_MS) / DAY_MS) * DAY_MS - TOKYO_OFFSET_MS;
}

function tokyoIsoWeekday(ms: number): number {
  const sundayFirst = toTokyoWallClock(new Date(ms)).getUTCDay();
  return sundayFirst === 0 ? 7 : sundayFirst;
}

/** A Date whose UTC fields read as the Tokyo wall clock at `date`. */
function toTokyoWallClock(date: Date): Date {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new RangeError('Invalid Date');
  const tokyo = new Date(ms + TOKYO_OFFSET_MS);
  const year = tokyo.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`Year ${year} cannot be written in RFC 3339`);
  return tokyo;
}

function formatCalendarDate(wallClock: Date): string {
  const month = wallClock.getUTCMonth() + 1;
  return `${pad(wallClock.getUTCFullYear(), 4)}-${pad(month, 2)}-${pad(wallClock.getUTCDate(), 2)}`;
}

/** UTC midnight of a `YYYY-MM-DD` date, or undefined when the text is not a real calendar date. */
function calendarDayStartUtc(text: string): number | undefined {
  const parts = DATE.exec(text)?.groups;
  if (!parts) return undefined;
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  const start = utcMidnight(year, month, day);
  const check = new Date(start);
  // Date rolls impossible dates over (Feb 30 → Mar 2); a real date reads back unchanged.
  return check.getUTCMonth() + 1 === month && check.getUTCDate() === day ? start : undefined;
}

/** UTC midnight of a calendar date; unlike `Date.UTC`, years 0–99 are taken literally. */
function utcMidnight(year: number, month: number, day: number): number {
  return new Date(0).setUTCFullYear(year, month - 1, day);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
