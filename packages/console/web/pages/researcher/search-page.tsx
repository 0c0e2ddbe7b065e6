/**
 * `#/search`: the national search. Free text, filters and sort live in the address; results show as a list
 * and on a map of Japan, page after page ("show more").
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { gql } from '../../api';
import { ErrorMessage, Field, Loading, Page, Unavailable } from '../../components/common';
import { number } from '../../format';
import { useLang, useT } from '../../i18n';
import { navigate } from '../../router';
import { session, type Viewer } from '../../session';
import { useStore } from '../../store';
import { useAction, useQuery } from '../../use-api';
import {
  INSTITUTIONS,
  INSTRUMENT_SORTS,
  SEARCH,
  SEARCH_MORE,
  type Institution,
  type InstrumentSort,
  type SearchData,
  type SearchFacets,
  type SearchPage as ResultPage,
} from './model';
import { placeName, placesOf, ResultsMap } from './results-map';
import { ResultsList } from './results-list';
import { SearchFilters } from './search-filters';
import {
  canSortByDistance,
  checkSearch,
  effectiveSort,
  nearPoint,
  readSearch,
  searchQuery,
  toFilter,
  withDefaults,
  type InstrumentFilter,
  type Origins,
  type SearchProblems,
  type SearchState,
} from './search-params';

const PAGE_SIZE = 30;

function originsOf(institutions: Institution[], viewer: Viewer | null): Origins {
  const located = institutions.filter((i) => i.location);
  const points = new Map(located.map((i) => [i.code, i.location!]));
  return { home: (viewer?.institution && points.get(viewer.institution.code)) ?? null, institutions: points };
}

const without = (filter: InstrumentFilter, key: keyof InstrumentFilter): InstrumentFilter => {
  const rest = { ...filter };
  delete rest[key];
  return rest;
};

/** The first page with facets, then further pages appended as the user asks for them. */
function useSearchResults(
  base: { query: string | null; filter: InstrumentFilter; sort: InstrumentSort },
  state: SearchState,
  skip: boolean,
) {
  const variables = {
    ...base,
    first: PAGE_SIZE,
    categoryFilter: without(base.filter, 'categories'),
    withCategories: state.categories.length > 0,
    institutionFilter: without(base.filter, 'institutions'),
    withInstitutions: state.institutions.length > 0,
    prefectureFilter: without(base.filter, 'prefectures'),
    withPrefectures: state.prefectures.length > 0,
  };
  const first = useQuery<SearchData>(SEARCH, variables, { skip });
  const key = JSON.stringify(base);
  const [more, setMore] = useState<{ key: string; pages: ResultPage[] }>({ key, pages: [] });
  const pages = more.key === key ? more.pages : [];
  const fetchPage = useAction(
    async (after: string) =>
      (await gql<{ searchInstruments: ResultPage }>(SEARCH_MORE, { ...base, first: PAGE_SIZE, after })).searchInstruments,
  );
  const main = first.data?.searchInstruments ?? null;
  const last = pages.at(-1) ?? main;
  const loadMore = async () => {
    if (!last?.pageInfo.endCursor) return;
    const page = await fetchPage.run(last.pageInfo.endCursor);
    if (page) setMore((m) => ({ key, pages: m.key === key ? [...m.pages, page] : [page] }));
  };
  const facets: SearchFacets | null = main && {
    categories: first.data?.categoryFacets?.facets.categories ?? main.facets.categories,
    institutions: first.data?.institutionFacets?.facets.institutions ?? main.facets.institutions,
    prefectures: first.data?.prefectureFacets?.facets.prefectures ?? main.facets.prefectures,
  };
  return {
    key,
    /** Nothing asked yet (waiting for what the search needs), or the first page is on its way. */
    loading: skip || first.loading,
    first,
    main,
    facets,
    edges: main ? [...main.edges, ...pages.flatMap((p) => p.edges)] : [],
    hasMore: !!last?.pageInfo.hasNextPage,
    loadMore,
    more: fetchPage,
  };
}

export function SearchPage(props: { query: URLSearchParams }) {
  const t = useT();
  const { viewer } = useStore(session);
  const queryString = props.query.toString();
  const state = useMemo(() => readSearch(new URLSearchParams(queryString)), [queryString]);
  const [draft, setDraft] = useState(state);
  const [problems, setProblems] = useState<SearchProblems>({});
  useEffect(() => {
    setDraft(state);
    setProblems({});
  }, [state]);

  const institutions = useQuery<{ institutions: Institution[] }>(INSTITUTIONS);
  const list = institutions.data?.institutions ?? [];
  const origins = useMemo(() => originsOf(list, viewer), [list, viewer]);
  const home = list.find((i) => i.code === viewer?.institution?.code) ?? null;
  const base = { query: state.q.trim() || null, filter: toFilter(state, origins), sort: effectiveSort(state, origins) };
  const results = useSearchResults(base, state, institutions.loading);

  const apply = (next: SearchState) => {
    const ready = withDefaults(next);
    const found = checkSearch(ready);
    setDraft(ready);
    setProblems(found);
    if (Object.keys(found).length === 0) navigate('/search', searchQuery(ready));
  };

  return (
    <Page title={t('researcher.search.title')}>
      <form
        role="search"
        class="search-box"
        onSubmit={(event) => {
          event.preventDefault();
          apply(draft);
        }}
      >
        <Field label={t('researcher.search.q')} hint={t('researcher.search.qHint')}>
          {(control) => (
            <input
              {...control}
              type="search"
              name="q"
              value={draft.q}
              onInput={(e) => setDraft({ ...draft, q: e.currentTarget.value })}
            />
          )}
        </Field>
        <button type="submit">{t('researcher.search.submit')}</button>
      </form>
      <div class="sidebar-layout">
        <SearchFilters
          draft={draft}
          onEdit={setDraft}
          onApply={apply}
          problems={problems}
          serverError={results.first.error}
          facets={results.facets}
          institutions={list}
          home={home?.location ? home : null}
        />
        <section aria-labelledby="results-heading">
          <h2 id="results-heading">{t('researcher.search.results')}</h2>
          <SortControl state={state} origins={origins} onSort={(sort) => apply({ ...draft, sort })} />
          {state.nearFrom && !nearPoint(state, origins) && !institutions.loading && (
            <p class="alert warn">{t('researcher.search.nearUnknown')}</p>
          )}
          <SearchResults results={results} />
        </section>
      </div>
    </Page>
  );
}

function SortControl(props: { state: SearchState; origins: Origins; onSort(sort: InstrumentSort): void }) {
  const t = useT();
  const distance = canSortByDistance(props.state, props.origins);
  const fallback = props.state.sort === 'DISTANCE' && !distance;
  return (
    <div class="sort">
      <Field label={t('researcher.sort.label')} hint={distance || fallback ? undefined : t('researcher.sort.distanceNeedsPlace')}>
        {(control) => (
          <select
            {...control}
            name="sort"
            value={effectiveSort(props.state, props.origins)}
            onChange={(e) => props.onSort(e.currentTarget.value as InstrumentSort)}
          >
            {INSTRUMENT_SORTS.map((sort) => (
              <option key={sort} value={sort} disabled={sort === 'DISTANCE' && !distance}>
                {t(`researcher.sort.${sort}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {fallback && (
        <p class="alert warn">
          {t('researcher.sort.distanceFallback')}
          <br />
          {t('researcher.sort.distanceNeedsPlace')}
        </p>
      )}
    </div>
  );
}

function SearchResults(props: { results: ReturnType<typeof useSearchResults> }) {
  const t = useT();
  const lang = useLang();
  const { results } = props;
  const [selection, setSelection] = useState<{ search: string; place: string } | null>(null);
  const places = useMemo(() => placesOf(results.edges), [results.edges]);
  const chosen = selection?.search === results.key ? places.find((p) => p.key === selection.place) : undefined;

  // A new search replaces the old results at once rather than leaving them on show as if they answered it.
  if (results.loading) return <Loading />;
  if (results.first.error) return <ErrorMessage error={results.first.error} onRetry={results.first.reload} />;
  if (!results.main) return null;
  const { totalCount, unavailableInstitutions } = results.main;
  const shown = chosen ? chosen.items : results.edges;

  return (
    <>
      <p role="status" class="count">
        {totalCount === 0
          ? t('researcher.search.none')
          : t('researcher.search.count', { total: number(totalCount, lang), shown: number(results.edges.length, lang) })}
      </p>
      <Unavailable institutions={unavailableInstitutions} />
      {totalCount > 0 && (
        <div class="results-layout">
          <div>
            {chosen && (
              <p class="alert ok chosen-place" role="status">
                {t('researcher.map.showing', { place: placeName(chosen, lang), count: chosen.items.length })}{' '}
                <button type="button" class="link" onClick={() => setSelection(null)}>
                  {t('researcher.map.showAll')}
                </button>
              </p>
            )}
            <ResultsList edges={shown} />
            {results.more.error && <ErrorMessage error={results.more.error} onRetry={results.loadMore} />}
            {results.hasMore && !chosen && (
              <div class="actions">
                <button type="button" class="secondary" disabled={results.more.running} onClick={results.loadMore}>
                  {results.more.running ? t('common.loading') : t('researcher.search.more')}
                </button>
              </div>
            )}
          </div>
          <ResultsMap
            places={places}
            selected={chosen?.key ?? null}
            onSelect={(place) => setSelection(place ? { search: results.key, place } : null)}
          />
        </div>
      )}
    </>
  );
}
