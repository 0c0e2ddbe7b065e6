/** Taking a listing out of search, checks and reports (`decommissionInstrument`), and listing it again. */
import { useState } from 'preact/hooks';
import { gql } from '../../api';
import { ErrorMessage, Field } from '../../components/common';
import { dateTime } from '../../format';
import { useLang, useT } from '../../i18n';
import { useAction } from '../../use-api';
import type { Listing } from './types';

const DECOMMISSION = `mutation OfficeDecommission($id: ID!, $reason: String, $cancelBookings: Boolean) {
  decommissionInstrument(id: $id, reason: $reason, cancelBookings: $cancelBookings) { id decommissionedAt } }`;
const RECOMMISSION = `mutation OfficeRecommission($id: ID!) { recommissionInstrument(id: $id) { id decommissionedAt } }`;

export function DecommissionPanel(props: { listing: Pick<Listing, 'id' | 'decommissionedAt'>; onChanged: () => void }) {
  return (
    <section class="panel" aria-labelledby="decommission-heading">
      {props.listing.decommissionedAt ? (
        <Recommission id={props.listing.id} at={props.listing.decommissionedAt} onChanged={props.onChanged} />
      ) : (
        <Decommission id={props.listing.id} onChanged={props.onChanged} />
      )}
    </section>
  );
}

function Decommission(props: { id: string; onChanged: () => void }) {
  const t = useT();
  const [reason, setReason] = useState('');
  const [cancelBookings, setCancelBookings] = useState(false);
  const action = useAction(() => gql(DECOMMISSION, { id: props.id, reason: reason.trim() || null, cancelBookings }));
  const cancelProblem = action.error?.forField('cancelBookings');
  return (
    <>
      <h2 id="decommission-heading">{t('office.decommission.title')}</h2>
      <p class="muted">{t('office.decommission.lead')}</p>
      <ErrorMessage error={action.error} />
      <Field label={t('office.decommission.reason')} problem={action.error?.forField('reason')}>
        {(control) => <input {...control} type="text" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
      </Field>
      <label class="check">
        <input
          type="checkbox"
          checked={cancelBookings}
          aria-invalid={!!cancelProblem}
          onChange={(e) => setCancelBookings(e.currentTarget.checked)}
        />
        {t('office.decommission.cancelBookings')}
      </label>
      {cancelProblem && <p class="problem">{cancelProblem}</p>}
      <div class="actions">
        <button
          type="button"
          class="danger"
          disabled={action.running}
          onClick={async () => (await action.run()) && props.onChanged()}
        >
          {t('office.decommission.submit')}
        </button>
      </div>
    </>
  );
}

function Recommission(props: { id: string; at: string; onChanged: () => void }) {
  const t = useT();
  const lang = useLang();
  const action = useAction(() => gql(RECOMMISSION, { id: props.id }));
  return (
    <>
      <h2 id="decommission-heading">{t('office.decommission.decommissionedTitle')}</h2>
      <p class="alert warn" role="status">
        {t('office.decommission.decommissionedAt', { at: dateTime(props.at, lang) })}
      </p>
      <ErrorMessage error={action.error} />
      <div class="actions">
        <button type="button" disabled={action.running} onClick={async () => (await action.run()) && props.onChanged()}>
          {t('office.decommission.recommission')}
        </button>
      </div>
    </>
  );
}
