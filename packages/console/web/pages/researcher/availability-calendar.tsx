/**
 * One week (Monday–Sunday, Tokyo time) of an instrument's free stretches, days as columns. Each stretch is a
 * button; choosing one fills the booking form.
 */
import { ErrorMessage, Loading } from '../../components/common';
import { addDays, date, time, tokyoToday } from '../../format';
import { useLang, useT } from '../../i18n';
import { useQuery } from '../../use-api';
import { AVAILABILITY, type TimeSlot } from './model';
import { mondayOf, piecesByDay, tokyoMidnight, weekDays, type DayPiece } from './week';

export function AvailabilityCalendar(props: {
  instrumentId: string;
  /** The Monday of the week shown. */
  week: string;
  onWeek(monday: string): void;
  onPick(piece: DayPiece): void;
  /** The period the booking form holds, marked when it lies in a shown stretch. */
  chosen: { start: string; end: string } | null;
}) {
  const t = useT();
  const lang = useLang();
  const days = weekDays(props.week);
  const availability = useQuery<{ instrument: { availability: TimeSlot[] } | null }>(AVAILABILITY, {
    id: props.instrumentId,
    from: tokyoMidnight(props.week),
    to: tokyoMidnight(addDays(props.week, 7)),
  });
  const pieces = piecesByDay(availability.data?.instrument?.availability ?? [], days);
  const thisWeek = mondayOf(tokyoToday());

  return (
    <section class="panel titled calendar" aria-labelledby="calendar-heading">
      <h2 id="calendar-heading">{t('researcher.calendar.title')}</h2>
      <p class="muted">{t('researcher.calendar.lead')}</p>
      <div class="actions week-nav">
        <button
          type="button"
          class="secondary"
          disabled={props.week <= thisWeek}
          onClick={() => props.onWeek(addDays(props.week, -7))}
        >
          {t('researcher.calendar.previous')}
        </button>
        <strong aria-live="polite">
          {t('researcher.calendar.week', { from: date(days[0]!, lang), to: date(days[6]!, lang) })}
        </strong>
        <button type="button" class="secondary" onClick={() => props.onWeek(addDays(props.week, 7))}>
          {t('researcher.calendar.next')}
        </button>
        {props.week !== thisWeek && (
          <button type="button" class="link" onClick={() => props.onWeek(thisWeek)}>
            {t('researcher.calendar.thisWeek')}
          </button>
        )}
      </div>
      {availability.error && <ErrorMessage error={availability.error} onRetry={availability.reload} />}
      {availability.loading ? (
        <Loading />
      ) : (
        <div class="week">
          {days.map((day) => (
            <DayColumn key={day} day={day} pieces={pieces.get(day) ?? []} chosen={props.chosen} onPick={props.onPick} />
          ))}
        </div>
      )}
    </section>
  );
}

function DayColumn(props: {
  day: string;
  pieces: DayPiece[];
  chosen: { start: string; end: string } | null;
  onPick(piece: DayPiece): void;
}) {
  const t = useT();
  const lang = useLang();
  const heading = `day-${props.day}`;
  const label = (piece: DayPiece) =>
    t('researcher.calendar.range', {
      from: time(piece.start, lang),
      to: piece.untilMidnight ? '24:00' : time(piece.end, lang),
    });
  const holds = (piece: DayPiece) =>
    !!props.chosen &&
    Date.parse(props.chosen.start) >= Date.parse(piece.start) &&
    Date.parse(props.chosen.start) < Date.parse(piece.end);

  return (
    <div class="day" role="group" aria-labelledby={heading}>
      <h3 id={heading}>{date(props.day, lang)}</h3>
      {props.pieces.length === 0 ? (
        <p class="muted">{props.day < tokyoToday() ? t('researcher.calendar.past') : t('researcher.calendar.full')}</p>
      ) : (
        <ul>
          {props.pieces.map((piece) => (
            <li key={piece.start}>
              <button
                type="button"
                class={`slot${holds(piece) ? ' chosen' : ''}`}
                data-start={piece.start}
                aria-pressed={holds(piece)}
                aria-label={t('researcher.calendar.pick', { day: date(props.day, lang), range: label(piece) })}
                onClick={() => props.onPick(piece)}
              >
                {label(piece)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
