/**
 * `#/office/qualifications`: pick one of the institution's instruments that require a qualification for self
 * use, see who holds one (`qualifications`), grant (`grantQualification`) and revoke (`revokeQualification`).
 * The chosen instrument and the text that narrows the choice are kept in the address.
 */
import { useState } from 'preact/hooks';
import { gql } from '../../api';
import { ErrorMessage, Field, Loading } from '../../components/common';
import { date, dateTime } from '../../format';
import { useLang, useT } from '../../i18n';
import { useAction, useQuery } from '../../use-api';
import { OfficePage, scopedNavigate, type OfficeScope } from './scope';

/** Instruments the picker looks through at once (the API's page limit). */
const PICKER_SIZE = 100;

interface Candidate {
  id: string;
  localId: string;
  name: string;
  category: string;
  requiresQualification: boolean;
}

interface Qualification {
  userId: string;
  expiresOn: string | null;
  grantedBy: string;
  grantedAt: string;
  valid: boolean;
}

const CANDIDATES = `query OfficeQualificationInstruments($query: String, $institution: ID!, $first: Int!) {
  searchInstruments(query: $query, filter: { institutions: [$institution] }, first: $first) {
    pageInfo { hasNextPage } edges { node { id localId name category requiresQualification } } } }`;

const QUALIFICATIONS = `query OfficeQualifications($id: ID!) {
  qualifications(instrumentId: $id) { userId expiresOn grantedBy grantedAt valid } }`;

const GRANT = `mutation OfficeGrantQualification($id: ID!, $userId: ID!, $expiresOn: Date) {
  grantQualification(instrumentId: $id, userId: $userId, expiresOn: $expiresOn) }`;

const REVOKE = `mutation OfficeRevokeQualification($id: ID!, $userId: ID!) { revokeQualification(instrumentId: $id, userId: $userId) }`;

export function QualificationsPage(props: { query: URLSearchParams }) {
  const t = useT();
  return (
    <OfficePage title={t('office.qualifications.title')}>
      {(scope) => <Qualifications scope={scope} text={props.query.get('q') ?? ''} instrumentId={props.query.get('instrument')} />}
    </OfficePage>
  );
}

function Qualifications(props: { scope: OfficeScope; text: string; instrumentId: string | null }) {
  const { scope, text, instrumentId } = props;
  const found = useQuery<{
    searchInstruments: { pageInfo: { hasNextPage: boolean }; edges: { node: Candidate }[] };
  }>(CANDIDATES, { query: text || null, institution: scope.code, first: PICKER_SIZE });
  const candidates = found.data?.searchInstruments.edges.map((e) => e.node).filter((i) => i.requiresQualification) ?? [];
  const chosen = candidates.find((c) => c.id === instrumentId) ?? null;
  return (
    <>
      <InstrumentPicker
        key={text}
        scope={scope}
        text={text}
        candidates={candidates}
        chosen={instrumentId}
        more={!!found.data?.searchInstruments.pageInfo.hasNextPage}
      />
      <ErrorMessage error={found.error} onRetry={found.reload} />
      {found.loading && <Loading />}
      {instrumentId && <Holders key={instrumentId} instrumentId={instrumentId} name={chosen?.name ?? null} />}
    </>
  );
}

function InstrumentPicker(props: {
  scope: OfficeScope;
  text: string;
  candidates: Candidate[];
  chosen: string | null;
  more: boolean;
}) {
  const t = useT();
  const [text, setText] = useState(props.text);
  const go = (query: { q?: string; instrument?: string | null }) =>
    scopedNavigate(props.scope, '/office/qualifications', { q: props.text, instrument: props.chosen, ...query });
  return (
    <section class="panel" aria-labelledby="picker-heading">
      <h2 id="picker-heading">{t('office.qualifications.pick')}</h2>
      <form
        class="filter-box"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          go({ q: text.trim(), instrument: null });
        }}
      >
        <Field label={t('office.qualifications.filter')}>
          {(control) => <input {...control} type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} />}
        </Field>
        <button type="submit">{t('office.listings.filterSubmit')}</button>
      </form>
      <Field label={t('office.qualifications.instrument')} hint={props.more ? t('office.qualifications.more') : undefined}>
        {(control) => (
          <select
            {...control}
            name="instrument"
            value={props.chosen ?? ''}
            onChange={(e) => go({ instrument: e.currentTarget.value })}
          >
            <option value="">{t('office.qualifications.choose', { count: props.candidates.length })}</option>
            {props.candidates.map((c) => (
              <option key={c.id} value={c.id}>
                {c.localId} {c.name} ({c.category})
              </option>
            ))}
          </select>
        )}
      </Field>
    </section>
  );
}

/** Who holds a qualification for one instrument, and the grant form. */
function Holders(props: { instrumentId: string; name: string | null }) {
  const t = useT();
  const lang = useLang();
  const list = useQuery<{ qualifications: Qualification[] }>(QUALIFICATIONS, { id: props.instrumentId });
  const [done, setDone] = useState<string | null>(null);
  const revoke = useAction((userId: string) => gql(REVOKE, { id: props.instrumentId, userId }).then(() => userId));
  const changed = (message: string) => {
    setDone(message);
    list.reload();
  };
  return (
    <section class="panel" aria-labelledby="holders-heading">
      <h2 id="holders-heading">{t('office.qualifications.holders', { name: props.name ?? props.instrumentId })}</h2>
      {done && (
        <p class="alert ok" role="status">
          {done}
        </p>
      )}
      <ErrorMessage error={list.error ?? revoke.error} onRetry={list.error ? list.reload : undefined} />
      {list.loading && <Loading />}
      {list.data && list.data.qualifications.length === 0 && <p class="muted">{t('office.qualifications.none')}</p>}
      {list.data && list.data.qualifications.length > 0 && (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('office.qualifications.user')}</th>
                <th scope="col">{t('office.qualifications.expires')}</th>
                <th scope="col">{t('office.qualifications.grantedBy')}</th>
                <th scope="col">{t('office.qualifications.grantedAt')}</th>
                <th scope="col">{t('office.qualifications.state')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('office.listings.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.qualifications.map((q) => (
                <tr key={q.userId}>
                  <th scope="row">{q.userId}</th>
                  <td>{q.expiresOn ? date(q.expiresOn, lang) : t('office.qualifications.noExpiry')}</td>
                  <td>{q.grantedBy}</td>
                  <td>{dateTime(q.grantedAt, lang)}</td>
                  <td>
                    <span class={`badge ${q.valid ? 'good' : 'bad'}`}>
                      {q.valid ? t('office.qualifications.valid') : t('office.qualifications.invalid')}
                    </span>
                  </td>
                  <td>
                    {q.valid && (
                      <button
                        type="button"
                        class="secondary"
                        disabled={revoke.running}
                        aria-label={t('office.qualifications.revokeOf', { user: q.userId })}
                        onClick={async () => {
                          if (await revoke.run(q.userId)) changed(t('office.qualifications.revoked', { user: q.userId }));
                        }}
                      >
                        {t('office.qualifications.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <GrantForm instrumentId={props.instrumentId} onGranted={(user) => changed(t('office.qualifications.granted', { user }))} />
    </section>
  );
}

function GrantForm(props: { instrumentId: string; onGranted: (userId: string) => void }) {
  const t = useT();
  const [userId, setUserId] = useState('');
  const [expiresOn, setExpiresOn] = useState('');
  const [missing, setMissing] = useState(false);
  const grant = useAction(() => gql(GRANT, { id: props.instrumentId, userId: userId.trim(), expiresOn: expiresOn || null }));
  return (
    <form
      noValidate
      onSubmit={async (event) => {
        event.preventDefault();
        setMissing(!userId.trim());
        if (!userId.trim()) return;
        if (await grant.run()) {
          props.onGranted(userId.trim());
          setUserId('');
          setExpiresOn('');
        }
      }}
    >
      <h3>{t('office.qualifications.grant')}</h3>
      <ErrorMessage error={grant.error} />
      <div class="grid-2">
        <Field
          label={t('office.qualifications.userId')}
          problem={missing ? t('office.form.required') : grant.error?.forField('userId')}
        >
          {(control) => (
            <input {...control} type="text" name="userId" value={userId} onInput={(e) => setUserId(e.currentTarget.value)} />
          )}
        </Field>
        <Field
          label={t('office.qualifications.expiresOn')}
          hint={t('office.qualifications.expiresHint')}
          problem={grant.error?.forField('expiresOn')}
        >
          {(control) => (
            <input
              {...control}
              type="date"
              name="expiresOn"
              value={expiresOn}
              onInput={(e) => setExpiresOn(e.currentTarget.value)}
            />
          )}
        </Field>
      </div>
      <div class="actions">
        <button type="submit" disabled={grant.running}>
          {t('office.qualifications.grantSubmit')}
        </button>
      </div>
    </form>
  );
}
