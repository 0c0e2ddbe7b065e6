/**
 * Quote and book an instrument: period (Tokyo time), mode, purpose, funding source. A quote shows how the fee
 * is made up; booking sends an idempotency key that stays the same while the input does, so a double click
 * or a retry after a lost answer cannot book twice. Problems show at their fields.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { gql } from '../../api';
import { ErrorMessage, Field } from '../../components/common';
import { dateTime, fromTokyoLocal, toTokyoLocal, yen } from '../../format';
import { useLang, useT, type Translate } from '../../i18n';
import { href } from '../../router';
import { hasRole, session, userCategoryAt } from '../../session';
import { useStore } from '../../store';
import { useAction } from '../../use-api';
import {
  CREATE_BOOKING,
  OPERATION_MODES,
  QUOTE,
  localName,
  type Booking,
  type BookingInput,
  type FeeQuote,
  type InstrumentDetail,
  type OperationMode,
} from './model';
import { useFieldProblem } from './parts';
import { hourlyRate } from './rules';
import { WaitlistOffer } from './waitlist';

/** A stretch chosen in the calendar: where the form's period starts and the latest it may end. */
export interface PickedStretch {
  start: string;
  end: string;
}

interface Draft {
  /** datetime-local values, read as Tokyo time. */
  start: string;
  end: string;
  mode: OperationMode;
  purpose: string;
  fundingSource: string;
}
type DraftField = keyof Draft;
type Problems = Partial<Record<DraftField, string>>;

/** How long a booking made from a calendar pick lasts at first (the user can change the end). */
const PICK_MINUTES = 60;

/** A random UUID; `crypto.randomUUID` needs a secure context, so build one from random bytes otherwise. */
function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The same key for the same input; a new one once the input changes. */
function useIdempotencyKey(): { keyFor(input: BookingInput): string; forget(): void } {
  const current = useRef<{ signature: string; key: string } | null>(null);
  return {
    keyFor(input) {
      const signature = JSON.stringify(input);
      if (current.current?.signature !== signature) current.current = { signature, key: newIdempotencyKey() };
      return current.current.key;
    },
    forget() {
      current.current = null;
    },
  };
}

function checkDraft(draft: Draft, maxMinutes: number, t: Translate): Problems {
  const problems: Problems = {};
  if (!draft.start) problems.start = t('researcher.book.problem.startRequired');
  else if (Date.parse(fromTokyoLocal(draft.start)) <= Date.now()) problems.start = t('researcher.book.problem.startPast');
  if (!draft.end) problems.end = t('researcher.book.problem.endRequired');
  if (draft.start && draft.end) {
    const minutes = (Date.parse(fromTokyoLocal(draft.end)) - Date.parse(fromTokyoLocal(draft.start))) / 60_000;
    if (minutes <= 0) problems.end = t('researcher.book.problem.endBeforeStart');
    else if (minutes < 15) problems.end = t('researcher.book.problem.tooShort');
    else if (minutes > maxMinutes) problems.end = t('researcher.book.problem.tooLong', { hours: maxMinutes / 60 });
  }
  if (!draft.purpose.trim()) problems.purpose = t('researcher.book.problem.purposeRequired');
  return problems;
}

export function BookingSection(props: { instrument: InstrumentDetail; picked: PickedStretch | null; onBooked(): void }) {
  const t = useT();
  const { viewer } = useStore(session);
  if (!viewer)
    return (
      <section class="panel titled" aria-labelledby="book-heading">
        <h2 id="book-heading">{t('researcher.book.title')}</h2>
        <p class="alert warn">
          {t('researcher.book.signInFirst')} <a href={href('/sign-in', { next: location.hash })}>{t('common.signIn')}</a>
        </p>
      </section>
    );
  if (!hasRole(viewer, 'RESEARCHER'))
    return (
      <section class="panel titled" aria-labelledby="book-heading">
        <h2 id="book-heading">{t('researcher.book.title')}</h2>
        <p class="alert warn">{t('researcher.book.researchersOnly')}</p>
      </section>
    );
  return <BookingForm {...props} />;
}

function BookingForm(props: { instrument: InstrumentDetail; picked: PickedStretch | null; onBooked(): void }) {
  const t = useT();
  const lang = useLang();
  const { viewer } = useStore(session);
  const { instrument } = props;
  const category = userCategoryAt(viewer, instrument.institution.code);
  const offered = OPERATION_MODES.filter((mode) => hourlyRate(instrument.fees, category, mode) !== null);
  const blank: Draft = { start: '', end: '', mode: offered[0] ?? 'SELF', purpose: '', fundingSource: '' };
  const [draft, setDraft] = useState<Draft>(blank);
  const [problems, setProblems] = useState<Problems>({});
  const startInput = useRef<HTMLInputElement>(null);
  const idempotency = useIdempotencyKey();
  const quote = useAction(async (input: BookingInput) => (await gql<{ quoteBooking: FeeQuote }>(QUOTE, { input })).quoteBooking);
  const book = useAction(
    async (input: BookingInput, idempotencyKey: string) =>
      (await gql<{ createBooking: Booking }>(CREATE_BOOKING, { input, idempotencyKey })).createBooking,
  );
  const error = book.error ?? quote.error;
  const apiProblem = useFieldProblem(error);
  const problemAt = (field: DraftField) => problems[field] ?? apiProblem(field);

  const edit = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setProblems((p) => {
      const next = { ...p };
      for (const field of Object.keys(patch) as DraftField[]) delete next[field];
      return next;
    });
    quote.reset();
    book.reset();
  };

  useEffect(() => {
    if (!props.picked) return;
    const start = Date.parse(props.picked.start);
    const end = Math.min(Date.parse(props.picked.end), start + Math.min(PICK_MINUTES, instrument.maxBookingMinutes) * 60_000);
    edit({ start: toTokyoLocal(props.picked.start), end: toTokyoLocal(new Date(end).toISOString()) });
    startInput.current?.focus();
    startInput.current?.scrollIntoView({ block: 'center' });
    // Only a new pick fills the form: `edit` and the instrument are left out of the dependencies on purpose.
  }, [props.picked]);

  const input = (): BookingInput | null => {
    const found = checkDraft(draft, instrument.maxBookingMinutes, t);
    setProblems(found);
    if (Object.keys(found).length) return null;
    return {
      instrumentId: instrument.id,
      start: fromTokyoLocal(draft.start),
      end: fromTokyoLocal(draft.end),
      mode: draft.mode,
      purpose: draft.purpose.trim(),
      fundingSource: draft.fundingSource.trim() || null,
    };
  };

  if (book.result)
    return (
      <BookingConfirmation
        booking={book.result}
        onAnother={() => {
          idempotency.forget();
          book.reset();
          quote.reset();
          setDraft(blank);
        }}
      />
    );

  return (
    <section class="panel titled" aria-labelledby="book-heading">
      <h2 id="book-heading">{t('researcher.book.title')}</h2>
      {!instrument.sharedExternally && category !== 'INTERNAL' && (
        <p class="alert warn">{t('researcher.book.notSharedNote', { institution: localName(lang, instrument.institution) })}</p>
      )}
      {offered.length === 0 && instrument.sharedExternally && (
        <p class="alert warn">{t('researcher.book.noFeeNote', { category: t(`common.category.${category}`) })}</p>
      )}
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const ready = input();
          if (ready) void book.run(ready, idempotency.keyFor(ready)).then((booking) => booking && props.onBooked());
        }}
      >
        <div class="grid-2">
          <Field label={t('researcher.book.start')} hint={t('researcher.book.tokyoTime')} problem={problemAt('start')}>
            {(control) => (
              <input
                {...control}
                ref={startInput}
                type="datetime-local"
                name="start"
                value={draft.start}
                onInput={(e) => edit({ start: e.currentTarget.value })}
              />
            )}
          </Field>
          <Field label={t('researcher.book.end')} hint={t('researcher.book.tokyoTime')} problem={problemAt('end')}>
            {(control) => (
              <input
                {...control}
                type="datetime-local"
                name="end"
                value={draft.end}
                onInput={(e) => edit({ end: e.currentTarget.value })}
              />
            )}
          </Field>
        </div>
        <Field
          label={t('researcher.book.mode')}
          hint={instrument.requiresQualification && draft.mode === 'SELF' ? t('researcher.book.qualificationHint') : undefined}
          problem={problemAt('mode')}
        >
          {(control) => (
            <select
              {...control}
              name="mode"
              value={draft.mode}
              onChange={(e) => edit({ mode: e.currentTarget.value as OperationMode })}
            >
              {OPERATION_MODES.map((mode) => {
                const rate = hourlyRate(instrument.fees, category, mode);
                return (
                  <option key={mode} value={mode}>
                    {t('researcher.book.modeOption', {
                      mode: t(`common.mode.${mode}`),
                      rate:
                        rate === null ? t('researcher.fees.notOffered') : t('researcher.perHour', { amount: yen(rate, lang) }),
                    })}
                  </option>
                );
              })}
            </select>
          )}
        </Field>
        <Field label={t('researcher.book.purpose')} hint={t('researcher.book.purposeHint')} problem={problemAt('purpose')}>
          {(control) => (
            <textarea
              {...control}
              name="purpose"
              rows={3}
              value={draft.purpose}
              onInput={(e) => edit({ purpose: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field label={t('researcher.book.funding')} hint={t('researcher.book.fundingHint')} problem={problemAt('fundingSource')}>
          {(control) => (
            <input
              {...control}
              type="text"
              name="fundingSource"
              value={draft.fundingSource}
              onInput={(e) => edit({ fundingSource: e.currentTarget.value })}
            />
          )}
        </Field>
        {instrument.requiresApproval && <p class="alert warn">{t('researcher.book.approvalNote')}</p>}
        <ErrorMessage error={error} />
        {book.error?.code === 'SLOT_UNAVAILABLE' && (
          <WaitlistOffer
            period={{ instrumentId: instrument.id, start: fromTokyoLocal(draft.start), end: fromTokyoLocal(draft.end) }}
          />
        )}
        {error?.code === 'UNAUTHENTICATED' && (
          <p>
            <a href={href('/sign-in', { next: location.hash })}>{t('common.signIn')}</a>
          </p>
        )}
        {quote.result && <QuoteView quote={quote.result} />}
        <div class="actions">
          <button
            type="button"
            class="secondary"
            disabled={quote.running}
            onClick={() => {
              const ready = input();
              if (ready) void quote.run(ready);
            }}
          >
            {quote.running ? t('researcher.book.quoting') : t('researcher.book.quote')}
          </button>
          <button type="submit" disabled={book.running}>
            {book.running ? t('researcher.book.booking') : t('researcher.book.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}

function QuoteView(props: { quote: FeeQuote }) {
  const t = useT();
  const lang = useLang();
  const { quote } = props;
  return (
    <div class="quote" role="status">
      <h3>{t('researcher.quote.title')}</h3>
      <p class="muted">
        {t('researcher.quote.basis', {
          category: t(`common.category.${quote.userCategory}`),
          mode: t(`common.mode.${quote.mode}`),
          minutes: quote.billableMinutes,
        })}
      </p>
      <table>
        <tbody>
          {quote.lines.map((line, i) => (
            <tr key={i}>
              <th scope="row">{line.label}</th>
              <td class="num">{yen(line.amount, lang)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('researcher.quote.total')}</th>
            <td class="num">
              <strong>{yen(quote.amount, lang)}</strong>
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function BookingConfirmation(props: { booking: Booking; onAnother(): void }) {
  const t = useT();
  const lang = useLang();
  const heading = useRef<HTMLHeadingElement>(null);
  const { booking } = props;
  useEffect(() => heading.current?.focus(), []);
  const pending = booking.status === 'PENDING';
  return (
    <section class={`panel titled confirmation ${pending ? 'pending' : 'confirmed'}`} aria-labelledby="booked-heading">
      <h2 id="booked-heading" ref={heading} tabIndex={-1}>
        {pending ? t('researcher.booked.pending') : t('researcher.booked.confirmed')}
      </h2>
      <p role="status">{pending ? t('researcher.booked.pendingLead') : t('researcher.booked.confirmedLead')}</p>
      <dl class="facts">
        <div>
          <dt>{t('researcher.bookings.status')}</dt>
          <dd>
            <span class={`badge ${pending ? '' : 'good'}`}>{t(`common.status.${booking.status}`)}</span>
          </dd>
        </div>
        <div>
          <dt>{t('researcher.bookings.when')}</dt>
          <dd>{t('researcher.period', { start: dateTime(booking.start, lang), end: dateTime(booking.end, lang) })}</dd>
        </div>
        <div>
          <dt>{t('researcher.bookings.mode')}</dt>
          <dd>{t(`common.mode.${booking.mode}`)}</dd>
        </div>
        <div>
          <dt>{t('researcher.bookings.fee')}</dt>
          <dd data-testid="booked-fee">{yen(booking.fee, lang)}</dd>
        </div>
        {booking.fundingSource && (
          <div>
            <dt>{t('researcher.book.funding')}</dt>
            <dd>{booking.fundingSource}</dd>
          </div>
        )}
      </dl>
      <div class="actions">
        <a class="button" href={href('/bookings')}>
          {t('researcher.booked.myBookings')}
        </a>
        <button type="button" class="secondary" onClick={props.onAnother}>
          {t('researcher.booked.another')}
        </button>
      </div>
    </section>
  );
}
