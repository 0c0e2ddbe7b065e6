import type { Identity } from '@kyoyo/auth';
import { TtlCache, type TtlCacheOptions } from '../common/ttl-cache';
import type { NotificationPreferencesRepository } from './notification-preferences.repository';
import type { MessageLanguage, NotificationPreferences, StoredPreferences } from './notifications.types';

/**
 * Carries each person's choices about e-mail into their identity (`language`, `reminders`), so that every
 * call the gateway signs tells the owner how to write to them. Read through a short cache, like role grants.
 */
export class PreferencesApplier {
  private readonly cache: TtlCache<StoredPreferences | null>;

  constructor(
    private readonly repository: NotificationPreferencesRepository,
    options: Partial<TtlCacheOptions> = {},
  ) {
    this.cache = new TtlCache((subject) => repository.find(subject), {
      ttlMs: options.ttlMs ?? 5_000,
      maxEntries: options.maxEntries ?? 10_000,
    });
  }

  /** `identity` with its stored choices; as it is when there are none. */
  async apply(identity: Identity): Promise<Identity> {
    const stored = await this.cache.get(identity.id);
    if (!stored) return identity;
    return { ...identity, language: stored.language ?? identity.language ?? null, reminders: stored.reminders };
  }

  /** Stores a change and applies it to this replica's next request at once; `identity` as it is with it. */
  async save(identity: Identity, change: { language?: MessageLanguage; reminders?: boolean }): Promise<Identity> {
    const stored = await this.repository.save(identity.id, change);
    this.cache.forget(identity.id);
    return { ...identity, language: stored.language ?? identity.language ?? null, reminders: stored.reminders };
  }
}

/** How Kyoyo writes to the person `identity` is (after `apply`). */
export function preferencesOf(identity: Identity): NotificationPreferences {
  return { email: identity.email ?? null, language: identity.language ?? 'ja', reminders: identity.reminders ?? true };
}
