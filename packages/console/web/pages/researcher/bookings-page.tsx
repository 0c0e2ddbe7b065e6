/**
 * `#/bookings`: my bookings at every institution, upcoming and past, and cancelling one that has not started
 * (with the cancellation fee shown before I confirm).
 */
import { useRef, useState } from 'preact/hooks';
import { ErrorMessage, Loading, Page, RequireRole } from '../../components/common';
import { dateTime, time, toTokyoLocal, yen } from '../../format';
import { useLang, useT, type Lang, type Translate } from '../../i18n';
import { href } from '../../router';
import { useQuery } from '../../use-api';
import { CalendarFeedPanel } from './calendar-feed';
import { CancelPanel } from './cancel-panel';
import { MailSettingsPanel } from './mail-settings';
import { MY_BOOKINGS, localName, type Booking } from './model';
import { canCancel } from './rules';
import { MyWaitlistPanel } from './waitlist';

/** How many past bookings show at first, and how many more each time. */
const PAST_STEP = 20;

export function BookingsPage() {
  const t = useT();
  return (
    <Page title={t('researcher.bookings.title')}>
      <RequireRole roles={['RESEARCHER']}>
        <MyBookings />
        <MyWaitlistPanel />
        <CalendarFeedPanel />
        <MailSettingsPanel />
      </RequireRole>
    </Page>
  );
}

function MyBookings() {
  const t = useT();
  const lang = useLang();
  const loaded = useQuery<{ myBookings: Booking[] }>(MY_BOOKINGS);
  const [cancelling, setCancelling] = useState<Booking | null>(null);
  const [cancelled, setCancelled] = useState<Booking | null>(null);
  const [pastShown, setPastShown] = useState(PAST_STEP);
  const opener = useRef<HTMLElement | null>(null);
  const done = useRef<HTMLParagraphElement>(null);

  if (!loaded.data) return loaded.error ? <ErrorMessage error={loaded.error} onRetry={loaded.reload} /> : <Loading />;
  const now = Date.now();
  const all = loaded.data.myBookings;
  const upcoming = all.filter((b) => Date.parse(b.end) > now).sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const past = all.filter((b) => Date.parse(b.end) <= now).sort((a, b) => Date.parse(b.start) - Date.parse(a.start));

  const startCancel = (booking: Booking, button: HTMLElement) => {
    opener.current = button;
    setCancelled(null);
    setCancelling(booking);
  };

  return (
    <>
      <ErrorMessage error={loaded.error} onRetry={loaded.reload} />
      {cancelled && (
        <p class="alert ok" role="status" tabIndex={-1} ref={done} data-testid="cancelled">
          {t('researcher.cancel.done', {
            instrument: localName(lang, cancelled.instrument),
            fee: yen(cancelled.cancellationFee ?? 0, lang),
          })}
        </p>
      )}
      {cancelling && (
        <CancelPanel
          booking={cancelling}
          onClose={() => {
            setCancelling(null);
            opener.current?.focus();
          }}
          onCancelled={(booking) => {
            setCancelling(null);
            setCancelled(booking);
            loaded.reload();
            requestAnimationFrame(() => done.current?.focus());
          }}
        />
      )}
      <section aria-labelledby="upcoming-heading">
        <h2 id="upcoming-heading">{t('researcher.bookings.upcoming')}</h2>
        {upcoming.length === 0 ? (
          <p>
            {t('researcher.bookings.noUpcoming')} <a href={href('/search')}>{t('researcher.bookings.find')}</a>
          </p>
        ) : (
          <BookingTable bookings={upcoming} caption={t('researcher.bookings.upcoming')} onCancel={startCancel} />
        )}
      </section>
      <section aria-labelledby="past-heading">
        <h2 id="past-heading">{t('researcher.bookings.past')}</h2>
        {past.length === 0 ? (
          <p>{t('researcher.bookings.noPast')}</p>
        ) : (
          <>
            <BookingTable bookings={past.slice(0, pastShown)} caption={t('researcher.bookings.past')} />
            {past.length > pastShown && (
              <div class="actions">
                <button type="button" class="secondary" onClick={() => setPastShown((n) => n + PAST_STEP)}>
                  {t('researcher.bookings.more', { count: past.length - pastShown })}
                </button>
              </div>
            )}
          </>
        )}
      </section>
    </>
  );
}

/** "Mon 3 Feb 09:00 – 11:00", the end's date left out when it is the start's. */
function period(booking: Booking, lang: Lang, t: Translate): string {
  const sameDay = toTokyoLocal(booking.start).slice(0, 10) === toTokyoLocal(booking.end).slice(0, 10);
  return t('researcher.period', {
    start: dateTime(booking.start, lang),
    end: sameDay ? time(booking.end, lang) : dateTime(booking.end, lang),
  });
}

const STATUS_BADGE: Record<Booking['status'], string> = {
  PENDING: 'badge',
  CONFIRMED: 'badge good',
  REJECTED: 'badge bad',
  CANCELLED: 'badge bad',
  COMPLETED: 'badge',
  NO_SHOW: 'badge bad',
};

function BookingTable(props: { bookings: Booking[]; caption: string; onCancel?(booking: Booking, button: HTMLElement): void }) {
  const t = useT();
  const lang = useLang();
  const now = new Date();
  return (
    <div class="table-scroll">
      <table class="bookings">
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('researcher.bookings.instrument')}</th>
            <th scope="col">{t('researcher.bookings.institution')}</th>
            <th scope="col">{t('researcher.bookings.when')}</th>
            <th scope="col">{t('researcher.bookings.mode')}</th>
            <th scope="col">{t('researcher.bookings.status')}</th>
            <th scope="col" class="num">
              {t('researcher.bookings.fee')}
            </th>
            <th scope="col" class="num">
              {t('researcher.bookings.cancellationFee')}
            </th>
            {props.onCancel && <th scope="col">{t('researcher.bookings.actions')}</th>}
          </tr>
        </thead>
        <tbody>
          {props.bookings.map((booking) => (
            <tr key={booking.id} data-booking={booking.id}>
              <th scope="row">
                <a href={href(`/instruments/${booking.instrument.id}`)}>{localName(lang, booking.instrument)}</a>
              </th>
              <td>{localName(lang, booking.instrument.institution)}</td>
              <td>{period(booking, lang, t)}</td>
              <td>{t(`common.mode.${booking.mode}`)}</td>
              <td>
                <span class={STATUS_BADGE[booking.status]}>{t(`common.status.${booking.status}`)}</span>
              </td>
              <td class="num">{yen(booking.fee, lang)}</td>
              <td class="num">{booking.cancellationFee === null ? '—' : yen(booking.cancellationFee, lang)}</td>
              {props.onCancel && (
                <td>
                  {canCancel(booking, now) && (
                    <button
                      type="button"
                      class="secondary"
                      aria-label={t('researcher.cancel.openFor', { instrument: localName(lang, booking.instrument) })}
                      onClick={(e) => props.onCancel!(booking, e.currentTarget)}
                    >
                      {t('researcher.cancel.open')}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
