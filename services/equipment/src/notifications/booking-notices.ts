import type { Identity } from '@kyoyo/auth';
import type { Booking } from '../bookings/bookings.types';
import type { Transaction } from '../instruments/instruments.repository';
import { waitingFor } from '../waitlists/waitlists.repository';
import { bookingNotice, freedNotice, qualificationNotice, type BookingFacts } from './notices';
import { enqueueNotifications } from './notifications.repository';
import type { NewNotification, NoticeKind } from './notifications.types';
import { instrumentAndPerson, peopleOf, rememberPerson, type Person } from './people.repository';

/** A message a booking event calls for, and to whom. */
interface Wanted {
  kind: NoticeKind;
  to: 'requester' | 'office';
}

/** How an institution signs and addresses its mail. */
export interface NoticeSettings {
  /** The institution's name in its messages (its code when none is configured). */
  institutionName: string;
  /** The facility office's address: approval requests and researchers' cancellations go there; none when null. */
  officeEmail: string | null;
  /** The console's address, for links to a booking; none when null. */
  consoleUrl: string | null;
}

/**
 * Writes the messages a booking event calls for into the outbox, in the event's own transaction: if the
 * booking's change rolls back, so do its messages, and once it commits they are sent. Someone with no known
 * address gets nothing (the console still shows everything).
 */
export class BookingNotices {
  constructor(private readonly settings: NoticeSettings) {}

  /**
   * A booking was made: the requester hears it is confirmed or awaits approval; the office is asked to decide.
   * What it needs is at hand (the caller, the instrument's name): no read.
   */
  async booked(tx: Transaction, booking: Booking, instrumentName: string, requester: Identity): Promise<void> {
    await rememberPerson(tx, requester);
    const pending = booking.status === 'PENDING';
    const person: Person | null = requester.email
      ? { subject: requester.id, email: requester.email, language: requester.language ?? 'ja', reminders: true }
      : null;
    const messages = this.messages(booking, instrumentName, person, [
      { kind: pending ? 'BOOKING_REQUESTED' : 'BOOKING_CONFIRMED', to: 'requester' },
      ...(pending ? [{ kind: 'APPROVAL_REQUESTED' as const, to: 'office' as const }] : []),
    ]);
    await enqueueNotifications(tx, messages);
  }

  /** The office approved or rejected a booking: the requester hears which; a rejection frees its period. */
  async decided(tx: Transaction, booking: Booking, now: Date): Promise<void> {
    const approved = booking.status === 'CONFIRMED';
    const messages = await this.about(tx, booking, [
      { kind: approved ? 'BOOKING_APPROVED' : 'BOOKING_REJECTED', to: 'requester' },
    ]);
    await enqueueNotifications(tx, [...messages, ...(approved ? [] : await this.freed(tx, booking, now))]);
  }

  /**
   * A booking was cancelled: the requester hears it with any fee (in the language their cancelling call
   * carries); the office too when the requester cancelled.
   */
  async cancelled(tx: Transaction, booking: Booking, by: Identity, now: Date): Promise<void> {
    const byRequester = booking.cancelledBy === booking.requesterId;
    if (byRequester) await rememberPerson(tx, by);
    const messages = await this.about(tx, booking, [
      { kind: 'BOOKING_CANCELLED', to: 'requester' },
      ...(byRequester ? [{ kind: 'BOOKING_CANCELLED' as const, to: 'office' as const }] : []),
    ]);
    await enqueueNotifications(tx, [...messages, ...(await this.freed(tx, booking, now))]);
  }

  /**
   * Those waiting for a period the booking held, told it is free, in the order they joined (the first to
   * book it gets it): the caller holds the instrument's lock, so that no one joins unseen meanwhile.
   */
  private async freed(tx: Transaction, booking: Booking, now: Date): Promise<NewNotification[]> {
    const waiting = await waitingFor(tx, booking.instrumentId, booking.period, now);
    if (waiting.length === 0) return [];
    const [{ instrumentName }, people] = await Promise.all([
      instrumentAndPerson(tx, booking.instrumentId, booking.requesterId),
      peopleOf(
        tx,
        waiting.map((w) => w.subject),
      ),
    ]);
    const link = this.linkTo('/bookings');
    return waiting.flatMap((entry) => {
      const person = people.get(entry.subject);
      if (!person?.email) return [];
      const facts = {
        instrumentName: instrumentName ?? `#${booking.instrumentId}`,
        institutionName: this.settings.institutionName,
        start: entry.start,
        end: entry.end,
        position: entry.position,
        link,
      };
      const { subject, body } = freedNotice(facts, person.language);
      return [
        {
          event: `waitlist:${entry.id}:freed-by:${booking.id}`,
          kind: 'WAITLIST_SLOT_FREED' as const,
          bookingId: booking.id,
          recipientSubject: person.subject,
          recipient: person.email,
          language: person.language,
          subject,
          body,
        },
      ];
    });
  }

  /** The reminder the day before a booking, for those who want reminders. */
  reminder(booking: Booking, instrumentName: string, person: Person): NewNotification[] {
    if (!person.email || !person.reminders) return [];
    const facts = this.facts(booking, instrumentName, '/bookings');
    return [this.message('BOOKING_REMINDER', facts, person.email, person.language, booking, person.subject)];
  }

  /** The notice that a qualification ends on `expiresOn`, to someone with an address. */
  qualificationExpiring(instrumentId: number, instrumentName: string, expiresOn: string, person: Person): NewNotification[] {
    if (!person.email) return [];
    const facts = { instrumentName, institutionName: this.settings.institutionName, expiresOn };
    const { subject, body } = qualificationNotice(facts, person.language);
    return [
      {
        event: `qualification:${instrumentId}:${person.subject}:${expiresOn}`,
        kind: 'QUALIFICATION_EXPIRING',
        bookingId: null,
        recipientSubject: person.subject,
        recipient: person.email,
        language: person.language,
        subject,
        body,
      },
    ];
  }

  /** The messages `wanted` about a booking that has changed: its instrument's name and requester read in one query. */
  private async about(tx: Transaction, booking: Booking, wanted: Wanted[]): Promise<NewNotification[]> {
    const { instrumentName, person } = await instrumentAndPerson(tx, booking.instrumentId, booking.requesterId);
    return this.messages(booking, instrumentName ?? `#${booking.instrumentId}`, person, wanted);
  }

  private messages(booking: Booking, name: string, requester: Person | null, wanted: Wanted[]): NewNotification[] {
    const office = this.settings.officeEmail;
    return wanted.flatMap(({ kind, to }) => {
      // The office's copy is in Japanese and links to its approvals.
      if (to === 'office') {
        return office ? [this.message(kind, this.facts(booking, name, '/office/approvals'), office, 'ja', booking, null)] : [];
      }
      if (!requester?.email) return [];
      const facts = this.facts(booking, name, '/bookings');
      return [this.message(kind, facts, requester.email, requester.language, booking, requester.subject)];
    });
  }

  /** The console's page `page` (e.g. `/bookings`), when the service knows the console's address. */
  private linkTo(page: string): string | null {
    return this.settings.consoleUrl ? `${this.settings.consoleUrl.replace(/\/$/, '')}${page}` : null;
  }

  private facts(booking: Booking, instrumentName: string, page: string): BookingFacts {
    return {
      id: booking.id,
      instrumentName,
      institutionName: this.settings.institutionName,
      start: booking.period.start,
      end: booking.period.end,
      fee: booking.fee,
      cancellationFee: booking.cancellationFee,
      note: booking.status === 'CANCELLED' ? booking.cancelReason : booking.decisionNote,
      requesterId: booking.requesterId,
      requesterOrganization: booking.requesterOrganization,
      link: this.linkTo(page),
    };
  }

  private message(
    kind: NoticeKind,
    facts: BookingFacts,
    recipient: string,
    language: 'ja' | 'en',
    booking: Booking,
    recipientSubject: string | null,
  ): NewNotification {
    const { subject, body } = bookingNotice(kind, facts, language);
    return {
      event: `booking:${booking.id}:${kind.toLowerCase()}`,
      kind,
      bookingId: booking.id,
      recipientSubject,
      recipient,
      language,
      subject,
      body,
    };
  }
}
