/** A listing's recorded changes (`listingChanges`): who changed what, when, and through which operation. */
import { ErrorMessage, Loading } from '../../components/common';
import { dateTime } from '../../format';
import { translateDynamic, useLang, useT } from '../../i18n';
import { useQuery } from '../../use-api';

interface ListingChange {
  id: string;
  changedAt: string;
  changedBy: string;
  action: string;
  via: string;
  changes: { field: string; from: string | null; to: string | null }[];
}

const CHANGES = `query OfficeListingChanges($id: ID!) {
  listingChanges(instrumentId: $id, first: 20) { id changedAt changedBy action via changes { field from to } } }`;

const SHOWN_CHARACTERS = 60;

/** A recorded value (JSON text) as a short readable text. */
function shortValue(json: string | null): string {
  if (json === null) return '—';
  let value: unknown = json;
  try {
    value = JSON.parse(json);
  } catch {
    /* not JSON: shown as it is */
  }
  const shown = value === null ? '—' : typeof value === 'string' ? value : JSON.stringify(value);
  return shown.length > SHOWN_CHARACTERS ? `${shown.slice(0, SHOWN_CHARACTERS)}…` : shown;
}

export function ListingHistory(props: { instrumentId: string }) {
  const t = useT();
  const lang = useLang();
  const history = useQuery<{ listingChanges: ListingChange[] }>(CHANGES, { id: props.instrumentId });
  /** A field's label where the form has one, else the API's field name. */
  const fieldName = (field: string) => translateDynamic(lang, `office.field.${field}`) ?? field;
  return (
    <section class="panel" aria-labelledby="history-heading">
      <h2 id="history-heading">{t('office.history.title')}</h2>
      <ErrorMessage error={history.error} onRetry={history.reload} />
      {history.loading && <Loading />}
      {history.data && history.data.listingChanges.length === 0 && <p class="muted">{t('office.history.none')}</p>}
      {history.data && history.data.listingChanges.length > 0 && (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('office.history.at')}</th>
                <th scope="col">{t('office.history.action')}</th>
                <th scope="col">{t('office.history.by')}</th>
                <th scope="col">{t('office.history.changes')}</th>
              </tr>
            </thead>
            <tbody>
              {history.data.listingChanges.map((change) => (
                <tr key={change.id}>
                  <td>{dateTime(change.changedAt, lang)}</td>
                  <td>
                    {translateDynamic(lang, `office.history.action.${change.action}`) ?? change.action}
                    <div class="muted small">{change.via}</div>
                  </td>
                  <td>{change.changedBy}</td>
                  <td>
                    <ul class="plain">
                      {change.changes.map((c) => (
                        <li key={c.field} title={`${c.from ?? '—'} → ${c.to ?? '—'}`}>
                          <strong>{fieldName(c.field)}</strong>: {shortValue(c.from)} → {shortValue(c.to)}
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
