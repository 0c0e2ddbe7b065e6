/**
 * iCalendar (RFC 5545) output for calendar feeds: a VCALENDAR with Tokyo's time zone and one VEVENT per
 * period. Times are written as Tokyo wall-clock times with `TZID=Asia/Tokyo` (and the VTIMEZONE that defines
 * it: +09:00, no daylight saving since 1951), so that calendar applications show them right wherever the
 * reader is; DTSTAMP and LAST-MODIFIED are UTC as the RFC requires. Text is escaped and lines folded at 75
 * octets without splitting a character.
 */

export interface CalendarEvent {
  /** Stable across feed reads, so that applications update an event instead of duplicating it. */
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  description?: string;
  location?: string;
  /** TENTATIVE for a period not yet confirmed (a booking waiting for approval). */
  status?: 'CONFIRMED' | 'TENTATIVE';
  /** When the event last changed (DTSTAMP and LAST-MODIFIED). */
  changedAt: Date;
}

export interface Calendar {
  /** The calendar's name as applications show it (X-WR-CALNAME). */
  name: string;
  events: readonly CalendarEvent[];
}

export const TOKYO_TZID = 'Asia/Tokyo';
const PRODUCT_ID = '-//Kyoyo//National research equipment sharing//JA';
const TOKYO_OFFSET_MS = 9 * 3_600_000;

const VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  `TZID:${TOKYO_TZID}`,
  'BEGIN:STANDARD',
  'DTSTART:19700101T000000',
  'TZOFFSETFROM:+0900',
  'TZOFFSETTO:+0900',
  'TZNAME:JST',
  'END:STANDARD',
  'END:VTIMEZONE',
];

const two = (n: number) => String(n).padStart(2, '0');

/** `20261208T090000Z`. */
export function utcStamp(date: Date): string {
  return (
    `${date.getUTCFullYear()}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}` +
    `T${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`
  );
}

/** Tokyo wall-clock time, `20261208T180000`, for `DTSTART;TZID=Asia/Tokyo:`. */
export function tokyoLocal(date: Date): string {
  return utcStamp(new Date(date.getTime() + TOKYO_OFFSET_MS)).slice(0, -1);
}

/** A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, line breaks as `\n`. */
export function escapeText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ''); // eslint-disable-line no-control-regex
}

/** Folds a content line into lines of at most 75 octets (§3.1), continuing each with a space. */
export function foldLine(line: string): string {
  const encoder = new TextEncoder();
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    // The first line holds 75 octets; a continuation line's leading space counts as one of its 75.
    if (octets + size > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

/** The calendar as an `text/calendar` body: CRLF line ends, folded lines. */
export function renderCalendar(calendar: Calendar): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${PRODUCT_ID}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(calendar.name)}`,
    `X-WR-TIMEZONE:${TOKYO_TZID}`,
    ...VTIMEZONE,
  ];
  for (const event of calendar.events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${escapeText(event.uid)}`,
      `DTSTAMP:${utcStamp(event.changedAt)}`,
      `LAST-MODIFIED:${utcStamp(event.changedAt)}`,
      `DTSTART;TZID=${TOKYO_TZID}:${tokyoLocal(event.start)}`,
      `DTEND;TZID=${TOKYO_TZID}:${tokyoLocal(event.end)}`,
      `SUMMARY:${escapeText(event.summary)}`,
      ...(event.description ? [`DESCRIPTION:${escapeText(event.description)}`] : []),
      ...(event.location ? [`LOCATION:${escapeText(event.location)}`] : []),
      `STATUS:${event.status ?? 'CONFIRMED'}`,
      'TRANSP:OPAQUE',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
