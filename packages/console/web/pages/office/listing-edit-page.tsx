/**
 * `#/office/listings/new` and `#/office/listings/:id`: a listing's edit form (every field of `InstrumentInput`,
 * the fee schedule as a table) saved with `upsertInstrument`; for an existing listing also decommissioning and
 * its change history. `upsertInstrument` updates whatever listing has the local id it is given, so a new
 * listing is saved only after the institution's listings were read and none has its local id.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, gql } from '../../api';
import { ErrorMessage, Field, Loading } from '../../components/common';
import { useT, type MessageKey } from '../../i18n';
import { useAction, useQuery } from '../../use-api';
import { DecommissionPanel } from './decommission';
import { FeeScheduleEditor } from './fee-schedule';
import { ListingHistory } from './listing-history';
import { blankForm, formOf, inputOf, type FormProblems, type InstrumentInput, type ListingForm } from './listing-form';
import { OfficePage, scopedHref, scopedNavigate, type OfficeScope } from './scope';
import { LISTING_FIELDS, type Listing } from './types';

const LISTING = `query OfficeListing($id: ID!) { instrument(id: $id) { ${LISTING_FIELDS} institution { code name } } }`;
const UPSERT = `mutation OfficeUpsertInstrument($input: InstrumentInput!) { upsertInstrument(input: $input) { id name } }`;
const LOCAL_IDS = `query OfficeLocalIds($institution: ID!, $after: String) {
  searchInstruments(filter: { institutions: [$institution] }, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { localId } } unavailableInstitutions { name } } }`;

interface LocalIdPage {
  searchInstruments: {
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: { localId: string } }[];
    unavailableInstitutions: { name: string }[];
  };
}

/**
 * Whether one of the institution's listings already has `localId`, read page by page from its listings
 * (search has no local id filter). Decommissioned listings are not searched: `upsertInstrument` refuses their
 * local ids itself, naming `input.localId`. An institution that does not answer cannot be checked.
 */
async function localIdTaken(institution: string, localId: string): Promise<boolean> {
  let after: string | null = null;
  do {
    const { searchInstruments: page }: LocalIdPage = await gql<LocalIdPage>(LOCAL_IDS, { institution, after });
    const unavailable = page.unavailableInstitutions.map((i) => i.name).join(', ');
    if (unavailable) throw new ApiError([{ message: unavailable, code: 'INSTITUTION_UNAVAILABLE', field: null }]);
    if (page.edges.some((edge) => edge.node.localId === localId)) return true;
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return false;
}

/** Saves a listing; a new one only when its local id is free (else `taken`, and nothing is sent). */
async function saveListing(input: InstrumentInput, isNew: boolean): Promise<{ saved: { name: string } } | { taken: true }> {
  if (isNew && (await localIdTaken(input.institution, input.localId))) return { taken: true };
  const data = await gql<{ upsertInstrument: { id: string; name: string } }>(UPSERT, { input });
  return { saved: data.upsertInstrument };
}

type OwnedListing = Listing & { institution: { code: string; name: string } };

export function ListingEditPage(props: { id: string | null }) {
  const t = useT();
  return (
    <OfficePage title={props.id ? t('office.edit.title') : t('office.edit.newTitle')}>
      {(scope) => (props.id ? <ExistingListing scope={scope} id={props.id} /> : <NewListing scope={scope} />)}
    </OfficePage>
  );
}

function NewListing(props: { scope: OfficeScope }) {
  return <ListingEditor scope={props.scope} initial={blankForm()} isNew />;
}

function ExistingListing(props: { scope: OfficeScope; id: string }) {
  const t = useT();
  const { scope, id } = props;
  const loaded = useQuery<{ instrument: OwnedListing | null }>(LISTING, { id });
  if (loaded.error) return <ErrorMessage error={loaded.error} onRetry={loaded.reload} />;
  if (loaded.loading || !loaded.data) return <Loading />;
  const listing = loaded.data.instrument;
  const back = <a href={scopedHref(scope, '/office/listings')}>{t('office.edit.backToList')}</a>;
  if (!listing)
    return (
      <p class="alert warn">
        {t('office.edit.notFound')} {back}
      </p>
    );
  if (listing.institution.code !== scope.code)
    return (
      <p class="alert warn">
        {t('office.edit.otherInstitution', { name: listing.institution.name })} {back}
      </p>
    );
  return (
    <>
      {listing.decommissionedAt ? (
        <h2>{listing.name}</h2>
      ) : (
        <ListingEditor key={listing.id} scope={scope} initial={formOf(listing)} isNew={false} />
      )}
      <DecommissionPanel listing={listing} onChanged={loaded.reload} />
      <ListingHistory instrumentId={listing.id} />
    </>
  );
}

type TextKey = {
  [K in keyof ListingForm]: ListingForm[K] extends string ? K : never;
}[keyof ListingForm];
type FlagKey = 'sharedExternally' | 'remoteOperable' | 'requiresApproval' | 'requiresQualification';

const FLAGS: { key: FlagKey; label: MessageKey }[] = [
  { key: 'sharedExternally', label: 'office.field.sharedExternally' },
  { key: 'remoteOperable', label: 'office.field.remoteOperable' },
  { key: 'requiresApproval', label: 'office.field.requiresApproval' },
  { key: 'requiresQualification', label: 'office.field.requiresQualification' },
];

function ListingEditor(props: { scope: OfficeScope; initial: ListingForm; isNew: boolean }) {
  const t = useT();
  const { scope } = props;
  const [form, setForm] = useState(props.initial);
  const [checked, setChecked] = useState<FormProblems>({});
  const save = useAction(saveListing);
  const set = (patch: Partial<ListingForm>) => setForm((current) => ({ ...current, ...patch }));
  const formRef = useRef<HTMLFormElement>(null);
  // After a refused save, take the user to the first field to fix.
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [checked, save.error]);

  const problemAt = (field: string): string | null => {
    const found = checked[field];
    return found ? t(found.key, found.values) : (save.error?.forField(field) ?? null);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    save.reset();
    const read = inputOf(form, scope.code);
    setChecked('problems' in read ? read.problems : {});
    if ('problems' in read) return;
    const result = await save.run(read.input, props.isNew);
    if (result && 'taken' in result) setChecked({ 'input.localId': { key: 'office.form.localIdTaken' } });
    else if (result) scopedNavigate(scope, '/office/listings', { saved: result.saved.name });
  };

  const text = (
    key: TextKey,
    label: MessageKey,
    options: { required?: boolean; hint?: MessageKey; inputMode?: 'numeric' | 'decimal'; readOnly?: boolean } = {},
  ) => (
    <Field
      label={options.required ? t('office.form.requiredLabel', { label: t(label) }) : t(label)}
      hint={options.hint && t(options.hint)}
      problem={problemAt(`input.${key === 'latitude' || key === 'longitude' ? `location.${key}` : key}`)}
    >
      {(control) => (
        <input
          {...control}
          name={key}
          type="text"
          inputMode={options.inputMode}
          readOnly={options.readOnly}
          aria-required={options.required}
          value={form[key]}
          onInput={(e) => set({ [key]: e.currentTarget.value })}
        />
      )}
    </Field>
  );
  const problemCount = Object.keys(checked).length;

  return (
    <form ref={formRef} onSubmit={submit} noValidate>
      {problemCount > 0 && (
        <p class="alert error" role="alert">
          {t('office.form.problems', { count: problemCount })}
        </p>
      )}
      <ErrorMessage error={save.error} />
      <div class="grid-2">
        <fieldset class="panel">
          <legend>{t('office.edit.basics')}</legend>
          {text('localId', 'office.field.localId', {
            required: true,
            readOnly: !props.isNew,
            hint: props.isNew ? 'office.field.localIdHint' : 'office.field.localIdFixed',
          })}
          {text('name', 'office.field.name', { required: true })}
          {text('nameEn', 'office.field.nameEn')}
          {text('category', 'office.field.category', { required: true })}
          {text('manufacturer', 'office.field.manufacturer')}
          {text('model', 'office.field.model')}
          <Field label={t('office.field.description')} problem={problemAt('input.description')}>
            {(control) => (
              <textarea
                {...control}
                name="description"
                rows={4}
                value={form.description}
                onInput={(e) => set({ description: e.currentTarget.value })}
              />
            )}
          </Field>
        </fieldset>
        <div>
          <fieldset class="panel">
            <legend>{t('office.edit.acquisition')}</legend>
            {text('acquisitionPrice', 'office.field.acquisitionPrice', {
              inputMode: 'numeric',
              hint: 'office.field.acquisitionPriceHint',
            })}
            <Field label={t('office.field.acquiredOn')} problem={problemAt('input.acquiredOn')}>
              {(control) => (
                <input
                  {...control}
                  name="acquiredOn"
                  type="date"
                  value={form.acquiredOn}
                  onInput={(e) => set({ acquiredOn: e.currentTarget.value })}
                />
              )}
            </Field>
            {text('building', 'office.field.building')}
            <div class="grid-2">
              {text('latitude', 'office.field.latitude', { inputMode: 'decimal' })}
              {text('longitude', 'office.field.longitude', { inputMode: 'decimal' })}
            </div>
            <p class="hint muted">{t('office.field.locationHint')}</p>
          </fieldset>
          <fieldset class="panel">
            <legend>{t('office.edit.terms')}</legend>
            {FLAGS.map(({ key, label }) => (
              <label class="check" key={key}>
                <input type="checkbox" name={key} checked={form[key]} onChange={(e) => set({ [key]: e.currentTarget.checked })} />
                {t(label)}
              </label>
            ))}
            {text('maxBookingMinutes', 'office.field.maxBookingMinutes', { inputMode: 'numeric' })}
            {text('cancellationFreeHours', 'office.field.cancellationFreeHours', { inputMode: 'numeric' })}
            {text('cancellationFeePercent', 'office.field.cancellationFeePercent', { inputMode: 'numeric' })}
          </fieldset>
        </div>
      </div>
      <div class="panel">
        <FeeScheduleEditor rows={form.fees} onChange={(fees) => set({ fees })} problemAt={problemAt} />
      </div>
      <div class="actions">
        <button type="submit" disabled={save.running}>
          {save.running ? t('office.edit.saving') : t('common.save')}
        </button>
        <a class="button secondary" href={scopedHref(scope, '/office/listings')}>
          {t('common.cancel')}
        </a>
      </div>
    </form>
  );
}
