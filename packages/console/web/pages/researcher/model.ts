/**
 * What the researcher's pages read from the gateway: the shapes of the answers they use and the GraphQL
 * documents that ask for them (only the public API).
 */
import type { Lang } from '../../i18n';
import type { UserCategory } from '../../session';

export type OperationMode = 'SELF' | 'ASSISTED' | 'DELEGATED';
export type BookingStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED' | 'CANCELLED' | 'COMPLETED' | 'NO_SHOW';
export type InstrumentSort = 'RELEVANCE' | 'DISTANCE' | 'PRICE_ASC' | 'EARLIEST_AVAILABLE';

export const USER_CATEGORIES: UserCategory[] = ['INTERNAL', 'ACADEMIC', 'INDUSTRY'];
export const OPERATION_MODES: OperationMode[] = ['SELF', 'ASSISTED', 'DELEGATED'];
export const INSTRUMENT_SORTS: InstrumentSort[] = ['RELEVANCE', 'DISTANCE', 'PRICE_ASC', 'EARLIEST_AVAILABLE'];

export interface GeoPoint {
  latitude: number;
  longitude: number;
}

export interface Institution {
  code: string;
  name: string;
  nameEn: string | null;
  prefecture: string;
  location: GeoPoint | null;
}

export interface FeeRate {
  userCategory: UserCategory;
  mode: OperationMode;
  hourlyRate: number;
  billingUnitMinutes: number;
  minimumCharge: number;
}

/** An instrument as search results and booking lists show it. */
export interface InstrumentSummary {
  id: string;
  name: string;
  nameEn: string | null;
  category: string;
  acquisitionPrice: number | null;
  location: GeoPoint | null;
  sharedExternally: boolean;
  remoteOperable: boolean;
  requiresApproval: boolean;
  requiresQualification: boolean;
  institution: Institution;
  fees: FeeRate[];
}

/** Everything the instrument page shows. */
export interface InstrumentDetail extends InstrumentSummary {
  manufacturer: string | null;
  model: string | null;
  description: string | null;
  acquiredOn: string | null;
  building: string | null;
  maxBookingMinutes: number;
  cancellationFreeHours: number;
  cancellationFeePercent: number;
}

export interface TimeSlot {
  start: string;
  end: string;
}

export interface FeeQuote {
  userCategory: UserCategory;
  mode: OperationMode;
  billableMinutes: number;
  amount: number;
  lines: { label: string; amount: number }[];
}

export interface Booking {
  id: string;
  start: string;
  end: string;
  mode: OperationMode;
  status: BookingStatus;
  userCategory: UserCategory;
  fee: number;
  cancellationFee: number | null;
  fundingSource: string | null;
  purpose: string;
  cancelledAt: string | null;
  instrument: {
    id: string;
    name: string;
    nameEn: string | null;
    institution: { code: string; name: string; nameEn: string | null };
    cancellationFreeHours: number;
    cancellationFeePercent: number;
  };
}

export interface BookingInput {
  instrumentId: string;
  start: string;
  end: string;
  mode: OperationMode;
  purpose: string;
  fundingSource: string | null;
}

export interface FacetCount {
  value: string;
  count: number;
}

export interface SearchEdge {
  cursor: string;
  distanceKm: number | null;
  availableFrom: string | null;
  node: InstrumentSummary;
}

export interface SearchPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: SearchEdge[];
  unavailableInstitutions: { code: string; name: string }[];
}

export interface SearchFacets {
  categories: FacetCount[];
  institutions: FacetCount[];
  prefectures: FacetCount[];
}

/** A name in the reader's language: the English one when reading English and the owner gave one. */
export function localName(lang: Lang, named: { name: string; nameEn: string | null }): string {
  return lang === 'en' && named.nameEn ? named.nameEn : named.name;
}

const INSTITUTION_FIELDS = `code name nameEn prefecture location { latitude longitude }`;
const FEE_FIELDS = `userCategory mode hourlyRate billingUnitMinutes minimumCharge`;
const SUMMARY_FIELDS = `id name nameEn category acquisitionPrice location { latitude longitude }
  sharedExternally remoteOperable requiresApproval requiresQualification
  institution { ${INSTITUTION_FIELDS} } fees { ${FEE_FIELDS} }`;
const PAGE_FIELDS = `totalCount pageInfo { hasNextPage endCursor }
  edges { cursor distanceKm availableFrom node { ${SUMMARY_FIELDS} } }
  unavailableInstitutions { code name }`;
const FACETS = `categories { value count } institutions { value count } prefectures { value count }`;

export const INSTITUTIONS = `query ResearcherInstitutions { institutions { ${INSTITUTION_FIELDS} } }`;

/**
 * The first page of a search with its facets; the facet of a dimension the user narrowed is asked again
 * without that narrowing (`first: 0`), so its other values stay choosable.
 */
export const SEARCH = `query SearchInstruments($query: String, $filter: InstrumentFilter, $sort: InstrumentSort, $first: Int,
  $categoryFilter: InstrumentFilter, $withCategories: Boolean!,
  $institutionFilter: InstrumentFilter, $withInstitutions: Boolean!,
  $prefectureFilter: InstrumentFilter, $withPrefectures: Boolean!) {
  searchInstruments(query: $query, filter: $filter, sort: $sort, first: $first) { ${PAGE_FIELDS} facets { ${FACETS} } }
  categoryFacets: searchInstruments(query: $query, filter: $categoryFilter, first: 0) @include(if: $withCategories) {
    facets { categories { value count } } }
  institutionFacets: searchInstruments(query: $query, filter: $institutionFilter, first: 0) @include(if: $withInstitutions) {
    facets { institutions { value count } } }
  prefectureFacets: searchInstruments(query: $query, filter: $prefectureFilter, first: 0) @include(if: $withPrefectures) {
    facets { prefectures { value count } } }
}`;

export interface SearchData {
  searchInstruments: SearchPage & { facets: SearchFacets };
  categoryFacets?: { facets: Pick<SearchFacets, 'categories'> };
  institutionFacets?: { facets: Pick<SearchFacets, 'institutions'> };
  prefectureFacets?: { facets: Pick<SearchFacets, 'prefectures'> };
}

/** A further page of the same search. */
export const SEARCH_MORE = `query SearchMore($query: String, $filter: InstrumentFilter, $sort: InstrumentSort, $first: Int, $after: String) {
  searchInstruments(query: $query, filter: $filter, sort: $sort, first: $first, after: $after) { ${PAGE_FIELDS} } }`;

export const INSTRUMENT = `query Instrument($id: ID!) { instrument(id: $id) { ${SUMMARY_FIELDS}
  manufacturer model description acquiredOn building maxBookingMinutes cancellationFreeHours cancellationFeePercent } }`;

export const AVAILABILITY = `query Availability($id: ID!, $from: DateTime!, $to: DateTime!) {
  instrument(id: $id) { id availability(from: $from, to: $to) { start end } } }`;

export const QUOTE = `query QuoteBooking($input: BookingInput!) {
  quoteBooking(input: $input) { userCategory mode billableMinutes amount lines { label amount } } }`;

const BOOKING_FIELDS = `id start end mode status userCategory fee cancellationFee fundingSource purpose cancelledAt
  instrument { id name nameEn institution { code name nameEn } cancellationFreeHours cancellationFeePercent }`;

export const CREATE_BOOKING = `mutation CreateBooking($input: BookingInput!, $idempotencyKey: String!) {
  createBooking(input: $input, idempotencyKey: $idempotencyKey) { ${BOOKING_FIELDS} } }`;

export const MY_BOOKINGS = `query MyBookings { myBookings { ${BOOKING_FIELDS} } }`;

export const CANCEL_BOOKING = `mutation CancelBooking($id: ID!, $reason: String) {
  cancelBooking(id: $id, reason: $reason) { ${BOOKING_FIELDS} } }`;
