import { customType } from 'drizzle-orm/pg-core';

/** A half-open `[start, end)` period, as stored in a PostgreSQL `tstzrange`. */
export interface Period {
  start: Date;
  end: Date;
}

/**
 * Drizzle has no range type: this column maps `tstzrange` to `{ start, end }`. Values are always written
 * with the canonical `[)` bounds; the database rejects empty and unbounded periods by CHECK constraint.
 */
export const tstzrange = customType<{ data: Period; driverData: string }>({
  dataType: () => 'tstzrange',
  toDriver: (value) => `[${value.start.toISOString()},${value.end.toISOString()})`,
  fromDriver: (value) => parsePeriod(value),
});

/** Parses PostgreSQL's text output of a bounded `tstzrange`, e.g. `["2026-04-01 00:00:00+00","2026-04-01 01:00:00+00")`. */
export function parsePeriod(text: string): Period {
  const match = /^[[(]"?([^",]+)"?,"?([^",]+)"?[\])]$/.exec(text);
  if (!match?.[1] || !match[2]) throw new Error(`not a bounded tstzrange: ${text}`);
  return { start: parseTimestamptz(match[1]), end: parseTimestamptz(match[2]) };
}

function parseTimestamptz(text: string): Date {
  // PostgreSQL prints `2026-04-01 09:00:00.5+09` or `...+05:30`; ISO 8601 needs `T` and `±HH:MM`.
  const iso = text.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`not a timestamptz: ${text}`);
  return date;
}
