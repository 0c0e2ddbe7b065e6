/** The languages Kyoyo writes e-mail in. */
export type MessageLanguage = 'ja' | 'en';

/** What a person chose; a null language means the one their sign-in gives. */
export interface StoredPreferences {
  language: MessageLanguage | null;
  reminders: boolean;
}

/** How Kyoyo writes to a person, as the Viewer shows it. */
export interface NotificationPreferences {
  /** Where mail goes: the address the sign-in gives (Kyoyo keeps none of its own). */
  email: string | null;
  language: MessageLanguage;
  reminders: boolean;
}

/** One message of an institution's outbox, as the owner reports it. */
export interface NotificationDelivery {
  id: string;
  institution: string;
  kind: string;
  bookingId: string | null;
  recipientId: string | null;
  recipient: string;
  language: string;
  subject: string;
  state: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
  nextAttemptAt: Date;
}
