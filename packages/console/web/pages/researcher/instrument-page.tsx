/**
 * `#/instruments/:id`: one instrument — what it is, its terms and fees (my category marked), a week of free
 * time (`?week=` keeps the week shown), and the quote-and-book form that a chosen free stretch fills.
 */
import { useState } from 'preact/hooks';
import { ErrorMessage, Loading, Page } from '../../components/common';
import { date, tokyoToday, yen } from '../../format';
import { useLang, useT } from '../../i18n';
import { href, navigate } from '../../router';
import { useQuery } from '../../use-api';
import { AvailabilityCalendar } from './availability-calendar';
import { BookingSection, type PickedStretch } from './booking-form';
import { FeeTable } from './fee-table';
import { INSTRUMENT, localName, type InstrumentDetail } from './model';
import { InstrumentBadges } from './parts';
import { mondayOf } from './week';

/** The week to show: the address's (as its Monday), never before this week. */
function weekOf(asked: string | null): string {
  const thisWeek = mondayOf(tokyoToday());
  if (!asked || !/^\d{4}-\d{2}-\d{2}$/.test(asked) || Number.isNaN(Date.parse(asked))) return thisWeek;
  const monday = mondayOf(asked);
  return monday < thisWeek ? thisWeek : monday;
}

export function InstrumentPage(props: { id: string; query: URLSearchParams }) {
  const t = useT();
  const lang = useLang();
  const loaded = useQuery<{ instrument: InstrumentDetail | null }>(INSTRUMENT, { id: props.id });
  const [picked, setPicked] = useState<PickedStretch | null>(null);
  const [bookings, setBookings] = useState(0);
  const week = weekOf(props.query.get('week'));

  if (loaded.loading || loaded.error || !loaded.data?.instrument)
    return (
      <Page title={t('researcher.instrument.title')}>
        {loaded.loading && <Loading />}
        <ErrorMessage error={loaded.error} onRetry={loaded.reload} />
        {loaded.data && !loaded.data.instrument && (
          <p class="alert warn" role="status">
            {t('researcher.instrument.notFound')} <a href={href('/search')}>{t('researcher.instrument.toSearch')}</a>
          </p>
        )}
      </Page>
    );

  const instrument = loaded.data.instrument;
  return (
    <Page title={localName(lang, instrument)}>
      <p class="lead">
        {t('researcher.result.where', {
          institution: localName(lang, instrument.institution),
          prefecture: instrument.institution.prefecture,
          category: instrument.category,
        })}
      </p>
      <InstrumentBadges instrument={instrument} />
      {instrument.description && <p class="description">{instrument.description}</p>}
      <div class="grid-2">
        <InstrumentFacts instrument={instrument} />
        <FeeTable instrument={instrument} />
      </div>
      <AvailabilityCalendar
        key={bookings}
        instrumentId={instrument.id}
        week={week}
        onWeek={(monday) => navigate(`/instruments/${instrument.id}`, { week: monday }, { replace: true })}
        onPick={(piece) => setPicked({ start: piece.start, end: piece.slot.end })}
        chosen={picked}
      />
      <BookingSection instrument={instrument} picked={picked} onBooked={() => setBookings((n) => n + 1)} />
    </Page>
  );
}

function InstrumentFacts(props: { instrument: InstrumentDetail }) {
  const t = useT();
  const lang = useLang();
  const { instrument } = props;
  const yesNo = (value: boolean) => (value ? t('common.yes') : t('common.no'));
  const rows: [string, string][] = [
    [
      t('researcher.instrument.institution'),
      t('researcher.instrument.institutionValue', {
        name: localName(lang, instrument.institution),
        prefecture: instrument.institution.prefecture,
      }),
    ],
    [t('researcher.instrument.category'), instrument.category],
    [t('researcher.instrument.manufacturer'), instrument.manufacturer ?? '—'],
    [t('researcher.instrument.model'), instrument.model ?? '—'],
    [t('researcher.instrument.building'), instrument.building ?? '—'],
    [t('researcher.instrument.price'), yen(instrument.acquisitionPrice, lang)],
    [t('researcher.instrument.acquired'), date(instrument.acquiredOn, lang)],
    [t('researcher.instrument.shared'), yesNo(instrument.sharedExternally)],
    [t('researcher.instrument.remote'), yesNo(instrument.remoteOperable)],
    [t('researcher.instrument.approval'), yesNo(instrument.requiresApproval)],
    [t('researcher.instrument.qualification'), yesNo(instrument.requiresQualification)],
    [t('researcher.instrument.maxBooking'), t('researcher.hours', { hours: instrument.maxBookingMinutes / 60 })],
    [
      t('researcher.instrument.cancellation'),
      t('researcher.instrument.cancellationTerms', {
        hours: instrument.cancellationFreeHours,
        percent: instrument.cancellationFeePercent,
      }),
    ],
  ];
  return (
    <section class="panel titled" aria-labelledby="facts-heading">
      <h2 id="facts-heading">{t('researcher.instrument.details')}</h2>
      <dl class="details">
        {rows.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
