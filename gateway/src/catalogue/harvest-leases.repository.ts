import { and, eq, sql } from 'drizzle-orm';
import * as gatewaySchema from '../db/schema';
import type { GatewayDb } from '../registry/registry.repository';

const { catalogueHarvestLeasesTable: leases } = gatewaySchema;

/**
 * Leases on harvesting an institution, kept in the gateway's database: the clock is the database's, so
 * replicas on different machines agree on when a lease lapsed.
 */
export class HarvestLeasesRepository {
  constructor(private readonly db: GatewayDb) {}

  /**
   * Takes or renews the lease on `institution` for `holder` for `ttlMs`: true when `holder` holds it now
   * (it was free, lapsed, or already its own), false while another replica's lease runs.
   */
  async hold(institution: string, holder: string, ttlMs: number): Promise<boolean> {
    const expiresAt = sql`now() + ${`${ttlMs} milliseconds`}::interval`;
    const rows = await this.db
      .insert(leases)
      .values({ institution, holder, expiresAt })
      .onConflictDoUpdate({
        target: leases.institution,
        set: { holder, expiresAt },
        setWhere: sql`${leases.holder} = ${holder} OR ${leases.expiresAt} < now()`,
      })
      .returning({ holder: leases.holder });
    return rows.length > 0;
  }

  /** Gives the lease up (on shutdown), so that another replica takes over at its next try instead of at expiry. */
  async release(institution: string, holder: string): Promise<void> {
    await this.db.delete(leases).where(and(eq(leases.institution, institution), eq(leases.holder, holder)));
  }

  /** Who holds each lease that has not lapsed. */
  async holders(): Promise<Map<string, string>> {
    const rows = await this.db
      .select({ institution: leases.institution, holder: leases.holder })
      .from(leases)
      .where(sql`${leases.expiresAt} >= now()`);
    return new Map(rows.map((r) => [r.institution, r.holder]));
  }
}
