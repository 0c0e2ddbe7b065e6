import { createHash } from 'node:crypto';
import { DomainError, ErrorCode, isInstitutionCode } from '@kyoyo/domain';

/**
 * A position in the national order of one search: the sort key, institution and local id of the result
 * it follows, the search it belongs to (`search`, a digest of query, filter and sort) and the clock reading
 * availability is counted from (`asOf`, epoch ms), kept for every page of the search.
 */
export interface SearchCursor {
  search: string;
  key: number | null;
  institution: string;
  localId: string;
  asOf: number | null;
}

const CURSOR_VERSION = 2;

/** Opaque cursor (base64url JSON) of a position. */
export function encodeCursor(cursor: SearchCursor): string {
  const { search, key, institution, localId, asOf } = cursor;
  return Buffer.from(
    JSON.stringify({ v: CURSOR_VERSION, s: search, k: key, i: institution, d: localId, t: asOf }),
    'utf8',
  ).toString('base64url');
}

const badCursor = (message: string) => new DomainError(ErrorCode.BAD_USER_INPUT, message, 'after');

/**
 * The position `cursor` names; `BAD_USER_INPUT` on `after` for a cursor this gateway did not issue or
 * one issued for another search (other query, filter or sort).
 */
export function decodeCursor(cursor: string, search: string): SearchCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('This cursor was not issued by searchInstruments');
  }
  const { v, s, k, i, d, t } = (parsed !== null && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  const valid =
    v === CURSOR_VERSION &&
    typeof s === 'string' &&
    (k === null || (typeof k === 'number' && Number.isFinite(k))) &&
    typeof i === 'string' &&
    isInstitutionCode(i) &&
    typeof d === 'string' &&
    /^\d{1,15}$/.test(d) &&
    (t === null || (typeof t === 'number' && Number.isSafeInteger(t)));
  if (!valid) throw badCursor('This cursor was not issued by searchInstruments');
  if (s !== search) throw badCursor('This cursor belongs to another search: pass the same query, filter and sort');
  return { search: s, key: k, institution: i, localId: d, asOf: t };
}

/** A short digest that tells one search (query, filter, sort) from another. */
export function searchDigest(parts: unknown): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('base64url').slice(0, 16);
}

/** JSON with object keys sorted and null members left out, so equal searches give equal text. */
function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Sums facet counts, most frequent first, ties by value; values without a match are left out. */
export function sumFacets(lists: readonly { value: string; count: number }[][]): { value: string; count: number }[] {
  const totals = new Map<string, number>();
  for (const list of lists) for (const { value, count } of list) totals.set(value, (totals.get(value) ?? 0) + count);
  return [...totals]
    .filter(([, count]) => count > 0)
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}
