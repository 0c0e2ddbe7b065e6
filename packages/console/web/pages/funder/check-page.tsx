/**
 * `#/funder/check`: one planned purchase checked against the whole federation. The form explains the
 * ¥10,000,000 threshold, checks the obvious before sending, shows the gateway's problems at their fields and,
 * once the check is stored, opens its report. A second form opens a stored check by its id.
 */
import { useState } from 'preact/hooks';
import { gql } from '../../api';
import { ErrorMessage, Field, Page, RequireRole } from '../../components/common';
import { useLang, useT } from '../../i18n';
import { yen } from '../../format';
import { navigate } from '../../router';
import { session } from '../../session';
import { useStore } from '../../store';
import { useAction } from '../../use-api';
import { problemAt } from './problems';
import {
  FORM_KEYWORD_SEPARATORS,
  hoursProblem,
  keywordsProblem,
  nameIn,
  optionalText,
  parseWholeNumber,
  priceProblem,
  splitKeywords,
  THRESHOLD_YEN,
  titleProblem,
  type Problem,
} from './proposal';
import { CHECK_ONE, type Institution, type ProposalInput } from './queries';
import { inScope, scopeOf, useInstitutions } from './scope';

const FIELDS = [
  'title',
  'category',
  'manufacturer',
  'model',
  'estimatedPrice',
  'institution',
  'fundingProgram',
  'grantId',
  'expectedHoursPerYear',
  'keywords',
] as const;
type FieldName = (typeof FIELDS)[number];
type FormValues = Record<FieldName, string>;

const EMPTY: FormValues = Object.fromEntries(FIELDS.map((f) => [f, ''])) as FormValues;

/** What is wrong with the form before sending, by field. */
function formProblems(values: FormValues): Partial<Record<FieldName, Problem>> {
  const problems: Partial<Record<FieldName, Problem | null>> = {
    title: titleProblem(values.title),
    estimatedPrice: priceProblem(values.estimatedPrice),
    institution: values.institution === '' ? { key: 'funder.problem.institutionRequired' } : null,
    expectedHoursPerYear: hoursProblem(values.expectedHoursPerYear),
    keywords: keywordsProblem(splitKeywords(values.keywords, FORM_KEYWORD_SEPARATORS)),
  };
  return Object.fromEntries(Object.entries(problems).filter(([, p]) => p)) as Partial<Record<FieldName, Problem>>;
}

/** The form as the gateway's `PurchaseProposalInput` (call only when `formProblems` found nothing). */
function toInput(values: FormValues): ProposalInput {
  const hours = values.expectedHoursPerYear.trim();
  return {
    title: values.title.trim(),
    category: optionalText(values.category),
    manufacturer: optionalText(values.manufacturer),
    model: optionalText(values.model),
    estimatedPrice: parseWholeNumber(values.estimatedPrice)!,
    institution: values.institution,
    fundingProgram: optionalText(values.fundingProgram),
    grantId: optionalText(values.grantId),
    expectedHoursPerYear: hours === '' ? null : parseWholeNumber(hours),
    keywords: splitKeywords(values.keywords, FORM_KEYWORD_SEPARATORS),
  };
}

export function CheckPage() {
  const t = useT();
  return (
    <Page title={t('funder.check.title')}>
      <RequireRole roles={['FUNDER', 'FACILITY_MANAGER']}>
        <div class="funder-page">
          <p>{t('funder.check.lead')}</p>
          <CheckForm />
          <OpenCheckForm />
        </div>
      </RequireRole>
    </Page>
  );
}

/** The estimated price as read so far, and whether it falls under the check. */
function PriceReading(props: { text: string }) {
  const t = useT();
  const lang = useLang();
  const price = parseWholeNumber(props.text);
  if (price === null) return null;
  return (
    <p class="hint price-reading" role="status">
      {yen(price, lang)} —{' '}
      {price >= THRESHOLD_YEN ? t('funder.check.priceChecked') : <strong>{t('funder.check.priceBelow')}</strong>}
    </p>
  );
}

function CheckForm() {
  const t = useT();
  const { viewer } = useStore(session);
  const scope = scopeOf(viewer);
  const institutions = useInstitutions();
  const [values, setValues] = useState<FormValues>(() => ({
    ...EMPTY,
    institution: scope.all ? '' : (scope.institution ?? ''),
  }));
  const [problems, setProblems] = useState<Partial<Record<FieldName, Problem>>>({});
  const check = useAction((input: ProposalInput) => gql<{ checkDuplicatePurchase: { id: string } }>(CHECK_ONE, { input }));

  const set = (name: FieldName) => (event: Event) => {
    setValues({ ...values, [name]: (event.target as HTMLInputElement).value });
    if (problems[name]) setProblems({ ...problems, [name]: undefined });
  };
  /** The form's own problem for a field first, else the gateway's. */
  const problem = (name: FieldName) => {
    const own = problems[name];
    return own ? t(own.key, own.values) : problemAt(check.error, 'input', name);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const found = formProblems(values);
    setProblems(found);
    if (Object.keys(found).length > 0) {
      check.reset();
      const first = FIELDS.find((f) => found[f]);
      document.querySelector<HTMLElement>(`[name="${first}"]`)?.focus();
      return;
    }
    const result = await check.run(toInput(values));
    if (result) navigate(`/funder/checks/${result.checkDuplicatePurchase.id}`);
  };

  const text = (name: FieldName, label: string, hint?: string) => (
    <Field label={label} hint={hint} problem={problem(name)}>
      {(control) => <input {...control} name={name} type="text" value={values[name]} onInput={set(name)} />}
    </Field>
  );

  return (
    <form class="panel check-form" onSubmit={submit} noValidate>
      {Object.values(problems).some(Boolean) && (
        <p class="alert error" role="alert">
          {t('funder.check.fixFields')}
        </p>
      )}
      <ErrorMessage error={check.error} />
      {text('title', t('funder.field.title.required'), t('funder.field.title.hint'))}
      <div class="grid-2">
        {text('category', t('funder.field.category'), t('funder.field.category.hint'))}
        {text('manufacturer', t('funder.field.manufacturer'))}
        {text('model', t('funder.field.model'), t('funder.field.model.hint'))}
        <div>
          <Field
            label={t('funder.field.estimatedPrice.required')}
            hint={t('funder.field.estimatedPrice.hint')}
            problem={problem('estimatedPrice')}
          >
            {(control) => (
              <input
                {...control}
                name="estimatedPrice"
                type="text"
                inputMode="numeric"
                autoComplete="off"
                value={values.estimatedPrice}
                onInput={set('estimatedPrice')}
              />
            )}
          </Field>
          <PriceReading text={values.estimatedPrice} />
        </div>
        <Field label={t('funder.field.institution.required')} problem={problem('institution')}>
          {(control) => (
            <InstitutionSelect
              control={control}
              institutions={inScope(institutions.data?.institutions ?? [], scope)}
              loading={institutions.loading}
              value={values.institution}
              onChange={set('institution')}
            />
          )}
        </Field>
        {text('fundingProgram', t('funder.field.fundingProgram'), t('funder.field.fundingProgram.hint'))}
        {text('grantId', t('funder.field.grantId'), t('funder.field.grantId.hint'))}
        {text('expectedHoursPerYear', t('funder.field.expectedHours'), t('funder.field.expectedHours.hint'))}
      </div>
      {text('keywords', t('funder.field.keywords'), t('funder.field.keywords.hint'))}
      <ErrorMessage error={institutions.error} onRetry={institutions.reload} />
      <div class="actions">
        <button type="submit" disabled={check.running}>
          {check.running ? t('funder.check.running') : t('funder.check.submit')}
        </button>
        {check.running && (
          <span class="muted" role="status">
            {t('funder.check.runningNote')}
          </span>
        )}
      </div>
    </form>
  );
}

function InstitutionSelect(props: {
  control: { id: string; 'aria-invalid': boolean; 'aria-describedby': string | undefined };
  institutions: Institution[];
  loading: boolean;
  value: string;
  onChange: (event: Event) => void;
}) {
  const t = useT();
  const lang = useLang();
  return (
    <select {...props.control} name="institution" value={props.value} onChange={props.onChange}>
      <option value="">{props.loading ? t('common.loading') : t('funder.field.institution.choose')}</option>
      {props.institutions.map((i) => (
        <option key={i.code} value={i.code}>
          {nameIn(lang, i)} ({i.code})
        </option>
      ))}
    </select>
  );
}

/** Opens a stored check by id (e.g. one an applicant attached), to read or verify it. */
function OpenCheckForm() {
  const t = useT();
  const [id, setId] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const open = (event: Event) => {
    event.preventDefault();
    const trimmed = id.trim();
    if (/^[A-Za-z0-9_-]+$/.test(trimmed)) navigate(`/funder/checks/${trimmed}`);
    else setProblem(t('funder.open.problem'));
  };
  return (
    <form class="panel open-check" onSubmit={open} noValidate>
      <h2>{t('funder.open.title')}</h2>
      <Field label={t('funder.open.id')} hint={t('funder.open.hint')} problem={problem}>
        {(control) => (
          <input
            {...control}
            name="checkId"
            type="text"
            value={id}
            onInput={(e) => setId((e.target as HTMLInputElement).value)}
          />
        )}
      </Field>
      <div class="actions">
        <button type="submit" class="secondary">
          {t('funder.open.submit')}
        </button>
      </div>
    </form>
  );
}
