import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import * as gatewaySchema from '../db/schema';
import type { GatewayDb } from '../registry/registry.repository';

const { calendarFeedsTable: t } = gatewaySchema;

export type CalendarFeedRow = typeof t.$inferSelect;
export type NewCalendarFeed = Pick<CalendarFeedRow, 'tokenHash' | 'subject' | 'institution' | 'organization' | 'affiliation'>;

/** Personal calendar feeds in the gateway's database (see `calendarFeedsTable`). */
export class CalendarFeedsRepository {
  constructor(private readonly db: GatewayDb) {}

  /** Revokes `subject`'s active feed and makes `feed` the active one, in one transaction. */
  async replace(feed: NewCalendarFeed): Promise<CalendarFeedRow> {
    return this.db.transaction(async (tx) => {
      await tx
        .update(t)
        .set({ revokedAt: sql`now()` })
        .where(and(eq(t.subject, feed.subject), isNull(t.revokedAt)));
      const [row] = await tx.insert(t).values(feed).returning();
      return row!;
    });
  }

  /** Revokes `subject`'s active feed; false when there was none. */
  async revoke(subject: string): Promise<boolean> {
    const rows = await this.db
      .update(t)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(t.subject, subject), isNull(t.revokedAt)))
      .returning({ id: t.id });
    return rows.length > 0;
  }

  async activeOf(subject: string): Promise<CalendarFeedRow | null> {
    const [row] = await this.db
      .select()
      .from(t)
      .where(and(eq(t.subject, subject), isNull(t.revokedAt)));
    return row ?? null;
  }

  /** The active feed `tokenHash` names (null for an unknown or revoked one). */
  async findActive(tokenHash: string): Promise<CalendarFeedRow | null> {
    const [row] = await this.db
      .select()
      .from(t)
      .where(and(eq(t.tokenHash, tokenHash), isNull(t.revokedAt)));
    return row ?? null;
  }

  /** Notes a read, at most once a minute per feed (calendar applications poll). */
  async touch(id: string): Promise<void> {
    await this.db
      .update(t)
      .set({ lastReadAt: sql`now()` })
      .where(and(eq(t.id, id), or(isNull(t.lastReadAt), lt(t.lastReadAt, sql`now() - interval '1 minute'`))));
  }
}
