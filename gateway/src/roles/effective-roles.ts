import { INSTITUTION_ROLES, type Identity, type Role } from '@kyoyo/auth';
import { TtlCache } from '../common/ttl-cache';
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
  private readonly cache: TtlCache<ActiveGrants>;

  constructor(grants: RoleGrantsRepository, options: EffectiveRolesOptions = {}, now: () => number = Date.now) {
    this.cache = new TtlCache(
      (subject) => grants.activeFor(subject),
      { ttlMs: options.ttlMs ?? 5_000, maxEntries: options.maxEntries ?? 10_000 },
      now,
    );
  }

  /** `identity` with its granted roles added. */
  async apply(identity: Identity): Promise<Identity> {
    const granted = (await this.cache.get(identity.id))
      .filter((g) => !INSTITUTION_ROLES.includes(g.role) || g.institution === identity.institution)
      .map((g) => g.role);
    if (granted.every((role) => identity.roles.includes(role))) return identity;
    return { ...identity, roles: [...new Set<Role>([...identity.roles, ...granted])] };
  }

  /** Reads `subject`'s grants again on its next request (after this replica granted or revoked one). */
  forget(subject: string): void {
    this.cache.forget(subject);
  }
}
