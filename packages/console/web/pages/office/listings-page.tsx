/**
 * `#/office/listings`: the institution's listings as a table (searched with the institution filter, a text box
 * to narrow, pages by cursor), each with its edit link; new listing, CSV import and CSV export.
 */
import { useState } from 'preact/hooks';
import { download } from '../../api';
import { ErrorMessage, Field, Loading } from '../../components/common';
import { number, yen } from '../../format';
import { useLang, useT, type Lang, type Translate } from '../../i18n';
import { useAction, useQuery } from '../../use-api';
import { OfficePage, scopedHref, scopedNavigate, type OfficeScope } from './scope';
import { LISTING_FIELDS, type FeeRate, type Listing, type ListingPage } from './types';

const PAGE_SIZE = 50;

const LISTINGS = `query OfficeListings($query: String, $institution: ID!, $first: Int!, $after: String) {
  searchInstruments(query: $query, filter: { institutions: [$institution] }, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { ${LISTING_FIELDS} } } } }`;

export function ListingsPage(props: { query: URLSearchParams }) {
  const t = useT();
  return <OfficePage title={t('office.listings.title')}>{(scope) => <Listings scope={scope} query={props.query} />}</OfficePage>;
}

function Listings(props: { scope: OfficeScope; query: URLSearchParams }) {
  const t = useT();
  const lang = useLang();
  const { scope, query } = props;
  const text = query.get('q') ?? '';
  const after = query.get('after');
  const saved = query.get('saved');
  const page = useQuery<ListingPage>(LISTINGS, { query: text || null, institution: scope.code, first: PAGE_SIZE, after });
  const exported = useAction(() =>
    download(`/listings.csv?institution=${encodeURIComponent(scope.code)}`, `listings-${scope.code}.csv`),
  );
  const result = page.data?.searchInstruments;

  return (
    <>
      {saved && (
        <p class="alert ok" role="status">
          {t('office.listings.saved', { name: saved })}
        </p>
      )}
      <div class="actions no-print">
        <a class="button" href={scopedHref(scope, '/office/listings/new')}>
          {t('office.listings.new')}
        </a>
        <a class="button secondary" href={scopedHref(scope, '/office/import')}>
          {t('office.listings.import')}
        </a>
        <button type="button" class="secondary" disabled={exported.running} onClick={() => void exported.run()}>
          {t('office.listings.export')}
        </button>
      </div>
      <ErrorMessage error={exported.error} />
      <FilterBox key={text} scope={scope} text={text} />
      <ErrorMessage error={page.error} onRetry={page.reload} />
      {page.loading && <Loading />}
      {result && (
        <>
          <p role="status" data-testid="listing-count">
            {t('office.listings.count', { count: number(result.totalCount, lang) })}
            {text && ` ${t('office.listings.filtered', { text })}`}
          </p>
          <ListingTable scope={scope} listings={result.edges.map((e) => e.node)} />
          <nav class="actions" aria-label={t('office.listings.pages')}>
            {after && <a href={scopedHref(scope, '/office/listings', { q: text })}>{t('office.listings.firstPage')}</a>}
            {result.pageInfo.hasNextPage && result.pageInfo.endCursor && (
              <a href={scopedHref(scope, '/office/listings', { q: text, after: result.pageInfo.endCursor })}>
                {t('office.listings.nextPage')}
              </a>
            )}
          </nav>
          <p class="muted small">{t('office.listings.decommissionedHint')}</p>
        </>
      )}
    </>
  );
}

/** The text box that narrows the table (kept in the address as `q`; keyed by it, so it starts afresh on a new address). */
function FilterBox(props: { scope: OfficeScope; text: string }) {
  const t = useT();
  const [value, setValue] = useState(props.text);
  return (
    <form
      class="filter-box no-print"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        scopedNavigate(props.scope, '/office/listings', { q: value.trim() });
      }}
    >
      <Field label={t('office.listings.filter')} hint={t('office.listings.filterHint')}>
        {(control) => (
          <input {...control} type="search" name="q" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
        )}
      </Field>
      <button type="submit">{t('office.listings.filterSubmit')}</button>
    </form>
  );
}

function yesNo(value: boolean, t: Translate) {
  return value ? <span class="badge good">{t('common.yes')}</span> : <span class="muted">{t('common.no')}</span>;
}

/** The self-use rates by category, and how many other rates (assisted, delegated) there are. */
function FeeSummary(props: { fees: FeeRate[]; lang: Lang; t: Translate }) {
  const { fees, lang, t } = props;
  if (fees.length === 0) return <span class="muted">{t('office.listings.noFees')}</span>;
  const self = fees.filter((f) => f.mode === 'SELF');
  const others = fees.length - self.length;
  return (
    <ul class="plain">
      {self.map((f) => (
        <li key={f.userCategory}>
          {t('office.listings.selfRate', { category: t(`common.category.${f.userCategory}`), rate: yen(f.hourlyRate, lang) })}
        </li>
      ))}
      {others > 0 && <li class="muted">{t('office.listings.otherRates', { count: others })}</li>}
    </ul>
  );
}

function ListingTable(props: { scope: OfficeScope; listings: Listing[] }) {
  const t = useT();
  const lang = useLang();
  if (props.listings.length === 0) return <p>{t('office.listings.empty')}</p>;
  return (
    <div class="table-scroll">
      <table class="listing-table">
        <thead>
          <tr>
            <th scope="col">{t('office.field.localId')}</th>
            <th scope="col">{t('office.field.name')}</th>
            <th scope="col">{t('office.field.category')}</th>
            <th scope="col" class="num">
              {t('office.field.acquisitionPrice')}
            </th>
            <th scope="col">{t('office.listings.shared')}</th>
            <th scope="col">{t('office.listings.approval')}</th>
            <th scope="col">{t('office.listings.qualification')}</th>
            <th scope="col">{t('office.listings.fees')}</th>
            <th scope="col">
              <span class="visually-hidden">{t('office.listings.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.listings.map((listing) => (
            <tr key={listing.id}>
              <td class="nowrap">{listing.localId}</td>
              <th scope="row">
                {listing.name}
                {listing.nameEn && <div class="muted small">{listing.nameEn}</div>}
              </th>
              <td>{listing.category}</td>
              <td class="num">{yen(listing.acquisitionPrice, lang)}</td>
              <td>{yesNo(listing.sharedExternally, t)}</td>
              <td>{yesNo(listing.requiresApproval, t)}</td>
              <td>{yesNo(listing.requiresQualification, t)}</td>
              <td>
                <FeeSummary fees={listing.fees} lang={lang} t={t} />
              </td>
              <td>
                <a
                  href={scopedHref(props.scope, `/office/listings/${encodeURIComponent(listing.id)}`)}
                  aria-label={t('office.listings.editOf', { name: listing.name })}
                >
                  {t('office.listings.edit')}
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
