import type { FeeRate, GeoPoint, OpenHoursRule } from '@kyoyo/domain';

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
}

/** What an office submits to create or update a listing (keyed by `localId`). */
export interface InstrumentListing extends Omit<Instrument, 'id'> {
  /** Replaces the whole schedule when given. */
  fees?: FeeRate[];
  /** Set on creation when given; new listings default to `DEFAULT_OPEN_HOURS`. */
  openHours?: OpenHoursRule[];
}

/** The normalised columns that text search reads, derived from a listing. */
export interface SearchColumns {
  nameNorm: string;
  searchText: string;
  searchTokens: string[];
}

export type LocalSort = 'RELEVANCE' | 'DISTANCE' | 'PRICE_ASC';

/** A validated local search. */
export interface SearchCriteria {
  /** The normalised query, or null to list everything. */
  query: string | null;
  /** Distinct words of the query; each must occur in the search text. */
  words: string[];
  /** Character n-grams every match must hold (index support for short and Japanese queries). */
  tokens: string[];
  categories: string[] | null;
  minAcquisitionPrice: number | null;
  sharedExternally: boolean | null;
  remoteOperable: boolean | null;
  near: { point: GeoPoint; radiusKm: number } | null;
  fallbackLocation: GeoPoint | null;
  sort: LocalSort;
  offset: number;
  limit: number;
}

export interface SearchHit {
  instrument: Instrument;
  score: number;
  distanceKm: number | null;
}

export interface FacetCount {
  value: string;
  count: number;
}
