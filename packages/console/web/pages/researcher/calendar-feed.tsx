/**
 * The calendar feed panel of `#/bookings`: make a secret URL at which my bookings are an iCalendar feed for my
 * calendar application, see when it was last read, make a new one (the old stops answering) or revoke it. The
 * URL is shown once, when made: the gateway keeps only its hash.
 */
import { ErrorMessage } from '../../components/common';
import { dateTime } from '../../format';
import { useLang, useT } from '../../i18n';
import { gql } from '../../api';
import { useAction, useQuery } from '../../use-api';

interface Feed {
  createdAt: string;
  lastReadAt: string | null;
}

const MINE = `query MyCalendarFeed { me { calendarFeed { createdAt lastReadAt } } }`;
const MAKE = `mutation CreateCalendarFeed { createCalendarFeed { url feed { createdAt lastReadAt } } }`;
const REVOKE = `mutation RevokeCalendarFeed { revokeCalendarFeed }`;

export function CalendarFeedPanel() {
  const t = useT();
  const lang = useLang();
  const mine = useQuery<{ me: { calendarFeed: Feed | null } | null }>(MINE);
  const make = useAction(() => gql<{ createCalendarFeed: { url: string; feed: Feed } }>(MAKE));
  const revoke = useAction(() => gql<{ revokeCalendarFeed: boolean }>(REVOKE));
  const feed = make.result?.createCalendarFeed.feed ?? (revoke.result ? null : mine.data?.me?.calendarFeed) ?? null;
  const url = make.result?.createCalendarFeed.url ?? null;

  return (
    <section class="panel calendar-feed" aria-labelledby="calendar-feed">
      <h2 id="calendar-feed">{t('researcher.feed.title')}</h2>
      <p>{t('researcher.feed.lead')}</p>
      {mine.error && <ErrorMessage error={mine.error} />}
      {make.error && <ErrorMessage error={make.error} />}
      {revoke.error && <ErrorMessage error={revoke.error} />}
      {url && (
        <div class="feed-url">
          <label for="feed-url">{t('researcher.feed.url')}</label>
          <input id="feed-url" readOnly value={url} onFocus={(e) => e.currentTarget.select()} data-testid="feed-url" />
          <p class="hint">{t('researcher.feed.once')}</p>
        </div>
      )}
      {feed ? (
        <p data-testid="feed-state">
          {t('researcher.feed.made', { at: dateTime(feed.createdAt, lang) })}{' '}
          {feed.lastReadAt ? t('researcher.feed.read', { at: dateTime(feed.lastReadAt, lang) }) : t('researcher.feed.unread')}
        </p>
      ) : (
        !mine.loading && <p data-testid="feed-state">{t('researcher.feed.none')}</p>
      )}
      <div class="actions">
        <button
          type="button"
          disabled={make.running || revoke.running}
          onClick={() => {
            revoke.reset();
            void make.run();
          }}
        >
          {feed ? t('researcher.feed.remake') : t('researcher.feed.make')}
        </button>
        {feed && (
          <button
            type="button"
            class="secondary"
            disabled={make.running || revoke.running}
            onClick={() => {
              make.reset();
              void revoke.run();
            }}
          >
            {t('researcher.feed.revoke')}
          </button>
        )}
      </div>
    </section>
  );
}
