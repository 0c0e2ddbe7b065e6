import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { equipmentSchema } from '@kyoyo/db';
import type { EquipmentDb, Transaction } from '../instruments/instruments.repository';
import type { DeliveryState, Language, NewNotification, NoticeKind, Notification } from './notifications.types';

const { notificationsTable: t } = equipmentSchema;

type Row = typeof t.$inferSelect;

function toNotification(row: Row): Notification {
  return {
    id: row.id,
    event: row.event,
    kind: row.kind as NoticeKind,
    bookingId: row.bookingId,
    recipientSubject: row.recipientSubject,
    recipient: row.recipient,
    language: row.language as Language,
    subject: row.subject,
    body: row.body,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    sentAt: row.sentAt,
    lastError: row.lastError,
    createdAt: row.createdAt,
  };
}

/** The SMTP answer kept with a message: enough to read, never a whole transcript. */
const MAX_ERROR_LENGTH = 500;

/** The channel a transaction that wrote messages notifies on commit: the sender listens, and looks at once. */
export const OUTBOX_CHANNEL = 'kyoyo_outbox';

/**
 * Writes messages in the caller's transaction (the event's own): a message whose event and recipient are
 * already in the outbox is not written again. The sender hears of them when the transaction commits
 * (NOTIFY is delivered on commit, and not at all on rollback). The number written.
 */
export async function enqueueNotifications(tx: EquipmentDb | Transaction, messages: readonly NewNotification[]): Promise<number> {
  if (messages.length === 0) return 0;
  const written = await tx
    .insert(t)
    .values([...messages])
    .onConflictDoNothing({ target: [t.event, t.recipient] })
    .returning({ id: t.id });
  if (written.length > 0) await tx.execute(sql`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`);
  return written.length;
}

/** The outbox of messages to send and how their delivery went. */
export class NotificationsRepository {
  constructor(private readonly db: EquipmentDb) {}

  /** Writes messages outside any other change (what the reminder sweep finds due); see `enqueueNotifications`. */
  enqueue(messages: readonly NewNotification[]): Promise<number> {
    return enqueueNotifications(this.db, messages);
  }

  /**
   * Claims up to `limit` messages that are due, oldest first, and marks them SENDING in one statement
   * (committed before any is handed to SMTP): concurrent workers skip each other's rows (SKIP LOCKED).
   */
  async claimDue(limit: number): Promise<Notification[]> {
    const claimed = await this.db
      .update(t)
      .set({ state: 'SENDING', claimedAt: sql`now()`, attempts: sql`${t.attempts} + 1`, updatedAt: sql`now()` })
      .where(
        sql`${t.id} IN (SELECT id FROM ${t} WHERE state = 'PENDING' AND next_attempt_at <= now()
          ORDER BY next_attempt_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED)`,
      )
      .returning();
    // RETURNING keeps no order: oldest first again, so that messages go out in the order they were due.
    return claimed.map(toNotification).sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.id - b.id);
  }

  /** SMTP accepted the message. */
  async markSent(id: number): Promise<void> {
    await this.db
      .update(t)
      .set({ state: 'SENT', sentAt: sql`now()`, lastError: null, updatedAt: sql`now()` })
      .where(and(eq(t.id, id), eq(t.state, 'SENDING')));
  }

  /** SMTP did not accept the message and may later: try again at `at`. */
  async markRetry(id: number, at: Date, error: string): Promise<void> {
    await this.db
      .update(t)
      .set({ state: 'PENDING', nextAttemptAt: at, lastError: error.slice(0, MAX_ERROR_LENGTH), updatedAt: sql`now()` })
      .where(and(eq(t.id, id), eq(t.state, 'SENDING')));
  }

  /**
   * The message ends undelivered: FAILED (refused for good, a bounce) or UNKNOWN (the link dropped after the
   * message was handed over: perhaps delivered, so never handed again).
   */
  async markEnded(id: number, state: 'FAILED' | 'UNKNOWN', error: string): Promise<void> {
    await this.db
      .update(t)
      .set({ state, lastError: error.slice(0, MAX_ERROR_LENGTH), updatedAt: sql`now()` })
      .where(and(eq(t.id, id), eq(t.state, 'SENDING')));
  }

  /**
   * Messages claimed before `before` and still SENDING: their worker stopped mid-send (a crash, a restart).
   * They may have gone out, so they become UNKNOWN rather than being sent again. Their number.
   */
  async abandonStale(before: Date): Promise<number> {
    const rows = await this.db
      .update(t)
      .set({
        state: 'UNKNOWN',
        lastError: 'the sender stopped while handing the message to SMTP: it may or may not have been delivered',
        updatedAt: sql`now()`,
      })
      .where(and(eq(t.state, 'SENDING'), sql`${t.claimedAt} < ${before.toISOString()}::timestamptz`))
      .returning({ id: t.id });
    return rows.length;
  }

  /** Messages in `states` (all when null), newest first; at most `limit`. */
  async list(states: readonly DeliveryState[] | null, limit: number): Promise<Notification[]> {
    const rows = await this.db
      .select()
      .from(t)
      .where(states ? inArray(t.state, [...states]) : undefined)
      .orderBy(desc(t.id))
      .limit(limit);
    return rows.map(toNotification);
  }
}
