import { asc, eq, sql } from 'drizzle-orm';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import * as gatewaySchema from '../db/schema';
import type { RegisteredInstitution } from './registry.types';

const { institutionsTable: t } = gatewaySchema;

export type GatewayDb = PostgresJsDatabase<typeof gatewaySchema>;

/** The institution registry in the gateway's database. */
export class RegistryRepository {
  constructor(private readonly db: GatewayDb) {}

  async list(): Promise<RegisteredInstitution[]> {
    const rows = await this.db.select().from(t).orderBy(asc(t.code));
    return rows.map((r) => ({
      code: r.code,
      name: r.name,
      nameEn: r.nameEn,
      prefecture: r.prefecture,
      location: r.latitude !== null && r.longitude !== null ? { latitude: r.latitude, longitude: r.longitude } : null,
      serviceUrl: r.serviceUrl,
    }));
  }

  /** Registers an institution or updates its entry (by code). */
  async upsert(institution: RegisteredInstitution): Promise<void> {
    const values = {
      code: institution.code,
      name: institution.name,
      nameEn: institution.nameEn,
      prefecture: institution.prefecture,
      latitude: institution.location?.latitude ?? null,
      longitude: institution.location?.longitude ?? null,
      serviceUrl: institution.serviceUrl,
    };
    await this.db
      .insert(t)
      .values(values)
      .onConflictDoUpdate({ target: t.code, set: { ...values, updatedAt: sql`now()` } });
  }

  /**
   * Takes an institution out of the registry (the operator's `registry remove`); false when it was not there. Its
   * service and database are untouched, and duplicate-check records naming it are kept (they hold no reference).
   */
  async remove(code: string): Promise<boolean> {
    const removed = await this.db.delete(t).where(eq(t.code, code)).returning({ code: t.code });
    return removed.length > 0;
  }
}
