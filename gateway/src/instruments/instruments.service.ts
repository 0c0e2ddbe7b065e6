import type DataLoader from 'dataloader';
import { requireInstitutionManager, type Identity } from '@kyoyo/auth';
import {
  BOOKING_MIN_MINUTES,
  bookableFrom,
  EARLIEST_AVAILABLE_WINDOW_DAYS,
  normalizeText,
  queryTokens,
  queryWords,
  DomainError,
  ErrorCode,
  errors,
  isInstitutionCode,
  MAX_FILTER_VALUES,
  validateAvailabilityWindow,
  validateFilterValues,
  validateNear,
  validateSearchQuery,
  type GeoPoint,
  type SearchSort,
} from '@kyoyo/domain';
import type { CatalogueFreshness } from '../catalogue/catalogue.freshness';
import type { CatalogueEquivalentsRepository } from '../catalogue/catalogue-equivalents.repository';
import type { CatalogueReportsRepository } from '../catalogue/catalogue-reports.repository';
import type { CatalogueSearchRepository } from '../catalogue/catalogue-search.repository';
import type { CatalogueCriteria } from '../catalogue/catalogue.types';
import type { CallContext, InstitutionClient } from '../federation/institution-client';
import type { InstitutionRegistry } from '../registry/registry';
import type { RegisteredInstitution } from '../registry/registry.types';
import { UPSERT_INSTRUMENT, type UpsertInstrumentData } from './instruments.documents';
import type { FederatedInstrument, InstrumentKey } from './instruments.types';
import { decodeCursor, encodeCursor, searchDigest, sumFacets } from './search.cursor';

export const MAX_PAGE_SIZE = 100;

/** Words shorter than this are found through the character-bigram index; longer ones through trigrams. */
const TRIGRAM_MIN_CHARS = 3;

/** What search reads: the national catalogue (on the read replica when one is configured) and its freshness. */
export interface CatalogueReads {
  search: CatalogueSearchRepository;
  /** Duplicate-check candidates and their use. */
  equivalents: CatalogueEquivalentsRepository;
  /** The current fiscal year's sharing figures. */
  reports: CatalogueReportsRepository;
  freshness: CatalogueFreshness;
}

/** The availability a search asks about: its `availableIn` filter, or the window `EARLIEST_AVAILABLE` looks into. */
function availabilityOf(
  availableIn: { from: Date; to: Date; minutes: number } | null,
  now: Date,
): NonNullable<CatalogueCriteria['availability']> {
  const asOf = bookableFrom(now);
  const clip = (from: Date, to: Date) => ({ start: from < asOf ? asOf : from, end: to });
  if (availableIn) return { window: clip(availableIn.from, availableIn.to), minutes: availableIn.minutes, required: true };
  const to = new Date(asOf.getTime() + EARLIEST_AVAILABLE_WINDOW_DAYS * 86_400_000);
  return { window: clip(asOf, to), minutes: BOOKING_MIN_MINUTES, required: false };
}

/** Search arguments as GraphQL hands them over. */
export interface SearchArgs {
  query?: string | null;
  filter?: {
    categories?: string[] | null;
    institutions?: string[] | null;
    prefectures?: string[] | null;
    near?: { point: GeoPoint; radiusKm: number } | null;
    minAcquisitionPrice?: number | null;
    sharedExternally?: boolean | null;
    remoteOperable?: boolean | null;
    availableIn?: { from: Date; to: Date; minutes: number } | null;
  } | null;
  sort: SearchSort;
  first: number;
  after?: string | null;
}

export interface SearchEdge {
  cursor: string;
  node: FederatedInstrument;
  score: number;
  distanceKm: number | null;
  availableFrom: Date | null;
}

export interface SearchResult {
  edges: SearchEdge[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
  facets: { categories: FacetCount[]; institutions: FacetCount[]; prefectures: FacetCount[] };
  unavailableInstitutions: RegisteredInstitution[];
  staleInstitutions: RegisteredInstitution[];
}

interface FacetCount {
  value: string;
  count: number;
}

/** Listing input of the public API: the owning institution plus the service's listing fields. */
export interface PublicInstrumentInput extends Record<string, unknown> {
  institution: string;
}

/** The instrument use cases of one gateway request. */
export class InstrumentsService {
  constructor(
    private readonly registry: InstitutionRegistry,
    private readonly client: InstitutionClient,
    private readonly call: CallContext,
    private readonly loader: DataLoader<InstrumentKey, FederatedInstrument | null, string>,
    private readonly catalogue: CatalogueReads,
  ) {}

  /** One instrument by global id: `BAD_USER_INPUT` when malformed, `NOT_FOUND` when nothing has it. */
  async byGlobalId(id: string, field = 'id'): Promise<FederatedInstrument> {
    const { institution, localId } = this.registry.locate(id, 'Instrument', field);
    const instrument = await this.loader.load({ institution, localId });
    if (!instrument) throw new DomainError(ErrorCode.NOT_FOUND, 'No instrument has this id', field);
    return instrument;
  }

  /** One instrument by institution and local id (an instrument a booking or closure refers to). */
  async byKey(key: InstrumentKey): Promise<FederatedInstrument> {
    const instrument = await this.loader.load(key);
    if (!instrument) throw new DomainError(ErrorCode.NOT_FOUND, `${key.institution} no longer lists instrument ${key.localId}`);
    return instrument;
  }

  /** Where distances are measured from: the `near` point, else the viewer's home institution. */
  private originOf(args: SearchArgs, identity: Identity | null): GeoPoint | null {
    if (args.filter?.near) return args.filter.near.point;
    const home = identity?.institution ? this.registry.get(identity.institution) : undefined;
    return home?.location ?? null;
  }

  /** Institutions a search asks: all members, narrowed by the institution and prefecture filters. */
  private targetsOf(args: SearchArgs): RegisteredInstitution[] {
    const codes = args.filter?.institutions;
    if (codes) {
      if (codes.length > MAX_FILTER_VALUES) throw errors.badInput('filter.institutions', `At most ${MAX_FILTER_VALUES} values`);
      const malformed = codes.findIndex((c) => !isInstitutionCode(c));
      if (malformed >= 0) {
        throw errors.badInput(`filter.institutions[${malformed}]`, 'Not an institution code (such as kyoto-u)');
      }
      const unknown = codes.filter((c) => !this.registry.get(c));
      if (unknown.length > 0) throw errors.badInput('filter.institutions', `Not member institutions: ${unknown.join(', ')}`);
    }
    const prefectures = args.filter?.prefectures;
    return this.registry
      .all()
      .filter((i) => !codes || codes.includes(i.code))
      .filter((i) => !prefectures || prefectures.includes(i.prefecture));
  }

  /**
   * Searches the national catalogue: one query for the page and one for the count and facets, whatever the
   * number of institutions. Paging is by keyset in the national order (sort key, institution code, local id).
   * Institutions whose part of the catalogue is older than the threshold are listed with their "as of" time
   * (`staleInstitutions`); their instruments stay in the results. Only members the catalogue holds nothing of
   * yet (never harvested) are `unavailableInstitutions`.
   */
  async search(args: SearchArgs, identity: Identity | null): Promise<SearchResult> {
    if (!Number.isInteger(args.first) || args.first < 0 || args.first > MAX_PAGE_SIZE) {
      throw errors.badInput('first', `first must be from 0 to ${MAX_PAGE_SIZE}`);
    }
    validateSearchQuery(args.query, 'query');
    const filter = args.filter ?? {};
    validateFilterValues(filter.categories, 'filter.categories');
    validateFilterValues(filter.prefectures, 'filter.prefectures');
    if (filter.near) validateNear(filter.near, 'filter.near');
    if (filter.availableIn) validateAvailabilityWindow(filter.availableIn, 'filter.availableIn');
    const sort = args.sort;
    const digest = searchDigest({ query: args.query ?? null, filter, sort });
    const cursor = args.after ? decodeCursor(args.after, digest) : null;
    const origin = this.originOf(args, identity);
    if (sort === 'DISTANCE' && !origin) {
      throw errors.badInput(
        'sort',
        'Sorting by distance needs filter.near, or a signed-in user whose home institution is a member',
      );
    }
    const asksAvailability = !!filter.availableIn || sort === 'EARLIEST_AVAILABLE';
    const asOf = asksAvailability ? new Date(cursor?.asOf ?? Date.now()) : null;
    const targets = this.targetsOf(args);
    const narrowed = !!filter.institutions || !!filter.prefectures;
    const query = normalizeText(args.query ?? '') || null;
    const words = query ? queryWords(query) : [];
    const criteria: CatalogueCriteria = {
      query,
      words,
      tokens: queryTokens(words.filter((w) => [...w].length < TRIGRAM_MIN_CHARS).join(' ')),
      categories: filter.categories ?? null,
      institutions: narrowed ? targets.map((t) => t.code) : null,
      minAcquisitionPrice: filter.minAcquisitionPrice ?? null,
      sharedExternally: filter.sharedExternally ?? null,
      remoteOperable: filter.remoteOperable ?? null,
      near: filter.near ?? null,
      origin,
      availability: asOf ? availabilityOf(filter.availableIn ?? null, asOf) : null,
      sort,
      after: cursor ? { key: cursor.key, institution: cursor.institution, id: Number(cursor.localId) } : null,
      limit: args.first,
    };
    const [page, freshness] = await Promise.all([this.catalogue.search.search(criteria), this.catalogue.freshness.all()]);
    const edges = page.hits.map((hit) => {
      this.loader.prime({ institution: hit.instrument.institutionCode, localId: hit.instrument.id }, hit.instrument);
      return {
        cursor: encodeCursor({
          search: digest,
          key: hit.key,
          institution: hit.instrument.institutionCode,
          localId: hit.instrument.id,
          asOf: asOf?.getTime() ?? null,
        }),
        node: hit.instrument,
        score: hit.score,
        distanceKm: hit.distanceKm,
        availableFrom: hit.availableFrom,
      };
    });
    const prefectures = new Map<string, number>();
    for (const { value, count } of page.institutions) {
      const prefecture = this.registry.get(value)?.prefecture;
      if (prefecture) prefectures.set(prefecture, (prefectures.get(prefecture) ?? 0) + count);
    }
    return {
      edges,
      pageInfo: { hasNextPage: page.hasMore, endCursor: edges.at(-1)?.cursor ?? args.after ?? null },
      totalCount: page.totalCount,
      facets: {
        categories: page.categories,
        institutions: page.institutions,
        prefectures: sumFacets([[...prefectures].map(([value, count]) => ({ value, count }))]),
      },
      unavailableInstitutions: targets.filter((t) => !freshness.get(t.code)?.currentTo),
      staleInstitutions: targets.filter((t) => {
        const f = freshness.get(t.code);
        return f?.currentTo && f.stale;
      }),
    };
  }

  /** Facility office of the institution, or ADMIN: creates or updates a listing at its institution. */
  async upsert(input: PublicInstrumentInput, identity: Identity | null): Promise<FederatedInstrument> {
    const { institution, ...listing } = input;
    requireInstitutionManager(identity, institution);
    if (!this.registry.get(institution)) throw errors.badInput('input.institution', `${institution} is not a member institution`);
    const data = await this.client.request<UpsertInstrumentData>(
      institution,
      'UpsertInstrument',
      UPSERT_INSTRUMENT,
      { input: listing },
      this.call,
    );
    const instrument = { ...data.upsertInstrument, institutionCode: institution };
    this.loader.clear({ institution, localId: instrument.id }).prime({ institution, localId: instrument.id }, instrument);
    return instrument;
  }
}
