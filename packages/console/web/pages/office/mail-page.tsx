/**
 * `#/office/mail`: the institution's e-mail (`notificationDeliveries`), newest first: what was sent to whom and
 * how its delivery went. Problems first by default (FAILED: refused, a bounce; UNKNOWN: the link dropped after
 * the message was handed over), with the SMTP server's answer; `?all=1` shows every message.
 */
import { ErrorMessage, Loading } from '../../components/common';
import { dateTime } from '../../format';
import { useLang, useT } from '../../i18n';
import { useQuery } from '../../use-api';
import { OfficePage, scopedHref, type OfficeScope } from './scope';

type DeliveryState = 'PENDING' | 'SENDING' | 'SENT' | 'FAILED' | 'UNKNOWN';

interface Delivery {
  id: string;
  kind: string;
  recipient: string;
  subject: string;
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  createdAt: string;
  sentAt: string | null;
}

const DELIVERIES = `query OfficeMail($institution: ID!, $states: [DeliveryState!]) {
  notificationDeliveries(institution: $institution, states: $states, first: 200) {
    id kind recipient subject state attempts lastError createdAt sentAt } }`;

const PROBLEMS: DeliveryState[] = ['FAILED', 'UNKNOWN'];

const BADGE: Record<DeliveryState, string> = { PENDING: '', SENDING: '', SENT: 'good', FAILED: 'bad', UNKNOWN: 'bad' };

export function MailPage(props: { query: URLSearchParams }) {
  const t = useT();
  const all = props.query.get('all') === '1';
  return (
    <OfficePage title={t('office.mail.title')}>
      {(scope) => <Deliveries key={`${scope.code}-${all}`} scope={scope} all={all} />}
    </OfficePage>
  );
}

function Deliveries(props: { scope: OfficeScope; all: boolean }) {
  const t = useT();
  const lang = useLang();
  const loaded = useQuery<{ notificationDeliveries: Delivery[] }>(DELIVERIES, {
    institution: props.scope.code,
    states: props.all ? null : PROBLEMS,
  });
  return (
    <>
      <p>{t('office.mail.lead')}</p>
      <p>
        <a href={scopedHref(props.scope, '/office/mail', props.all ? {} : { all: 1 })}>
          {props.all ? t('office.mail.onlyProblems') : t('office.mail.showAll')}
        </a>
      </p>
      {loaded.error && <ErrorMessage error={loaded.error} onRetry={loaded.reload} />}
      {!loaded.data ? (
        !loaded.error && <Loading />
      ) : loaded.data.notificationDeliveries.length === 0 ? (
        <p class="muted" data-testid="mail-none">
          {props.all ? t('office.mail.none') : t('office.mail.noProblems')}
        </p>
      ) : (
        <table class="mail-table" data-testid="mail-table">
          <thead>
            <tr>
              <th scope="col">{t('office.mail.written')}</th>
              <th scope="col">{t('office.mail.recipient')}</th>
              <th scope="col">{t('office.mail.subject')}</th>
              <th scope="col">{t('office.mail.state')}</th>
              <th scope="col">{t('office.mail.answer')}</th>
            </tr>
          </thead>
          <tbody>
            {loaded.data.notificationDeliveries.map((d) => (
              <tr key={d.id}>
                <td>{dateTime(d.createdAt, lang)}</td>
                <td>{d.recipient}</td>
                <td>{d.subject}</td>
                <td>
                  <span class={`badge ${BADGE[d.state]}`}>{t(`office.mail.state.${d.state}`)}</span>
                  {d.attempts > 1 && <span class="muted"> {t('office.mail.attempts', { count: d.attempts })}</span>}
                </td>
                <td>{d.lastError ?? (d.sentAt ? dateTime(d.sentAt, lang) : '—')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
