import { INSTITUTION_ROLES, type Identity, type Role } from '@kyoyo/auth';
import type { RoleGrantsRepository } from './role-grants.repository';

type ActiveGrants = Awaited<ReturnType<RoleGrantsRepository['activeFor']>>;

export interface EffectiveRolesOptions {
  /**
   * How long one person's grants are reused before they are read again, in ms (default 5 s): the longest a
   * grant or revocation made through another gateway replica takes to apply here. This replica's own changes
   * apply at once (`forget`).
   */
  ttlMs?: number;
  /** People whose grants are kept at once (default 10,000; the least recently read go first). */
  maxEntries?: number;
}

/**
 * The roles a caller holds: what the token says (only from issuers trusted for role claims, see the
 * authenticator) together with the grants Kyoyo keeps. An institution's role applies at the grant's
 * institution when it is the caller's home institution (CONTRACT.md: FACILITY_MANAGER applies to `inst` only).
 */
export class EffectiveRoles {
  private readonly cache = new Map<string, { readAt: number; grants: Promise<ActiveGrants> }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly grants: RoleGrantsRepository,
    options: EffectiveRolesOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.ttlMs = options.ttlMs ?? 5_000;
    this.maxEntries = options.maxEntries ?? 10_000;
  }

  /** `identity` with its granted roles added. */
  async apply(identity: Identity): Promise<Identity> {
    const granted = (await this.activeFor(identity.id))
      .filter((g) => !INSTITUTION_ROLES.includes(g.role) || g.institution === identity.institution)
      .map((g) => g.role);
    if (granted.every((role) => identity.roles.includes(role))) return identity;
    return { ...identity, roles: [...new Set<Role>([...identity.roles, ...granted])] };
  }

  /** Reads `subject`'s grants again on its next request (after this replica granted or revoked one). */
  forget(subject: string): void {
    this.cache.delete(subject);
  }

  private activeFor(subject: string): Promise<ActiveGrants> {
    const cached = this.cache.get(subject);
    if (cached && this.now() - cached.readAt < this.ttlMs) {
      // Most recently read last, so that the oldest entry is the first to go.
      this.cache.delete(subject);
      this.cache.set(subject, cached);
      return cached.grants;
    }
    const grants = this.grants.activeFor(subject);
    const entry = { readAt: this.now(), grants };
    this.cache.set(subject, entry);
    // A failed read is not kept: the next request asks the database again.
    grants.catch(() => {
      if (this.cache.get(subject) === entry) this.cache.delete(subject);
    });
    while (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    return grants;
  }
}
