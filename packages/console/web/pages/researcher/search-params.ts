/**
 * The national search as the address keeps it (`#/search?q=…&cat=…&sort=…`): reading it back, checking a
 * draft before it is applied, and turning it into `searchInstruments` variables.
 */
import type { MessageKey } from '../../i18n';
import { addDays, tokyoToday } from '../../format';
import { INSTRUMENT_SORTS, type GeoPoint, type InstrumentSort } from './model';

/** What the user asked for, as typed (numbers stay text until they are checked). */
export interface SearchState {
  q: string;
  categories: string[];
  institutions: string[];
  prefectures: string[];
  sharedOnly: boolean;
  remoteOnly: boolean;
  minPrice: string;
  /** Where "near" is measured from: '' (nowhere), 'home' (my home institution) or an institution code. */
  nearFrom: string;
  nearKm: string;
  /** A free stretch of this many hours between `availableFrom` and `availableTo` (Tokyo dates, inclusive). */
  availableHours: string;
  availableFrom: string;
  availableTo: string;
  sort: InstrumentSort;
}

/** Lists travel as one parameter: no category, prefecture or institution code holds a `|`. */
const LIST_SEPARATOR = '|';

const list = (value: string | null) => (value ? value.split(LIST_SEPARATOR).filter(Boolean) : []);

export function readSearch(query: URLSearchParams): SearchState {
  const sort = query.get('sort') as InstrumentSort | null;
  return {
    q: query.get('q') ?? '',
    categories: list(query.get('cat')),
    institutions: list(query.get('inst')),
    prefectures: list(query.get('pref')),
    sharedOnly: query.get('shared') === '1',
    remoteOnly: query.get('remote') === '1',
    minPrice: query.get('minPrice') ?? '',
    nearFrom: query.get('near') ?? '',
    nearKm: query.get('km') ?? '',
    availableHours: query.get('hours') ?? '',
    availableFrom: query.get('from') ?? '',
    availableTo: query.get('to') ?? '',
    sort: sort && INSTRUMENT_SORTS.includes(sort) ? sort : 'RELEVANCE',
  };
}

/** The address query of a search (empty values are left out). */
export function searchQuery(state: SearchState): Record<string, string | null> {
  const join = (values: string[]) => (values.length ? values.join(LIST_SEPARATOR) : null);
  return {
    q: state.q.trim() || null,
    cat: join(state.categories),
    inst: join(state.institutions),
    pref: join(state.prefectures),
    shared: state.sharedOnly ? '1' : null,
    remote: state.remoteOnly ? '1' : null,
    minPrice: state.minPrice.trim() || null,
    near: state.nearFrom || null,
    km: state.nearFrom ? state.nearKm.trim() || null : null,
    hours: state.availableHours.trim() || null,
    from: state.availableHours.trim() ? state.availableFrom || null : null,
    to: state.availableHours.trim() ? state.availableTo || null : null,
    sort: state.sort === 'RELEVANCE' ? null : state.sort,
  };
}

export const DEFAULT_NEAR_KM = '50';
/** How far ahead an availability filter looks when the user gives no end date. */
const DEFAULT_AVAILABLE_DAYS = 14;
/** The gateway's limit on an availability window. */
const MAX_AVAILABLE_DAYS = 92;

export type SearchProblems = Partial<
  Record<'minPrice' | 'nearKm' | 'availableHours' | 'availableFrom' | 'availableTo', MessageKey>
>;

/** Fills what a draft leaves implicit: the radius of "near", the dates of "available in". */
export function withDefaults(state: SearchState): SearchState {
  const next = { ...state };
  if (next.nearFrom && !next.nearKm.trim()) next.nearKm = DEFAULT_NEAR_KM;
  if (next.availableHours.trim()) {
    if (!next.availableFrom) next.availableFrom = tokyoToday();
    if (!next.availableTo) next.availableTo = addDays(next.availableFrom, DEFAULT_AVAILABLE_DAYS - 1);
  }
  return next;
}

const isWholeYen = (text: string) => /^\d{1,15}$/.test(text.trim());

/** What is wrong with a draft, by field (as message keys); empty when it can be searched. */
export function checkSearch(state: SearchState): SearchProblems {
  const problems: SearchProblems = {};
  if (state.minPrice.trim() && !isWholeYen(state.minPrice)) problems.minPrice = 'researcher.search.problem.minPrice';
  const km = Number(state.nearKm);
  if (state.nearFrom && !(km > 0 && km <= 3000)) problems.nearKm = 'researcher.search.problem.nearKm';
  if (state.availableHours.trim()) {
    const hours = Number(state.availableHours);
    if (!(hours >= 0.25 && hours <= 168)) problems.availableHours = 'researcher.search.problem.hours';
    if (state.availableTo < state.availableFrom) problems.availableTo = 'researcher.search.problem.toBeforeFrom';
    else if (state.availableTo > addDays(state.availableFrom, MAX_AVAILABLE_DAYS - 1))
      problems.availableTo = 'researcher.search.problem.tooLong';
    if (state.availableTo && state.availableTo < tokyoToday()) problems.availableTo = 'researcher.search.problem.past';
  }
  return problems;
}

/** Where "near" and distance sorting measure from: my home institution's campus, or a chosen institution's. */
export interface Origins {
  home: GeoPoint | null;
  institutions: Map<string, GeoPoint>;
}

export function nearPoint(state: SearchState, origins: Origins): GeoPoint | null {
  if (!state.nearFrom) return null;
  return state.nearFrom === 'home' ? origins.home : (origins.institutions.get(state.nearFrom) ?? null);
}

/** Distance sorting needs a point: the "near" one, else my home institution (the gateway's rule). */
export function canSortByDistance(state: SearchState, origins: Origins): boolean {
  return !!nearPoint(state, origins) || !!origins.home;
}

export interface InstrumentFilter {
  categories?: string[];
  institutions?: string[];
  prefectures?: string[];
  sharedExternally?: boolean;
  remoteOperable?: boolean;
  minAcquisitionPrice?: number;
  near?: { point: GeoPoint; radiusKm: number };
  availableIn?: { from: string; to: string; minutes: number };
}

/** The `filter` argument of a search; unreadable parts (a hand-edited address) are left out. */
export function toFilter(state: SearchState, origins: Origins): InstrumentFilter {
  const filter: InstrumentFilter = {};
  if (state.categories.length) filter.categories = state.categories;
  if (state.institutions.length) filter.institutions = state.institutions;
  if (state.prefectures.length) filter.prefectures = state.prefectures;
  if (state.sharedOnly) filter.sharedExternally = true;
  if (state.remoteOnly) filter.remoteOperable = true;
  if (isWholeYen(state.minPrice)) filter.minAcquisitionPrice = Number(state.minPrice.trim());
  const point = nearPoint(state, origins);
  const km = Number(state.nearKm || DEFAULT_NEAR_KM);
  if (point && km > 0) filter.near = { point, radiusKm: km };
  const hours = Number(state.availableHours);
  if (state.availableHours.trim() && hours > 0 && state.availableFrom && state.availableTo) {
    filter.availableIn = {
      from: `${state.availableFrom}T00:00:00+09:00`,
      to: `${addDays(state.availableTo, 1)}T00:00:00+09:00`,
      minutes: Math.round(hours * 60),
    };
  }
  return filter;
}

/** The sort to ask for: distance falls back to relevance when there is nothing to measure from. */
export function effectiveSort(state: SearchState, origins: Origins): InstrumentSort {
  return state.sort === 'DISTANCE' && !canSortByDistance(state, origins) ? 'RELEVANCE' : state.sort;
}
