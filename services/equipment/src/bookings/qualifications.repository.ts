import { and, asc, eq, isNull } from 'drizzle-orm';
import { equipmentSchema } from '@kyoyo/db';
import type { EquipmentDb } from '../instruments/instruments.repository';
import type { Qualification } from './bookings.types';

const { qualificationsTable: t } = equipmentSchema;

type Row = typeof t.$inferSelect;

function toQualification(row: Row): Qualification {
  return {
    instrumentId: row.instrumentId,
    userId: row.userId,
    expiresOn: row.expiresOn,
    grantedBy: row.grantedBy,
    grantedAt: row.grantedAt,
    revokedAt: row.revokedAt,
  };
}

/** Who may use which instrument on their own (SELF). One row per instrument and user. */
export class QualificationsRepository {
  constructor(private readonly db: EquipmentDb) {}

  async find(instrumentId: number, userId: string): Promise<Qualification | null> {
    const [row] = await this.db
      .select()
      .from(t)
      .where(and(eq(t.instrumentId, instrumentId), eq(t.userId, userId)));
    return row ? toQualification(row) : null;
  }

  /** Every qualification for an instrument, revoked and expired ones included, by user id. */
  async listFor(instrumentId: number): Promise<Qualification[]> {
    const rows = await this.db.select().from(t).where(eq(t.instrumentId, instrumentId)).orderBy(asc(t.userId));
    return rows.map(toQualification);
  }

  /** Grants, or replaces an earlier grant (a revoked one included): new expiry, grantor and time, not revoked. */
  async grant(grant: { instrumentId: number; userId: string; expiresOn: string | null; grantedBy: string; grantedAt: Date }) {
    const [row] = await this.db
      .insert(t)
      .values(grant)
      .onConflictDoUpdate({
        target: [t.instrumentId, t.userId],
        set: {
          expiresOn: grant.expiresOn,
          grantedBy: grant.grantedBy,
          grantedAt: grant.grantedAt,
          revokedAt: null,
          updatedAt: grant.grantedAt,
        },
      })
      .returning();
    if (!row) throw new Error('upsert returned no row');
    return toQualification(row);
  }

  /** Withdraws a qualification; false when there was none in force (never granted, or already revoked). */
  async revoke(instrumentId: number, userId: string, at: Date): Promise<boolean> {
    const rows = await this.db
      .update(t)
      .set({ revokedAt: at, updatedAt: at })
      .where(and(eq(t.instrumentId, instrumentId), eq(t.userId, userId), isNull(t.revokedAt)))
      .returning({ userId: t.userId });
    return rows.length > 0;
  }
}
