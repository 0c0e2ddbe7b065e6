import type DataLoader from 'dataloader';
import { requireInstitutionManager, type Identity } from '@kyoyo/auth';
import {
  DomainError,
  ErrorCode,
  errors,
  haversineKm,
  isInstitutionCode,
  MAX_FILTER_VALUES,
  MAX_SEARCH_RADIUS_KM,
  validateAvailabilityWindow,
  validateFilterValues,
  validateNear,
  validateSearchQuery,
  type GeoPoint,
  type SearchSort,
} from '@kyoyo/domain';
import { fanOut, type CallContext, type InstitutionClient } from '../federation/institution-client';
import type { InstitutionRegistry } from '../registry/registry';
import type { RegisteredInstitution } from '../registry/registry.types';
import { LOCAL_SEARCH, UPSERT_INSTRUMENT, type LocalSearchData, type UpsertInstrumentData } from './instruments.documents';
import type { FederatedInstrument, InstrumentKey } from './instruments.types';
import {
  decodeCursor,
  encodeCursor,
  mergeHits,
  resumeAt,
  searchDigest,
  sortKeyOf,
  sumFacets,
  type FederatedHit,
} from './search.merge';

export const MAX_PAGE_SIZE = 100;

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
   * Searches every institution at once and merges the answers into one national order. Paging is by keyset:
   * each institution returns its first `first + 1` hits after the cursor's position, which is enough to
   * decide the page and whether another follows, however deep the page. Institutions that do not answer in
   * time are listed; the rest is returned.
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
    const near = filter.near ?? (sort === 'DISTANCE' && origin ? { point: origin, radiusKm: MAX_SEARCH_RADIUS_KM } : null);
    const asksAvailability = !!filter.availableIn || sort === 'EARLIEST_AVAILABLE';
    const asOf = asksAvailability ? new Date(cursor?.asOf ?? Date.now()) : null;

    const { answered, unavailable } = await fanOut(this.targetsOf(args), (institution) =>
      this.client
        .request<LocalSearchData>(
          institution.code,
          'LocalSearch',
          LOCAL_SEARCH,
          {
            input: {
              query: args.query ?? null,
              categories: filter.categories ?? null,
              minAcquisitionPrice: filter.minAcquisitionPrice ?? null,
              sharedExternally: filter.sharedExternally ?? null,
              remoteOperable: filter.remoteOperable ?? null,
              near,
              fallbackLocation: institution.location,
              availableIn: filter.availableIn ?? null,
              asOf,
              sort,
              after: cursor ? resumeAt(cursor, institution.code) : null,
              limit: args.first + 1,
            },
          },
          this.call,
        )
        .then((data) => data.searchInstruments),
    );

    const lists = answered.map(({ institution, value }) =>
      value.hits.map((hit): FederatedHit => {
        const instrument = { ...hit.instrument, institutionCode: institution.code };
        this.loader.prime({ institution: institution.code, localId: instrument.id }, instrument);
        const at = instrument.location ?? institution.location;
        const distanceKm = hit.distanceKm ?? (origin && at ? haversineKm(origin, at) : null);
        const availableFrom = hit.availableFrom ? new Date(hit.availableFrom) : null;
        const partial = { instrument, score: hit.score, distanceKm: hit.distanceKm, availableFrom };
        return { ...partial, distanceKm, key: sortKeyOf(sort, partial) };
      }),
    );
    const merged = mergeHits(lists, sort);
    const edges = merged.slice(0, args.first).map((hit) => ({
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
    }));

    return {
      edges,
      pageInfo: { hasNextPage: merged.length > args.first, endCursor: edges.at(-1)?.cursor ?? args.after ?? null },
      totalCount: answered.reduce((sum, a) => sum + a.value.totalCount, 0),
      facets: {
        categories: sumFacets(answered.map((a) => a.value.categories)),
        institutions: sumFacets(answered.map(({ institution, value }) => [{ value: institution.code, count: value.totalCount }])),
        prefectures: sumFacets(
          answered.map(({ institution, value }) => [{ value: institution.prefecture, count: value.totalCount }]),
        ),
      },
      unavailableInstitutions: unavailable,
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
