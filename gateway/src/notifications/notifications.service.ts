import { requireInstitutionManager, requireSignedIn, type Identity } from '@kyoyo/auth';
import { encodeGlobalId, errors } from '@kyoyo/domain';
import type { RequestNotices } from '../bookings/bookings.service';
import { fanOut, type CallContext, type InstitutionClient } from '../federation/institution-client';
import type { InstitutionRegistry } from '../registry/registry';
import { preferencesOf, type PreferencesApplier } from './notification-preferences';
import {
  NOTIFICATION_DELIVERIES,
  REFRESH_CONTACT,
  type NotificationDeliveriesData,
  type RefreshContactData,
} from './notifications.documents';
import type { MessageLanguage, NotificationDelivery, NotificationPreferences } from './notifications.types';

/** Most messages one list answers (the owner's limit). */
export const MAX_DELIVERIES = 500;

/** GraphQL's language enum to the claim's. */
const LANGUAGES: Record<string, MessageLanguage> = { JA: 'ja', EN: 'en' };

/** The input of `setNotificationPreferences`. */
export interface PreferencesInput {
  language?: string | null;
  reminders?: boolean | null;
}

/**
 * E-mail: a person's choices, kept here and carried to the owners; and an institution's outbox, read from the
 * owner, which writes and sends its own mail.
 */
export class NotificationsService {
  constructor(
    private readonly registry: InstitutionRegistry,
    private readonly client: InstitutionClient,
    private readonly call: CallContext,
    private readonly preferences: PreferencesApplier,
    private readonly notices: RequestNotices,
  ) {}

  /** The signed-in caller's way of being written to. */
  mine(identity: Identity | null): NotificationPreferences {
    return preferencesOf(requireSignedIn(identity));
  }

  /**
   * Sets the caller's language or reminders (what is left out stays) and tells every institution, so that an
   * owner writes so from now on even before the caller's next call there (one that does not answer now
   * learns it from that next call). Refused before anything is written when a value is not one of the choices.
   */
  async set(input: PreferencesInput, identity: Identity | null): Promise<NotificationPreferences> {
    const who = requireSignedIn(identity);
    if (input.language !== undefined && !(typeof input.language === 'string' && input.language in LANGUAGES)) {
      throw errors.badInput('input.language', 'language must be JA or EN');
    }
    if (input.reminders === null) throw errors.badInput('input.reminders', 'reminders must be true or false');
    if (input.language === undefined && input.reminders === undefined) {
      throw errors.badInput('input', 'give language or reminders');
    }
    const updated = await this.preferences.save(who, {
      ...(input.language ? { language: LANGUAGES[input.language]! } : {}),
      ...(input.reminders === undefined ? {} : { reminders: input.reminders }),
    });
    const { unavailable } = await fanOut(this.registry.all(), (institution) =>
      this.client.request<RefreshContactData>(
        institution.code,
        'RefreshContact',
        REFRESH_CONTACT,
        {},
        { ...this.call, identity: updated },
      ),
    );
    for (const institution of unavailable) this.notices.unavailableInstitutions.add(institution.code);
    return preferencesOf(updated);
  }

  /** Facility office of `institution` (or ADMIN): its e-mail, newest first, from the owner. */
  async deliveries(
    institution: string,
    states: string[] | null | undefined,
    first: number,
    identity: Identity | null,
  ): Promise<NotificationDelivery[]> {
    requireInstitutionManager(identity, institution);
    this.registry.requireMember(institution, 'institution');
    if (!Number.isInteger(first) || first < 1 || first > MAX_DELIVERIES) {
      throw errors.badInput('first', `first must be from 1 to ${MAX_DELIVERIES}`);
    }
    const { notificationDeliveries } = await this.client.request<NotificationDeliveriesData>(
      institution,
      'NotificationDeliveries',
      NOTIFICATION_DELIVERIES,
      { states: states ?? null, first },
      this.call,
    );
    return notificationDeliveries.map((d) => ({
      ...d,
      id: encodeGlobalId('NotificationDelivery', institution, d.id),
      institution,
      bookingId: d.bookingId === null ? null : encodeGlobalId('Booking', institution, d.bookingId),
      createdAt: new Date(d.createdAt),
      sentAt: d.sentAt === null ? null : new Date(d.sentAt),
      nextAttemptAt: new Date(d.nextAttemptAt),
    }));
  }
}
