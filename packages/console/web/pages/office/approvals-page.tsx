/**
 * `#/office/approvals`: the approvals queue (PENDING bookings, upcoming first) with approve / reject and a note
 * (`decideBooking`); the CONFIRMED bookings of the next two weeks for context; and started CONFIRMED bookings
 * of the last month whose outcome (COMPLETED / NO_SHOW) is still to be recorded (`recordBookingOutcome`).
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { gql } from '../../api';
import { ErrorMessage, Loading } from '../../components/common';
import { dateTime, time, yen } from '../../format';
import { useLang, useT } from '../../i18n';
import { useAction, useQuery } from '../../use-api';
import { OfficePage, type OfficeScope } from './scope';
import { BOOKING_FIELDS, type OfficeBooking } from './types';

const DAY_MS = 86_400_000;
/** How far ahead the context list of confirmed bookings looks. */
const UPCOMING_DAYS = 14;
/** How far back started bookings wait for their outcome in this list. */
const OUTCOME_DAYS = 31;

const QUEUE = `query OfficeApprovals($institution: ID!, $now: DateTime!, $soon: DateTime!, $recent: DateTime!) {
  pending: institutionBookings(institution: $institution, status: [PENDING]) { ${BOOKING_FIELDS} }
  upcoming: institutionBookings(institution: $institution, status: [CONFIRMED], from: $now, to: $soon) { ${BOOKING_FIELDS} }
  started: institutionBookings(institution: $institution, status: [CONFIRMED], from: $recent, to: $now) { ${BOOKING_FIELDS} }
}`;

const DECIDE = `mutation OfficeDecideBooking($id: ID!, $approve: Boolean!, $note: String) {
  decideBooking(id: $id, approve: $approve, note: $note) { ${BOOKING_FIELDS} } }`;

const OUTCOME = `mutation OfficeRecordOutcome($id: ID!, $outcome: BookingOutcome!, $note: String) {
  recordBookingOutcome(id: $id, outcome: $outcome, note: $note) { ${BOOKING_FIELDS} } }`;

interface Queue {
  pending: OfficeBooking[];
  upcoming: OfficeBooking[];
  started: OfficeBooking[];
}

export function ApprovalsPage() {
  const t = useT();
  return <OfficePage title={t('office.approvals.title')}>{(scope) => <Approvals scope={scope} />}</OfficePage>;
}

const hasStarted = (booking: OfficeBooking, now: Date) => Date.parse(booking.start) <= now.getTime();

function Approvals(props: { scope: OfficeScope }) {
  const t = useT();
  // Fixed while the page is open (the query's variables must not change on every render); "refresh" moves it.
  const [now, setNow] = useState(() => new Date());
  const queue = useQuery<Queue>(QUEUE, {
    institution: props.scope.code,
    now: now.toISOString(),
    soon: new Date(now.getTime() + UPCOMING_DAYS * DAY_MS).toISOString(),
    recent: new Date(now.getTime() - OUTCOME_DAYS * DAY_MS).toISOString(),
  });
  if (queue.error) return <ErrorMessage error={queue.error} onRetry={queue.reload} />;
  if (!queue.data) return <Loading />;
  const { pending, upcoming, started } = queue.data;
  // Upcoming first (soonest first); those already started can only be rejected, so they come last.
  const ordered = [...pending.filter((b) => !hasStarted(b, now)), ...pending.filter((b) => hasStarted(b, now))];
  return (
    <>
      <div class="actions no-print">
        <button type="button" class="secondary" disabled={queue.loading} onClick={() => setNow(new Date())}>
          {t('office.approvals.refresh')}
        </button>
      </div>
      <section aria-labelledby="pending-heading">
        <h2 id="pending-heading">{t('office.approvals.pending', { count: pending.length })}</h2>
        {ordered.length === 0 ? (
          <p class="muted">{t('office.approvals.nonePending')}</p>
        ) : (
          <BookingTable
            bookings={ordered}
            actionsLabel={t('office.approvals.decision')}
            actions={(booking) => <DecideBooking booking={booking} started={hasStarted(booking, now)} />}
          />
        )}
      </section>
      <section aria-labelledby="outcome-heading">
        <h2 id="outcome-heading">{t('office.approvals.outcomes', { count: started.length })}</h2>
        <p class="muted">{t('office.approvals.outcomesLead')}</p>
        {started.length === 0 ? (
          <p class="muted">{t('office.approvals.noneStarted')}</p>
        ) : (
          <BookingTable
            bookings={started}
            actionsLabel={t('office.approvals.outcome')}
            actions={(booking) => <RecordOutcome booking={booking} />}
          />
        )}
      </section>
      <section aria-labelledby="upcoming-heading">
        <h2 id="upcoming-heading">{t('office.approvals.upcoming', { days: UPCOMING_DAYS, count: upcoming.length })}</h2>
        {upcoming.length === 0 ? <p class="muted">{t('office.approvals.noneUpcoming')}</p> : <BookingTable bookings={upcoming} />}
      </section>
    </>
  );
}

/** Bookings with who, what, when, why and the fee; `actions` adds a last column. */
function BookingTable(props: {
  bookings: OfficeBooking[];
  actionsLabel?: string;
  actions?: (booking: OfficeBooking) => ComponentChildren;
}) {
  const t = useT();
  const lang = useLang();
  return (
    <div class="table-scroll">
      <table class="booking-table">
        <thead>
          <tr>
            <th scope="col">{t('office.approvals.requester')}</th>
            <th scope="col">{t('office.approvals.instrument')}</th>
            <th scope="col">{t('office.approvals.when')}</th>
            <th scope="col">{t('office.approvals.purpose')}</th>
            <th scope="col" class="num">
              {t('office.approvals.fee')}
            </th>
            {props.actions && <th scope="col">{props.actionsLabel}</th>}
          </tr>
        </thead>
        <tbody>
          {props.bookings.map((b) => (
            <tr key={b.id} data-booking={b.id}>
              <th scope="row">
                {b.requesterId}
                <div class="small">{b.requesterInstitution?.name ?? b.requesterOrganization}</div>
                <div class="muted small">{t(`common.category.${b.userCategory}`)}</div>
              </th>
              <td>
                {b.instrument.name}
                <div class="muted small">{t(`common.mode.${b.mode}`)}</div>
              </td>
              <td class="nowrap">
                {dateTime(b.start, lang)}–{time(b.end, lang)}
              </td>
              <td>
                {b.purpose}
                {b.fundingSource && <div class="muted small">{t('office.approvals.funding', { source: b.fundingSource })}</div>}
              </td>
              <td class="num">{yen(b.fee, lang)}</td>
              {props.actions && <td>{props.actions(b)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A decided booking: its new status, the note, and who decided. */
function Decided(props: { booking: OfficeBooking }) {
  const t = useT();
  const { booking } = props;
  const good = booking.status === 'CONFIRMED' || booking.status === 'COMPLETED';
  return (
    <div role="status">
      <span class={`badge ${good ? 'good' : 'bad'}`}>{t(`common.status.${booking.status}`)}</span>
      {booking.decisionNote && <div class="small">{booking.decisionNote}</div>}
      {booking.decidedBy && <div class="muted small">{t('office.approvals.decidedBy', { who: booking.decidedBy })}</div>}
    </div>
  );
}

/** A note and two buttons; after the decision the booking's new state. */
function NoteAndButtons(props: {
  booking: OfficeBooking;
  buttons: { label: string; value: string; danger?: boolean; disabled?: boolean }[];
  hint?: string;
  submit: (value: string, note: string | null) => Promise<OfficeBooking>;
}) {
  const t = useT();
  const [note, setNote] = useState('');
  const action = useAction(props.submit);
  if (action.result) return <Decided booking={action.result} />;
  const noteId = `note-${props.booking.id}`;
  return (
    <div class="decision">
      <label for={noteId} class="small">
        {t('office.approvals.note')}
      </label>
      <input id={noteId} type="text" value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      <div class="actions">
        {props.buttons.map((button) => (
          <button
            key={button.value}
            type="button"
            class={button.danger ? 'danger' : undefined}
            disabled={action.running || button.disabled}
            onClick={() => void action.run(button.value, note.trim() || null)}
          >
            {button.label}
          </button>
        ))}
      </div>
      {props.hint && <p class="muted small">{props.hint}</p>}
      <ErrorMessage error={action.error} />
    </div>
  );
}

function DecideBooking(props: { booking: OfficeBooking; started: boolean }) {
  const t = useT();
  return (
    <NoteAndButtons
      booking={props.booking}
      buttons={[
        { label: t('office.approvals.approve'), value: 'approve', disabled: props.started },
        { label: t('office.approvals.reject'), value: 'reject', danger: true },
      ]}
      hint={props.started ? t('office.approvals.startedHint') : undefined}
      submit={(value, note) =>
        gql<{ decideBooking: OfficeBooking }>(DECIDE, { id: props.booking.id, approve: value === 'approve', note }).then(
          (d) => d.decideBooking,
        )
      }
    />
  );
}

function RecordOutcome(props: { booking: OfficeBooking }) {
  const t = useT();
  return (
    <NoteAndButtons
      booking={props.booking}
      buttons={[
        { label: t('common.status.COMPLETED'), value: 'COMPLETED' },
        { label: t('common.status.NO_SHOW'), value: 'NO_SHOW', danger: true },
      ]}
      submit={(outcome, note) =>
        gql<{ recordBookingOutcome: OfficeBooking }>(OUTCOME, { id: props.booking.id, outcome, note }).then(
          (d) => d.recordBookingOutcome,
        )
      }
    />
  );
}
