import type { GeoPoint, SearchSort, TimeRange } from '@kyoyo/domain';
import type { FederatedInstrument } from '../instruments/instruments.types';

/** A validated national search, as the catalogue runs it. */
export interface CatalogueCriteria {
  /** The normalised query, or null to list everything. */
  query: string | null;
  /** Distinct words of the query; each must occur in the search text. */
  words: string[];
  /** Character n-grams of the one- and two-character words, which every match must hold (the bigram index). */
  tokens: string[];
  categories: string[] | null;
  /** Only these institutions (the institution and prefecture filters resolved to codes); null: every member. */
  institutions: string[] | null;
  minAcquisitionPrice: number | null;
  sharedExternally: boolean | null;
  remoteOperable: boolean | null;
  near: { point: GeoPoint; radiusKm: number } | null;
  /** Where distances are measured from (the near point, or the viewer's home institution); null: none. */
  origin: GeoPoint | null;
  availability: { window: TimeRange; minutes: number; required: boolean } | null;
  sort: SearchSort;
  /** Resume after this position of the national order: key, institution code and local id. */
  after: { key: number | null; institution: string; id: number } | null;
  limit: number;
}

/** One result of a catalogue search, with the value it is ordered by. */
export interface CatalogueHit {
  instrument: FederatedInstrument;
  score: number;
  distanceKm: number | null;
  availableFrom: Date | null;
  key: number | null;
}

export interface FacetCount {
  value: string;
  count: number;
}

/** One page of a catalogue search, with the count and facets of all matches. */
export interface CataloguePage {
  hits: CatalogueHit[];
  /** One more match follows the page. */
  hasMore: boolean;
  totalCount: number;
  categories: FacetCount[];
  institutions: FacetCount[];
}
