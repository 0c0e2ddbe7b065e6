/**
 * Waiting for a booked period: the offer a booking that found its period taken (SLOT_UNAVAILABLE) shows, and
 * the list of what I wait for on `#/bookings`. The owning institution holds the queue; when a cancellation
 * frees the period, those waiting are told in the order they joined and the first to book it gets it.
 */
import { ErrorMessage, Loading } from '../../components/common';
import { dateTime } from '../../format';
import { useLang, useT } from '../../i18n';
import { gql } from '../../api';
import { href } from '../../router';
import { useAction, useQuery } from '../../use-api';
import { localName } from './model';

/** A waitlist entry as these pages read it. */
export interface WaitlistEntry {
  id: string;
  start: string;
  end: string;
  position: number | null;
  active: boolean;
  instrument: {
    id: string;
    name: string;
    nameEn: string | null;
    institution: { code: string; name: string; nameEn: string | null };
  };
}

const ENTRY_FIELDS = 'id start end position active instrument { id name nameEn institution { code name nameEn } }';
const JOIN = `mutation JoinWaitlist($input: WaitlistInput!) { joinWaitlist(input: $input) { ${ENTRY_FIELDS} } }`;
const LEAVE = `mutation LeaveWaitlist($id: ID!) { leaveWaitlist(id: $id) { ${ENTRY_FIELDS} } }`;
const MINE = `query MyWaitlist { myWaitlist { ${ENTRY_FIELDS} } }`;

/** Offers to wait for a period a booking attempt found taken. */
export function WaitlistOffer(props: { period: { instrumentId: string; start: string; end: string } }) {
  const t = useT();
  const join = useAction(async () => (await gql<{ joinWaitlist: WaitlistEntry }>(JOIN, { input: props.period })).joinWaitlist);
  if (join.result)
    return (
      <p class="alert ok" role="status" data-testid="waitlist-joined">
        {t('researcher.waitlist.joined', { position: join.result.position ?? 1 })}{' '}
        <a href={href('/bookings')}>{t('researcher.waitlist.seeList')}</a>
      </p>
    );
  return (
    <div class="waitlist-offer" data-testid="waitlist-offer">
      <p>{t('researcher.waitlist.offer')}</p>
      <ErrorMessage error={join.error} />
      <button type="button" class="secondary" disabled={join.running} onClick={() => void join.run()}>
        {join.running ? t('researcher.waitlist.joining') : t('researcher.waitlist.join')}
      </button>
    </div>
  );
}

/** What I wait for, at every institution, by start; leaving one. */
export function MyWaitlistPanel() {
  const t = useT();
  const lang = useLang();
  const loaded = useQuery<{ myWaitlist: WaitlistEntry[] }>(MINE);
  const leave = useAction(async (id: string) => (await gql<{ leaveWaitlist: WaitlistEntry }>(LEAVE, { id })).leaveWaitlist);
  return (
    <section class="panel titled" aria-labelledby="waitlist-heading">
      <h2 id="waitlist-heading">{t('researcher.waitlist.title')}</h2>
      {!loaded.data ? (
        loaded.error ? (
          <ErrorMessage error={loaded.error} onRetry={loaded.reload} />
        ) : (
          <Loading />
        )
      ) : loaded.data.myWaitlist.length === 0 ? (
        <p class="muted">{t('researcher.waitlist.none')}</p>
      ) : (
        <table data-testid="waitlist">
          <thead>
            <tr>
              <th scope="col">{t('researcher.bookings.instrument')}</th>
              <th scope="col">{t('researcher.bookings.when')}</th>
              <th scope="col">{t('researcher.waitlist.position')}</th>
              <th scope="col">{t('researcher.bookings.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {loaded.data.myWaitlist.map((entry) => (
              <tr key={entry.id}>
                <td>
                  <a href={href(`/instruments/${entry.instrument.id}`)}>{localName(lang, entry.instrument)}</a>
                  <div class="muted">{localName(lang, entry.instrument.institution)}</div>
                </td>
                <td>{t('researcher.period', { start: dateTime(entry.start, lang), end: dateTime(entry.end, lang) })}</td>
                <td class="num">{entry.position ?? '—'}</td>
                <td>
                  <button
                    type="button"
                    class="secondary"
                    disabled={leave.running}
                    onClick={() => void leave.run(entry.id).then((left) => left && loaded.reload())}
                  >
                    {t('researcher.waitlist.leave')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorMessage error={leave.error} />
    </section>
  );
}
