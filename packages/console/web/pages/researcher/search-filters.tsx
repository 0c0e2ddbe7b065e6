/**
 * The filters beside the search results: facet checkboxes with counts (category, institution, prefecture),
 * sharing and remote-operation toggles, a minimum acquisition price, "near" and "available in". Checkboxes
 * apply at once; typed values apply with the form's button (or Enter).
 */
import { useState } from 'preact/hooks';
import type { ApiError } from '../../api';
import { Field } from '../../components/common';
import { useLang, useT } from '../../i18n';
import { href } from '../../router';
import { localName, type FacetCount, type Institution, type SearchFacets } from './model';
import { useFieldProblem } from './parts';
import type { SearchProblems, SearchState } from './search-params';

export interface SearchFiltersProps {
  draft: SearchState;
  /** Changes the draft without searching. */
  onEdit(next: SearchState): void;
  /** Searches with this state now. */
  onApply(next: SearchState): void;
  problems: SearchProblems;
  serverError: ApiError | null;
  facets: SearchFacets | null;
  institutions: Institution[];
  /** The viewer's home institution (code) when it is a member: "near" can start there. */
  home: Institution | null;
}

const toggled = (values: string[], value: string) =>
  values.includes(value) ? values.filter((v) => v !== value) : [...values, value];

export function SearchFilters(props: SearchFiltersProps) {
  const t = useT();
  const lang = useLang();
  const { draft, facets } = props;
  const serverProblem = useFieldProblem(props.serverError);
  const problem = (field: keyof SearchProblems, apiField: string) => {
    const key = props.problems[field];
    return key ? t(key) : serverProblem(apiField);
  };
  const nameOf = new Map(props.institutions.map((i) => [i.code, localName(lang, i)]));
  const edit = (patch: Partial<SearchState>) => props.onEdit({ ...draft, ...patch });
  const apply = (patch: Partial<SearchState>) => props.onApply({ ...draft, ...patch });

  return (
    <form
      class="filters"
      aria-label={t('researcher.filters.title')}
      onSubmit={(event) => {
        event.preventDefault();
        props.onApply(draft);
      }}
    >
      <h2>{t('researcher.filters.title')}</h2>
      <FacetGroup
        legend={t('researcher.filters.category')}
        counts={facets?.categories ?? []}
        selected={draft.categories}
        labelOf={(value) => value}
        onToggle={(value) => apply({ categories: toggled(draft.categories, value) })}
      />
      <FacetGroup
        legend={t('researcher.filters.institution')}
        counts={facets?.institutions ?? []}
        selected={draft.institutions}
        labelOf={(code) => nameOf.get(code) ?? code}
        onToggle={(value) => apply({ institutions: toggled(draft.institutions, value) })}
      />
      <FacetGroup
        legend={t('researcher.filters.prefecture')}
        counts={facets?.prefectures ?? []}
        selected={draft.prefectures}
        labelOf={(value) => value}
        onToggle={(value) => apply({ prefectures: toggled(draft.prefectures, value) })}
      />

      <fieldset>
        <legend>{t('researcher.filters.access')}</legend>
        <label class="check">
          <input type="checkbox" checked={draft.sharedOnly} onChange={() => apply({ sharedOnly: !draft.sharedOnly })} />
          {t('researcher.filters.sharedOnly')}
        </label>
        <label class="check">
          <input type="checkbox" checked={draft.remoteOnly} onChange={() => apply({ remoteOnly: !draft.remoteOnly })} />
          {t('researcher.filters.remoteOnly')}
        </label>
        <Field
          label={t('researcher.filters.minPrice')}
          hint={t('researcher.filters.minPriceHint')}
          problem={problem('minPrice', 'filter.minAcquisitionPrice')}
        >
          {(control) => (
            <input
              {...control}
              name="minPrice"
              type="text"
              inputMode="numeric"
              value={draft.minPrice}
              onInput={(e) => edit({ minPrice: e.currentTarget.value })}
            />
          )}
        </Field>
      </fieldset>

      <fieldset>
        <legend>{t('researcher.filters.near')}</legend>
        <Field label={t('researcher.filters.nearFrom')}>
          {(control) => (
            <select {...control} name="near" value={draft.nearFrom} onChange={(e) => edit({ nearFrom: e.currentTarget.value })}>
              <option value="">{t('researcher.filters.nearNone')}</option>
              {props.home && (
                <option value="home">{t('researcher.filters.nearHome', { name: localName(lang, props.home) })}</option>
              )}
              {props.institutions
                .filter((i) => i.location)
                .map((i) => (
                  <option key={i.code} value={i.code}>
                    {localName(lang, i)}
                  </option>
                ))}
            </select>
          )}
        </Field>
        <Field label={t('researcher.filters.nearKm')} problem={problem('nearKm', 'filter.near.radiusKm')}>
          {(control) => (
            <input
              {...control}
              name="km"
              type="number"
              min="1"
              step="any"
              placeholder="50"
              disabled={!draft.nearFrom}
              value={draft.nearKm}
              onInput={(e) => edit({ nearKm: e.currentTarget.value })}
            />
          )}
        </Field>
      </fieldset>

      <fieldset>
        <legend>{t('researcher.filters.available')}</legend>
        <Field
          label={t('researcher.filters.hours')}
          hint={t('researcher.filters.hoursHint')}
          problem={problem('availableHours', 'filter.availableIn.minutes')}
        >
          {(control) => (
            <input
              {...control}
              name="hours"
              type="number"
              min="0.25"
              max="168"
              step="0.25"
              value={draft.availableHours}
              onInput={(e) => edit({ availableHours: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field label={t('researcher.filters.from')} problem={problem('availableFrom', 'filter.availableIn.from')}>
          {(control) => (
            <input
              {...control}
              name="from"
              type="date"
              value={draft.availableFrom}
              onInput={(e) => edit({ availableFrom: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field label={t('researcher.filters.to')} problem={problem('availableTo', 'filter.availableIn.to')}>
          {(control) => (
            <input
              {...control}
              name="to"
              type="date"
              value={draft.availableTo}
              onInput={(e) => edit({ availableTo: e.currentTarget.value })}
            />
          )}
        </Field>
      </fieldset>

      <div class="actions">
        <button type="submit">{t('researcher.filters.apply')}</button>
        <a href={href('/search', { q: draft.q.trim() || null })}>{t('researcher.filters.clear')}</a>
      </div>
    </form>
  );
}

/** How many values a facet shows before "show all". */
const FACET_PREVIEW = 8;

/** One facet as checkboxes "value (count)"; chosen values stay listed even when nothing matches them now. */
function FacetGroup(props: {
  legend: string;
  counts: FacetCount[];
  selected: string[];
  labelOf(value: string): string;
  onToggle(value: string): void;
}) {
  const t = useT();
  const [all, setAll] = useState(false);
  const known = new Set(props.counts.map((c) => c.value));
  const values = [...props.counts, ...props.selected.filter((v) => !known.has(v)).map((value) => ({ value, count: 0 }))];
  if (values.length === 0) return null;
  const shown = all ? values : values.slice(0, FACET_PREVIEW);
  return (
    <fieldset class="facet">
      <legend>{props.legend}</legend>
      {shown.map(({ value, count }) => (
        <label class="check" key={value}>
          <input type="checkbox" value={value} checked={props.selected.includes(value)} onChange={() => props.onToggle(value)} />
          <span>
            {props.labelOf(value)} <span class="muted">({count})</span>
          </span>
        </label>
      ))}
      {values.length > FACET_PREVIEW && (
        <button type="button" class="link" aria-expanded={all} onClick={() => setAll(!all)}>
          {all ? t('researcher.filters.fewer') : t('researcher.filters.all', { count: values.length })}
        </button>
      )}
    </fieldset>
  );
}
