import { eq, sql } from 'drizzle-orm';
import * as gatewaySchema from '../db/schema';
import type { GatewayDb } from '../registry/registry.repository';
import type { MessageLanguage, StoredPreferences } from './notifications.types';

const { notificationPreferencesTable: t } = gatewaySchema;

const toPreferences = (row: typeof t.$inferSelect): StoredPreferences => ({
  language: row.language === 'ja' || row.language === 'en' ? row.language : null,
  reminders: row.reminders,
});

/** What people told Kyoyo about its e-mail. */
export class NotificationPreferencesRepository {
  constructor(private readonly db: GatewayDb) {}

  /** `subject`'s choices; null when they have made none. */
  async find(subject: string): Promise<StoredPreferences | null> {
    const [row] = await this.db.select().from(t).where(eq(t.subject, subject));
    return row ? toPreferences(row) : null;
  }

  /** Stores `subject`'s choices; a field left undefined keeps its value. */
  async save(subject: string, change: { language?: MessageLanguage; reminders?: boolean }): Promise<StoredPreferences> {
    const set: Partial<typeof t.$inferInsert> = { updatedAt: sql`now()` as never };
    if (change.language !== undefined) set.language = change.language;
    if (change.reminders !== undefined) set.reminders = change.reminders;
    const [row] = await this.db
      .insert(t)
      .values({ subject, language: change.language ?? null, reminders: change.reminders ?? true })
      .onConflictDoUpdate({ target: t.subject, set })
      .returning();
    return toPreferences(row!);
  }
}
