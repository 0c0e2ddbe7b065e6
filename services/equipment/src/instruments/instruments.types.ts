import type { FeeRate, GeoPoint, OpenHoursRule, SearchSort, TimeRange } from '@kyoyo/domain';

/** A listed instrument as the service's rules see it (not a table row). */
export interface Instrument {
  id: number;
  localId: string;
  name: string;
  nameEn: string | null;
  category: string;
  manufacturer: string | null;
  model: string | null;
  description: string | null;
  acquisitionPrice: number | null;
  acquiredOn: string | null;
  building: string | null;
  location: GeoPoint | null;
  sharedExternally: boolean;
  remoteOperable: boolean;
  requiresApproval: boolean;
  requiresQualification: boolean;
  maxBookingMinutes: number;
  /** Cancelling at least this many hours before the start is free. */
  cancellationFreeHours: number;
  /** Share of the fee a later cancellation by the requester costs, in whole percent. */
  cancellationFeePercent: number;
  /** When the office took it out of the listings; null while listed. */
  decommissionedAt: Date | null;
}

/** What an office submits to create or update a listing (keyed by `localId`). */
export interface InstrumentListing extends Omit<Instrument, 'id' | 'decommissionedAt'> {
  /** Replaces the whole schedule when given. */
  fees?: FeeRate[];
  /** Set on creation when given; new listings default to `DEFAULT_OPEN_HOURS`. */
  openHours?: OpenHoursRule[];
}

export type { SearchColumns } from '@kyoyo/domain';

export type LocalSort = SearchSort;

/** A validated local search. */
export interface SearchCriteria {
  /** The normalised query, or null to list everything. */
  query: string | null;
  /** Distinct words of the query; each must occur in the search text. */
  words: string[];
  /** Character n-grams of the one- and two-character words, which every match must hold (the bigram index). */
  tokens: string[];
  categories: string[] | null;
  minAcquisitionPrice: number | null;
  sharedExternally: boolean | null;
  remoteOperable: boolean | null;
  near: { point: GeoPoint; radiusKm: number } | null;
  fallbackLocation: GeoPoint | null;
  /**
   * Only instruments with a free stretch of `minutes` in `window` (already clipped to `asOf`), or for
   * `EARLIEST_AVAILABLE` without a filter the window it looks into (`required` false).
   */
  availability: { window: TimeRange; minutes: number; required: boolean } | null;
  sort: LocalSort;
  /** Resume after this position of the sort order: its key (null: among hits without one) and id. */
  after: { key: number | null; id: number | null } | null;
  limit: number;
}

export interface SearchHit {
  instrument: Instrument;
  score: number;
  distanceKm: number | null;
  /** Start of the earliest free stretch in the availability window, when one was asked. */
  availableFrom: Date | null;
}

/** What ordering and keyset paging need of a match, before its row is loaded. */
export interface SearchCandidate {
  id: number;
  category: string;
  score: number;
  distanceKm: number | null;
  acquisitionPrice: number | null;
}

export interface FacetCount {
  value: string;
  count: number;
}
