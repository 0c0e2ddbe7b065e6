import type DataLoader from 'dataloader';
import { requireInstitutionManager, type Identity } from '@kyoyo/auth';
import {
  decodeGlobalId,
  DomainError,
  ErrorCode,
  errors,
  haversineKm,
  MAX_SEARCH_RADIUS_KM,
  validateNear,
  validateSearchQuery,
  type GeoPoint,
} from '@kyoyo/domain';
import { fanOut, type CallContext, type InstitutionClient } from '../federation/institution-client';
import type { InstitutionRegistry } from '../registry/registry';
import type { RegisteredInstitution } from '../registry/registry.types';
import { LOCAL_SEARCH, UPSERT_INSTRUMENT, type LocalSearchData, type UpsertInstrumentData } from './instruments.documents';
import type { FederatedInstrument, InstrumentKey } from './instruments.types';
import {
  decodeCursor,
  encodeCursor,
  MAX_SEARCH_DEPTH,
  mergeHits,
  sumFacets,
  type FederatedHit,
  type NationalSort,
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
  sort: NationalSort | 'EARLIEST_AVAILABLE';
  first: number;
  after?: string | null;
}

export interface SearchEdge {
  cursor: string;
  node: FederatedInstrument;
  score: number;
  distanceKm: number | null;
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
    const { institution, localId } = decodeGlobalId(id, 'Instrument', field);
    if (!this.registry.get(institution)) throw new DomainError(ErrorCode.NOT_FOUND, 'No instrument has this id', field);
    const instrument = await this.loader.load({ institution, localId });
    if (!instrument) throw new DomainError(ErrorCode.NOT_FOUND, 'No instrument has this id', field);
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
   * Searches every institution at once and merges the answers into one national order. Each institution
   * returns its best `position + first + 1` hits, so the merged list decides the page and whether another
   * follows; institutions that do not answer in time are listed, the rest is returned.
   */
  async search(args: SearchArgs, identity: Identity | null): Promise<SearchResult> {
    if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_PAGE_SIZE) {
      throw errors.badInput('first', `first must be from 1 to ${MAX_PAGE_SIZE}`);
    }
    validateSearchQuery(args.query, 'query');
    if (args.filter?.near) validateNear(args.filter.near, 'filter.near');
    if (args.filter?.availableIn) throw errors.notImplemented('filter.availableIn', 3);
    if (args.sort === 'EARLIEST_AVAILABLE') throw errors.notImplemented('sort EARLIEST_AVAILABLE', 3);
    const sort: NationalSort = args.sort;
    const start = args.after ? decodeCursor(args.after) + 1 : 0;
    if (start + args.first > MAX_SEARCH_DEPTH) {
      throw errors.limitExceeded(`Search results can be paged to position ${MAX_SEARCH_DEPTH}; narrow the query`, 'after');
    }
    const origin = this.originOf(args, identity);
    if (sort === 'DISTANCE' && !origin) {
      throw errors.badInput(
        'sort',
        'Sorting by distance needs filter.near, or a signed-in user whose home institution is a member',
      );
    }
    const near = args.filter?.near ?? (sort === 'DISTANCE' && origin ? { point: origin, radiusKm: MAX_SEARCH_RADIUS_KM } : null);
    const filter = args.filter ?? {};

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
              sort,
              offset: 0,
              limit: start + args.first + 1,
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
        return { instrument, score: hit.score, distanceKm };
      }),
    );
    const merged = mergeHits(lists, sort);
    const page = merged.slice(start, start + args.first);
    const edges = page.map((hit, i) => ({
      cursor: encodeCursor(start + i),
      node: hit.instrument,
      score: hit.score,
      distanceKm: hit.distanceKm,
    }));

    const prefectureCounts = answered.map(({ institution, value }) => [
      { value: institution.prefecture, count: value.totalCount },
    ]);
    return {
      edges,
      pageInfo: { hasNextPage: merged.length > start + args.first, endCursor: edges.at(-1)?.cursor ?? null },
      totalCount: answered.reduce((sum, a) => sum + a.value.totalCount, 0),
      facets: {
        categories: sumFacets(answered.map((a) => a.value.categories)),
        institutions: sumFacets(answered.map(({ institution, value }) => [{ value: institution.code, count: value.totalCount }])),
        prefectures: sumFacets(prefectureCounts),
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
