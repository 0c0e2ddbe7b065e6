import { DomainError, ErrorCode } from '@kyoyo/domain';
import type { FederatedInstrument } from './instruments.types';

export type NationalSort = 'RELEVANCE' | 'DISTANCE' | 'PRICE_ASC';

/** One hit of one institution's answer. */
export interface FederatedHit {
  instrument: FederatedInstrument;
  score: number;
  distanceKm: number | null;
}

/** Deepest result a search may page to (offset-based cursors; see the search issue for keyset paging). */
export const MAX_SEARCH_DEPTH = 2000;

const nullsLast = (a: number | null, b: number | null) => (a === null ? (b === null ? 0 : 1) : b === null ? -1 : a - b);

/**
 * The one national order: the sort key, then institution code, then local id, so the merged list is the
 * same however the institutions' answers arrive.
 */
export function compareHits(sort: NationalSort) {
  return (a: FederatedHit, b: FederatedHit): number => {
    const primary =
      sort === 'DISTANCE'
        ? nullsLast(a.distanceKm, b.distanceKm)
        : sort === 'PRICE_ASC'
          ? nullsLast(a.instrument.acquisitionPrice, b.instrument.acquisitionPrice)
          : b.score - a.score;
    if (primary !== 0) return primary;
    if (a.instrument.institutionCode !== b.instrument.institutionCode) {
      return a.instrument.institutionCode < b.instrument.institutionCode ? -1 : 1;
    }
    return Number(a.instrument.id) - Number(b.instrument.id);
  };
}

/** Merges institutions' sorted answers into the national order. */
export function mergeHits(lists: readonly FederatedHit[][], sort: NationalSort): FederatedHit[] {
  return lists.flat().sort(compareHits(sort));
}

/** Opaque cursor of the result at `position` (0-based) in the merged list. */
export function encodeCursor(position: number): string {
  return Buffer.from(JSON.stringify({ v: 1, p: position }), 'utf8').toString('base64url');
}

/** Position after which the next page starts; `BAD_USER_INPUT` for a cursor this gateway did not make. */
export function decodeCursor(cursor: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: unknown; p?: unknown };
    if (parsed.v === 1 && Number.isSafeInteger(parsed.p) && (parsed.p as number) >= 0) return parsed.p as number;
  } catch {
    // fall through to the coded error
  }
  throw new DomainError(ErrorCode.BAD_USER_INPUT, 'This cursor was not issued by searchInstruments', 'after');
}

/** Sums facet counts, most frequent first, ties by value. */
export function sumFacets(lists: readonly { value: string; count: number }[][]): { value: string; count: number }[] {
  const totals = new Map<string, number>();
  for (const list of lists) for (const { value, count } of list) totals.set(value, (totals.get(value) ?? 0) + count);
  return [...totals]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}
