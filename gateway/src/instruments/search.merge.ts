import { createHash } from 'node:crypto';
import { compareSortKeys, DomainError, ErrorCode, isInstitutionCode, type SearchSort } from '@kyoyo/domain';
import type { FederatedInstrument } from './instruments.types';

/** One hit of one institution's answer, with the value it is ordered by. */
export interface FederatedHit {
  instrument: FederatedInstrument;
  score: number;
  distanceKm: number | null;
  /** Start of the earliest free stretch, for searches that ask about availability. */
  availableFrom: Date | null;
  /** The sort key (see `sortKeyOf`). */
  key: number | null;
}

/**
 * The value a hit is ordered by: the score (RELEVANCE), the service's distance (DISTANCE), the acquisition
 * price (PRICE_ASC) or the earliest free start in epoch milliseconds (EARLIEST_AVAILABLE).
 */
export function sortKeyOf(sort: SearchSort, hit: Omit<FederatedHit, 'key'>): number | null {
  switch (sort) {
    case 'RELEVANCE':
      return hit.score;
    case 'DISTANCE':
      return hit.distanceKm;
    case 'PRICE_ASC':
      return hit.instrument.acquisitionPrice;
    case 'EARLIEST_AVAILABLE':
      return hit.availableFrom?.getTime() ?? null;
  }
}

/**
 * The one national order: the sort key, then institution code, then local id (as a number), so the merged
 * list is the same however the institutions' answers arrive, and every position in it has a unique key.
 */
export function compareHits(sort: SearchSort) {
  return (a: FederatedHit, b: FederatedHit): number => {
    const primary = compareSortKeys(sort, a.key, b.key);
    if (primary !== 0) return primary;
    if (a.instrument.institutionCode !== b.instrument.institutionCode) {
      return a.instrument.institutionCode < b.instrument.institutionCode ? -1 : 1;
    }
    return Number(a.instrument.id) - Number(b.instrument.id);
  };
}

/** Merges institutions' answers into the national order. */
export function mergeHits(lists: readonly FederatedHit[][], sort: SearchSort): FederatedHit[] {
  return lists.flat().sort(compareHits(sort));
}

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

/**
 * Where one institution resumes after `cursor`: results with a key past the cursor's, and on an equal key
 * those the national order puts after it — at the cursor's own institution the ones with a greater local id,
 * at institutions whose code sorts after it all of them (id 0), at those before it none (null).
 */
export function resumeAt(cursor: SearchCursor, institution: string): { key: number | null; id: string | null } {
  if (institution === cursor.institution) return { key: cursor.key, id: cursor.localId };
  return { key: cursor.key, id: institution > cursor.institution ? '0' : null };
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
