import type DataLoader from 'dataloader';
import { requireInstitutionManager, type Identity } from '@kyoyo/auth';
import {
  DEFAULT_MAX_BOOKING_MINUTES,
  errors,
  normalizeText,
  queryTokens,
  queryWords,
  validateFeeSchedule,
  validateGeoPoint,
  validateNear,
  validateSearchQuery,
  type FeeRate,
  type GeoPoint,
} from '@kyoyo/domain';
import { searchColumnsOf } from './instruments.search';
import type { InstrumentsRepository } from './instruments.repository';
import type { FacetCount, Instrument, InstrumentListing, LocalSort, SearchCriteria, SearchHit } from './instruments.types';

/** Local search input as the GraphQL layer hands it over (already type-checked by the schema). */
export interface LocalSearchInput {
  query?: string | null;
  categories?: string[] | null;
  minAcquisitionPrice?: number | null;
  sharedExternally?: boolean | null;
  remoteOperable?: boolean | null;
  near?: { point: GeoPoint; radiusKm: number } | null;
  fallbackLocation?: GeoPoint | null;
  sort: LocalSort;
  offset: number;
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
  fees?: FeeRate[] | null;
}

export const MAX_SEARCH_LIMIT = 2000;
export const MAX_SEARCH_OFFSET = 100_000;

/** Trimmed text, or null when empty; `BAD_USER_INPUT` past `max` characters. */
function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  const text = value?.trim() ?? '';
  if (text.length > max) throw errors.badInput(field, `${field} is longer than ${max} characters`);
  return text.length > 0 ? text : null;
}

function requiredText(value: string, field: string, max: number): string {
  const text = optionalText(value, field, max);
  if (text === null) throw errors.badInput(field, `${field} must not be empty`);
  return text;
}

/** Checks a listing and gives it its stored shape; every rule names the input field at fault. */
export function toListing(input: InstrumentInput): InstrumentListing {
  const localId = requiredText(input.localId, 'input.localId', 100);
  if (/\p{Cc}/u.test(localId)) throw errors.badInput('input.localId', 'input.localId must not contain control characters');
  if (input.location) validateGeoPoint(input.location, 'input.location');
  const maxBookingMinutes = input.maxBookingMinutes ?? DEFAULT_MAX_BOOKING_MINUTES;
  if (!Number.isInteger(maxBookingMinutes) || maxBookingMinutes < 15 || maxBookingMinutes > 10080) {
    throw errors.badInput('input.maxBookingMinutes', 'input.maxBookingMinutes must be from 15 to 10080 minutes');
  }
  if (input.fees) validateFeeSchedule(input.fees, 'input.fees');
  return {
    localId,
    name: requiredText(input.name, 'input.name', 500),
    nameEn: optionalText(input.nameEn, 'input.nameEn', 500),
    category: requiredText(input.category, 'input.category', 200),
    manufacturer: optionalText(input.manufacturer, 'input.manufacturer', 200),
    model: optionalText(input.model, 'input.model', 200),
    description: optionalText(input.description, 'input.description', 10_000),
    acquisitionPrice: input.acquisitionPrice ?? null,
    acquiredOn: input.acquiredOn ?? null,
    building: optionalText(input.building, 'input.building', 300),
    location: input.location ?? null,
    sharedExternally: input.sharedExternally,
    remoteOperable: input.remoteOperable,
    requiresApproval: input.requiresApproval,
    requiresQualification: input.requiresQualification,
    maxBookingMinutes,
    ...(input.fees ? { fees: input.fees } : {}),
  };
}

/** Checks a local search and normalises its query. */
export function toCriteria(input: LocalSearchInput): SearchCriteria {
  validateSearchQuery(input.query, 'input.query');
  const query = normalizeText(input.query ?? '') || null;
  if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > MAX_SEARCH_LIMIT) {
    throw errors.badInput('input.limit', `input.limit must be from 1 to ${MAX_SEARCH_LIMIT}`);
  }
  if (!Number.isInteger(input.offset) || input.offset < 0 || input.offset > MAX_SEARCH_OFFSET) {
    throw errors.badInput('input.offset', `input.offset must be from 0 to ${MAX_SEARCH_OFFSET}`);
  }
  if (input.near) validateNear(input.near, 'input.near');
  if (input.fallbackLocation) validateGeoPoint(input.fallbackLocation, 'input.fallbackLocation');
  if (input.sort === 'DISTANCE' && !input.near) throw errors.badInput('input.sort', 'Sorting by distance needs input.near');
  if (input.categories && input.categories.length > 200) throw errors.badInput('input.categories', 'At most 200 categories');
  return {
    query,
    words: query ? queryWords(query) : [],
    tokens: query ? queryTokens(query) : [],
    categories: input.categories ?? null,
    minAcquisitionPrice: input.minAcquisitionPrice ?? null,
    sharedExternally: input.sharedExternally ?? null,
    remoteOperable: input.remoteOperable ?? null,
    near: input.near ?? null,
    fallbackLocation: input.fallbackLocation ?? null,
    sort: input.sort,
    offset: input.offset,
    limit: input.limit,
  };
}

/** The instrument use cases of one request. */
export class InstrumentsService {
  constructor(
    private readonly institution: string,
    private readonly repository: InstrumentsRepository,
    private readonly instrumentLoader: DataLoader<number, Instrument | null>,
    private readonly feeLoader: DataLoader<number, FeeRate[]>,
  ) {}

  /** Instruments by local id in the order asked; null for ids that name no listed instrument. */
  async byIds(ids: readonly string[]): Promise<(Instrument | null)[]> {
    if (ids.length > 1000) throw errors.limitExceeded('At most 1000 ids per call', 'ids');
    const results = await this.instrumentLoader.loadMany(ids.map((id) => (/^[1-9]\d{0,15}$/.test(id) ? Number(id) : 0)));
    return results.map((r) => {
      if (r instanceof Error) throw r;
      return r;
    });
  }

  async search(input: LocalSearchInput): Promise<{ totalCount: number; hits: SearchHit[]; categories: FacetCount[] }> {
    const criteria = toCriteria(input);
    const [hits, { totalCount, categories }] = await Promise.all([
      this.repository.search(criteria),
      this.repository.aggregate(criteria),
    ]);
    for (const hit of hits) this.instrumentLoader.prime(hit.instrument.id, hit.instrument);
    return { totalCount, hits, categories };
  }

  /** Facility office of this institution, or ADMIN: creates or updates a listing. */
  async upsert(input: InstrumentInput, identity: Identity | null): Promise<Instrument> {
    requireInstitutionManager(identity, this.institution);
    const listing = toListing(input);
    const { instrument } = await this.repository.upsert(listing, searchColumnsOf(listing));
    this.instrumentLoader.clear(instrument.id).prime(instrument.id, instrument);
    this.feeLoader.clear(instrument.id);
    return instrument;
  }

  fees(instrumentId: number): Promise<FeeRate[]> {
    return this.feeLoader.load(instrumentId);
  }

  countListed(): Promise<number> {
    return this.repository.countListed();
  }
}
