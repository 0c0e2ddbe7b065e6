import { and, desc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Role } from '@kyoyo/auth';
import * as gatewaySchema from '../db/schema';
import type { GatewayDb } from '../registry/registry.repository';
import type { RoleGrant } from './roles.types';

const { roleGrantsTable: t } = gatewaySchema;

/** A grant to record: who receives which role where, and who grants it. */
export type NewGrant = Pick<RoleGrant, 'subject' | 'role' | 'institution' | 'agency' | 'note' | 'grantedBy'>;

/** Which grants a listing asks for (all of them when empty); `includeRevoked` adds the history. */
export interface GrantFilter {
  subject?: string;
  institution?: string;
  role?: Role;
  includeRevoked?: boolean;
}

const toGrant = (row: typeof t.$inferSelect): RoleGrant => ({ ...row, role: row.role as Role });

/** The same grant, still active: subject, role and scope equal. */
const sameActiveGrant = (grant: Pick<NewGrant, 'subject' | 'role' | 'institution' | 'agency'>): SQL =>
  and(
    eq(t.subject, grant.subject),
    eq(t.role, grant.role),
    sql`coalesce(${t.institution}, '') = ${grant.institution ?? ''}`,
    sql`coalesce(${t.agency}, '') = ${grant.agency ?? ''}`,
    isNull(t.revokedAt),
  )!;

/** Role grants in the gateway's database: rows are added and revoked, never changed otherwise or deleted. */
export class RoleGrantsRepository {
  constructor(private readonly db: GatewayDb) {}

  /**
   * Records `grant` unless the same grant is already active; either way answers the active one (`created`
   * says which). Concurrent identical grants meet at the partial unique index: one row, both see it.
   */
  async grant(grant: NewGrant): Promise<{ grant: RoleGrant; created: boolean }> {
    // The only unique index besides the random primary key is `role_grants_active_unique`.
    const [inserted] = await this.db.insert(t).values(grant).onConflictDoNothing().returning();
    if (inserted) return { grant: toGrant(inserted), created: true };
    const [existing] = await this.db.select().from(t).where(sameActiveGrant(grant));
    if (!existing) throw new Error('A conflicting role grant was revoked while granting; try again');
    return { grant: toGrant(existing), created: false };
  }

  /** Revokes an active grant; null when there is no such grant or it was already revoked (see `findById`). */
  async revoke(id: string, revokedBy: string, note: string | null): Promise<RoleGrant | null> {
    const [row] = await this.db
      .update(t)
      .set({ revokedBy, revokedAt: sql`now()`, revokeNote: note })
      .where(and(eq(t.id, id), isNull(t.revokedAt)))
      .returning();
    return row ? toGrant(row) : null;
  }

  async findById(id: string): Promise<RoleGrant | null> {
    const [row] = await this.db.select().from(t).where(eq(t.id, id));
    return row ? toGrant(row) : null;
  }

  /** The grants `subject` holds now (what the authenticator adds to a token's identity). */
  async activeFor(subject: string): Promise<Pick<RoleGrant, 'role' | 'institution'>[]> {
    const rows = await this.db
      .select({ role: t.role, institution: t.institution })
      .from(t)
      .where(and(eq(t.subject, subject), isNull(t.revokedAt)));
    return rows.map((r) => ({ role: r.role as Role, institution: r.institution }));
  }

  /** Grants matching `filter`, newest first, at most `limit`. */
  async list(filter: GrantFilter, limit: number): Promise<RoleGrant[]> {
    const rows = await this.db
      .select()
      .from(t)
      .where(
        and(
          filter.subject !== undefined ? eq(t.subject, filter.subject) : undefined,
          filter.institution !== undefined ? eq(t.institution, filter.institution) : undefined,
          filter.role !== undefined ? eq(t.role, filter.role) : undefined,
          filter.includeRevoked ? undefined : isNull(t.revokedAt),
        ),
      )
      .orderBy(desc(t.grantedAt), desc(t.id))
      .limit(limit);
    return rows.map(toGrant);
  }
}
