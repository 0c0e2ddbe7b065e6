import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import * as gatewaySchema from '../db/schema';
import type { GatewayDb } from '../registry/registry.repository';

const { signInAttemptsTable: attempts, sessionsTable: sessions } = gatewaySchema;

export type SignInAttemptRow = typeof attempts.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type NewSession = Pick<
  SessionRow,
  | 'tokenHash'
  | 'subject'
  | 'institution'
  | 'organization'
  | 'affiliation'
  | 'claimedRoles'
  | 'idToken'
  | 'refreshToken'
  | 'identityExpiresAt'
  | 'expiresAt'
>;
/** What a refresh with the provider changes. */
export type RefreshedIdentity = Pick<
  SessionRow,
  | 'subject'
  | 'institution'
  | 'organization'
  | 'affiliation'
  | 'email'
  | 'language'
  | 'claimedRoles'
  | 'idToken'
  | 'refreshToken'
  | 'identityExpiresAt'
>;

/** Sign-in attempts and browser sessions in the gateway's database (see `sessionsTable`). */
export class SessionsRepository {
  constructor(private readonly db: GatewayDb) {}

  async addAttempt(attempt: Omit<SignInAttemptRow, 'createdAt'>): Promise<void> {
    await this.db.insert(attempts).values(attempt);
  }

  /** Takes the attempt `stateHash` names, once: a second callback with the same state finds nothing. */
  async takeAttempt(stateHash: string): Promise<SignInAttemptRow | null> {
    const [row] = await this.db.delete(attempts).where(eq(attempts.stateHash, stateHash)).returning();
    return row ?? null;
  }

  async create(session: NewSession): Promise<SessionRow> {
    const [row] = await this.db.insert(sessions).values(session).returning();
    return row!;
  }

  /** The session `tokenHash` names, ended or not (the caller decides what an ended one means). */
  async findByToken(tokenHash: string): Promise<SessionRow | null> {
    const [row] = await this.db.select().from(sessions).where(eq(sessions.tokenHash, tokenHash));
    return row ?? null;
  }

  /** Notes a use, at most once a minute per session (a write per request would be the busiest table). */
  async touch(id: string): Promise<void> {
    await this.db
      .update(sessions)
      .set({ lastSeenAt: sql`now()` })
      .where(and(eq(sessions.id, id), lt(sessions.lastSeenAt, sql`now() - interval '1 minute'`)));
  }

  /**
   * Runs `refresh` for session `id` holding its row lock, so that two replicas never spend the same refresh
   * token (a provider that rotates them would take the second use as theft and end the grant). `refresh`
   * gets the row as it is once locked and answers the new identity, or `end` with a reason, or `keep` to
   * change nothing (someone else refreshed it meanwhile, or the provider could not be asked).
   */
  async refreshLocked(
    id: string,
    refresh: (row: SessionRow) => Promise<{ identity: RefreshedIdentity } | { end: string } | { keep: true }>,
  ): Promise<SessionRow | null> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.select().from(sessions).where(eq(sessions.id, id)).for('update');
      if (!row || row.endedAt) return row ?? null;
      const outcome = await refresh(row);
      if ('keep' in outcome) return row;
      const [updated] = await tx
        .update(sessions)
        .set(
          'end' in outcome ? { endedAt: sql`now()`, endReason: outcome.end } : { ...outcome.identity, refreshedAt: sql`now()` },
        )
        .where(eq(sessions.id, id))
        .returning();
      return updated ?? null;
    });
  }

  /** Ends a session that is still open; answers it (null when there was none open). */
  async end(id: string, reason: string): Promise<SessionRow | null> {
    const [row] = await this.db
      .update(sessions)
      .set({ endedAt: sql`now()`, endReason: reason })
      .where(and(eq(sessions.id, id), isNull(sessions.endedAt)))
      .returning();
    return row ?? null;
  }

  /**
   * Deletes attempts past their expiry and sessions that ended or expired more than `keepDays` ago (they hold
   * the provider's tokens; kept a while for the office's questions). Answers how many rows went.
   */
  async prune(keepDays: number): Promise<{ attempts: number; sessions: number }> {
    const goneAttempts = await this.db
      .delete(attempts)
      .where(lt(attempts.expiresAt, sql`now()`))
      .returning({ s: attempts.stateHash });
    const cutoff = sql`now() - make_interval(days => ${keepDays})`;
    const goneSessions = await this.db
      .delete(sessions)
      .where(or(lt(sessions.endedAt, cutoff), lt(sessions.expiresAt, cutoff)))
      .returning({ id: sessions.id });
    return { attempts: goneAttempts.length, sessions: goneSessions.length };
  }
}
