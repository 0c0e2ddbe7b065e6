/** What a message tells of. */
export type NoticeKind =
  | 'BOOKING_CONFIRMED'
  | 'BOOKING_REQUESTED'
  | 'APPROVAL_REQUESTED'
  | 'BOOKING_APPROVED'
  | 'BOOKING_REJECTED'
  | 'BOOKING_CANCELLED'
  | 'BOOKING_REMINDER'
  | 'QUALIFICATION_EXPIRING'
  | 'WAITLIST_SLOT_FREED';

export type Language = 'ja' | 'en';

/** Where a message goes through SMTP. */
export type DeliveryState = 'PENDING' | 'SENDING' | 'SENT' | 'FAILED' | 'UNKNOWN';

/** A message to write to the outbox, rendered in its recipient's language. */
export interface NewNotification {
  /** The event, e.g. `booking:42:confirmed`: one message per event and recipient, however often it is written. */
  event: string;
  kind: NoticeKind;
  bookingId: number | null;
  /** The recipient's user id; null for the facility office's address. */
  recipientSubject: string | null;
  recipient: string;
  language: Language;
  subject: string;
  body: string;
}

/** A message of the outbox with how its delivery went. */
export interface Notification extends NewNotification {
  id: number;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: Date;
  sentAt: Date | null;
  lastError: string | null;
  createdAt: Date;
}
