import type DataLoader from 'dataloader';
import {
  BOOKING_MIN_MINUTES,
  bookableFrom,
  optionalNote,
  compareSortKeys,
  DEFAULT_CANCELLATION_POLICY,
  DEFAULT_MAX_BOOKING_MINUTES,
  EARLIEST_AVAILABLE_WINDOW_DAYS,
  errors,
  normalizeText,
  queryTokens,
  queryWords,
  validateFeeSchedule,
  validateGeoPoint,
  validateNear,
  validateAvailabilityWindow,
  validateFilterValues,
  validateSearchQuery,
  type AvailabilityWindow,
  type FeeRate,
  type GeoPoint,
} from '@kyoyo/domain';
import type { InstrumentsRepository } from './instruments.repository';
import type { AvailabilityService } from '../availability/availability.service';
import type {
  FacetCount,
  Instrument,
  InstrumentListing,
  LocalSort,
  SearchCandidate,
  SearchCriteria,
  SearchHit,
} from './instruments.types';

/** Local search input as the GraphQL layer hands it over (already type-checked by the schema). */
export interface LocalSearchInput {
  query?: string | null;
  categories?: string[] | null;
  minAcquisitionPrice?: number | null;
  sharedExternally?: boolean | null;
  remoteOperable?: boolean | null;
  near?: { point: GeoPoint; radiusKm: number } | null;
  fallbackLocation?: GeoPoint | null;
  availableIn?: AvailabilityWindow | null;
  asOf?: Date | null;
  sort: LocalSort;
  after?: { key?: number | null; id?: string | null } | null;
  limit: number;
}

/** Listing input as the GraphQL layer hands it over. */
export interface InstrumentInput {
  localId: string;
  name: string;
  nameEn?: string | null;
  category: string;
  manufacturer?: string | null;
  model?: string | null;
  description?: string | null;
  acquisitionPrice?: number | null;
  acquiredOn?: string | null;
  building?: string | null;
  location?: GeoPoint | null;
  sharedExternally: boolean;
  remoteOperable: boolean;
  requiresApproval: boolean;
  requiresQualification: boolean;
  maxBookingMinutes?: number | null;
  /** Hours before the start until which cancelling is free (default 48). */
  cancellationFreeHours?: number | null;
  /** Percent of the fee a later cancellation costs (default 50). */
  cancellationFeePercent?: number | null;
  fees?: FeeRate[] | null;
}

/** Longest free-cancellation period an office may set: 30 days. */
export const MAX_CANCELLATION_FREE_HOURS = 720;

/** Most hits one local search returns (the gateway asks a page and one more). */
export const MAX_SEARCH_LIMIT = 1000;

function requiredText(value: string, field: string, max: number): string {
  const text = optionalNote(value, field, max);
  if (text === null) throw errors.badInput(field, `${field} must not be empty`);
  return text;
}

/** A listing's upsert key, trimmed: 1–100 characters, no control characters (not even tabs or line breaks). */
export function listingLocalId(value: string, field: string): string {
  const localId = requiredText(value, field, 100);
  if (/\p{Cc}/u.test(localId)) throw errors.badInput(field, `${field} must not contain control characters`);
  return localId;
}

/** Checks a listing and gives it its stored shape; every rule names the input field at fault. */
export function toListing(input: InstrumentInput): InstrumentListing {
  const localId = listingLocalId(input.localId, 'input.localId');
  if (input.location) validateGeoPoint(input.location, 'input.location');
  const maxBookingMinutes = input.maxBookingMinutes ?? DEFAULT_MAX_BOOKING_MINUTES;
  if (!Number.isInteger(maxBookingMinutes) || maxBookingMinutes < 15 || maxBookingMinutes > 10080) {
    throw errors.badInput('input.maxBookingMinutes', 'input.maxBookingMinutes must be from 15 to 10080 minutes');
  }
  const cancellationFreeHours = input.cancellationFreeHours ?? DEFAULT_CANCELLATION_POLICY.freeUntilHours;
  if (
    !Number.isInteger(cancellationFreeHours) ||
    cancellationFreeHours < 0 ||
    cancellationFreeHours > MAX_CANCELLATION_FREE_HOURS
  ) {
    throw errors.badInput(
      'input.cancellationFreeHours',
      `input.cancellationFreeHours must be whole hours from 0 to ${MAX_CANCELLATION_FREE_HOURS}`,
    );
  }
  const cancellationFeePercent = input.cancellationFeePercent ?? DEFAULT_CANCELLATION_POLICY.lateFeePercent;
  if (!Number.isInteger(cancellationFeePercent) || cancellationFeePercent < 0 || cancellationFeePercent > 100) {
    throw errors.badInput(
      'input.cancellationFeePercent',
      'input.cancellationFeePercent must be a whole percentage from 0 to 100',
    );
  }
  if (input.fees) validateFeeSchedule(input.fees, 'input.fees');
  return {
    localId,
    name: requiredText(input.name, 'input.name', 500),
    nameEn: optionalNote(input.nameEn, 'input.nameEn', 500),
    category: requiredText(input.category, 'input.category', 200),
    manufacturer: optionalNote(input.manufacturer, 'input.manufacturer', 200),
    model: optionalNote(input.model, 'input.model', 200),
    description: optionalNote(input.description, 'input.description', 10_000),
    acquisitionPrice: input.acquisitionPrice ?? null,
    acquiredOn: input.acquiredOn ?? null,
    building: optionalNote(input.building, 'input.building', 300),
    location: input.location ?? null,
    sharedExternally: input.sharedExternally,
    remoteOperable: input.remoteOperable,
    requiresApproval: input.requiresApproval,
    requiresQualification: input.requiresQualification,
    maxBookingMinutes,
    cancellationFreeHours,
    cancellationFeePercent,
    ...(input.fees ? { fees: input.fees } : {}),
  };
}

/** Words shorter than this are found through the character-bigram index; longer ones through trigrams. */
const TRIGRAM_MIN_CHARS = 3;

/** The availability a search asks about: its `availableIn` filter, or the window `EARLIEST_AVAILABLE` looks into. */
function availabilityOf(input: LocalSearchInput, now: Date): SearchCriteria['availability'] {
  const asOf = bookableFrom(now);
  const clip = (from: Date, to: Date) => ({ start: from < asOf ? asOf : from, end: to });
  if (input.availableIn) {
    validateAvailabilityWindow(input.availableIn, 'input.availableIn');
    const { from, to, minutes } = input.availableIn;
    return { window: clip(from, to), minutes, required: true };
  }
  if (input.sort !== 'EARLIEST_AVAILABLE') return null;
  const to = new Date(asOf.getTime() + EARLIEST_AVAILABLE_WINDOW_DAYS * 86_400_000);
  return { window: clip(asOf, to), minutes: BOOKING_MIN_MINUTES, required: false };
}

function afterOf(after: LocalSearchInput['after']): SearchCriteria['after'] {
  if (!after) return null;
  const key = after.key ?? null;
  if (key !== null && !Number.isFinite(key)) throw errors.badInput('input.after.key', 'input.after.key must be a finite number');
  const id = after.id ?? null;
  if (id !== null && !/^\d{1,15}$/.test(id)) throw errors.badInput('input.after.id', 'input.after.id must be a local id');
  return { key, id: id === null ? null : Number(id) };
}

/** Checks a local search and normalises its query; `now` is the request's clock reading. */
export function toCriteria(input: LocalSearchInput, now: Date): SearchCriteria {
  validateSearchQuery(input.query, 'input.query');
  const query = normalizeText(input.query ?? '') || null;
  if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > MAX_SEARCH_LIMIT) {
    throw errors.badInput('input.limit', `input.limit must be from 1 to ${MAX_SEARCH_LIMIT}`);
  }
  if (input.near) validateNear(input.near, 'input.near');
  if (input.fallbackLocation) validateGeoPoint(input.fallbackLocation, 'input.fallbackLocation');
  if (input.sort === 'DISTANCE' && !input.near) throw errors.badInput('input.sort', 'Sorting by distance needs input.near');
  validateFilterValues(input.categories, 'input.categories');
  const words = query ? queryWords(query) : [];
  const shortWords = words.filter((w) => [...w].length < TRIGRAM_MIN_CHARS);
  return {
    query,
    words,
    tokens: queryTokens(shortWords.join(' ')),
    categories: input.categories ?? null,
    minAcquisitionPrice: input.minAcquisitionPrice ?? null,
    sharedExternally: input.sharedExternally ?? null,
    remoteOperable: input.remoteOperable ?? null,
    near: input.near ?? null,
    fallbackLocation: input.fallbackLocation ?? null,
    availability: availabilityOf(input, input.asOf ?? now),
    sort: input.sort,
    after: afterOf(input.after),
    limit: input.limit,
  };
}

/** The value a candidate is ordered by under `sort`. */
function sortKeyOf(sort: LocalSort, candidate: SearchCandidate & { availableFrom: Date | null }): number | null {
  switch (sort) {
    case 'RELEVANCE':
      return candidate.score;
    case 'DISTANCE':
      return candidate.distanceKm;
    case 'PRICE_ASC':
      return candidate.acquisitionPrice;
    case 'EARLIEST_AVAILABLE':
      return candidate.availableFrom?.getTime() ?? null;
  }
}

/** Counts by value, most frequent first, ties by value. */
function facetOf(values: readonly string[]): FacetCount[] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

/** The instrument use cases of one request. */
export class InstrumentsService {
  constructor(
    private readonly repository: InstrumentsRepository,
    private readonly instrumentLoader: DataLoader<number, Instrument | null>,
    private readonly feeLoader: DataLoader<number, FeeRate[]>,
    private readonly availability: AvailabilityService,
    /** The request's clock reading. */
    private readonly now: Date,
  ) {}

  /**
   * Instruments by local id in the order asked; null for ids that name no listed instrument (no instrument
   * at all, with `includeDecommissioned`: booking histories still show what was booked).
   */
  async byIds(ids: readonly string[], includeDecommissioned = false): Promise<(Instrument | null)[]> {
    if (ids.length > 1000) throw errors.limitExceeded('At most 1000 ids per call', 'ids');
    const numeric = ids.map((id) => (/^[1-9]\d{0,15}$/.test(id) ? Number(id) : 0));
    if (includeDecommissioned) {
      const found = new Map((await this.repository.findByIds(numeric, { includeDecommissioned })).map((i) => [i.id, i]));
      return numeric.map((id) => found.get(id) ?? null);
    }
    const results = await this.instrumentLoader.loadMany(numeric);
    return results.map((r) => {
      if (r instanceof Error) throw r;
      return r;
    });
  }

  /**
   * One page of matches with the total and category counts of all of them. Text, price and flag filters
   * run in SQL; a search that filters or sorts by availability then computes each match's earliest free
   * stretch from open hours, blackouts and bookings (one query each for all matches).
   */
  async search(input: LocalSearchInput): Promise<{ totalCount: number; hits: SearchHit[]; categories: FacetCount[] }> {
    const criteria = toCriteria(input, this.now);
    if (criteria.availability) return this.searchByAvailability(criteria, criteria.availability);
    const [hits, { totalCount, categories }] = await Promise.all([
      this.repository.search(criteria),
      this.repository.aggregate(criteria),
    ]);
    for (const hit of hits) this.instrumentLoader.prime(hit.instrument.id, hit.instrument);
    return { totalCount, hits: hits.map((hit) => ({ ...hit, availableFrom: null })), categories };
  }

  private async searchByAvailability(
    c: SearchCriteria,
    { window, minutes, required }: NonNullable<SearchCriteria['availability']>,
  ): Promise<{ totalCount: number; hits: SearchHit[]; categories: FacetCount[] }> {
    const candidates = await this.repository.candidates(c);
    const starts = await this.availability.earliestFreeStarts(
      candidates.map((x) => x.id),
      window,
      minutes,
    );
    const matches = candidates
      .map((x) => ({ ...x, availableFrom: starts.get(x.id) ?? null }))
      .filter((x) => !required || x.availableFrom !== null);
    const order = (a: (typeof matches)[number], b: (typeof matches)[number]) =>
      compareSortKeys(c.sort, sortKeyOf(c.sort, a), sortKeyOf(c.sort, b)) || a.id - b.id;
    const after = c.after;
    const remaining = after
      ? matches.filter((x) => {
          const cmp = compareSortKeys(c.sort, sortKeyOf(c.sort, x), after.key);
          return cmp > 0 || (cmp === 0 && after.id !== null && x.id > after.id);
        })
      : matches;
    const page = remaining.sort(order).slice(0, c.limit);
    const instruments = await this.instrumentLoader.loadMany(page.map((x) => x.id));
    const hits = page.flatMap((x, i): SearchHit[] => {
      const instrument = instruments[i];
      if (instrument instanceof Error) throw instrument;
      // Decommissioned between the two reads: left out of this page.
      if (!instrument) return [];
      return [{ instrument, score: x.score, distanceKm: x.distanceKm, availableFrom: x.availableFrom }];
    });
    return { totalCount: matches.length, hits, categories: facetOf(matches.map((x) => x.category)) };
  }

  fees(instrumentId: number): Promise<FeeRate[]> {
    return this.feeLoader.load(instrumentId);
  }

  countListed(): Promise<number> {
    return this.repository.countListed();
  }
}
