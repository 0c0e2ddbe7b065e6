import { requireRoleGrantor, requireRoleReader, requireSignedIn, type Identity, type Role } from '@kyoyo/auth';
import { errors } from '@kyoyo/domain';
import type { Logger } from '@kyoyo/server-kit';
import type { InstitutionRegistry } from '../registry/registry';
import type { EffectiveRoles } from './effective-roles';
import type { RoleGrantsRepository } from './role-grants.repository';
import { parseGrantFilter, parseGrantInput, parseNote, type RoleGrantInput } from './roles.input';
import type { RoleGrant } from './roles.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MAX_GRANTS_PAGE = 500;

export interface GrantListArgs {
  subject?: string | null;
  institution?: string | null;
  role?: Role | null;
  includeRevoked?: boolean | null;
  first?: number | null;
}

/**
 * Granting, revoking and reading the roles Kyoyo keeps (see `EffectiveRoles` for how they apply). Every
 * change is logged with who made it; the table keeps the history.
 */
export class RolesService {
  constructor(
    private readonly grants: RoleGrantsRepository,
    private readonly effective: EffectiveRoles,
    private readonly registry: InstitutionRegistry,
    private readonly logger: Logger,
  ) {}

  /** Grants a role (idempotent: the same active grant is answered as it is; `created` says which). */
  async grant(input: RoleGrantInput, identity: Identity | null): Promise<{ grant: RoleGrant; created: boolean }> {
    requireSignedIn(identity);
    const grant = parseGrantInput(input);
    const who = requireRoleGrantor(identity, grant);
    if (grant.institution !== null) this.registry.requireMember(grant.institution, 'input.institution');
    const { grant: stored, created } = await this.grants.grant({ ...grant, grantedBy: who.id });
    this.effective.forget(stored.subject);
    if (created) this.logger.info('role granted', { id: stored.id, ...grant, note: undefined, by: who.id });
    return { grant: stored, created };
  }

  /** Revokes an active grant; its row stays, with who revoked it and when. */
  async revoke(id: string, note: string | null | undefined, identity: Identity | null): Promise<RoleGrant> {
    requireSignedIn(identity);
    if (!UUID.test(id)) throw errors.badInput('id', 'id is not a role grant id');
    const revokeNote = parseNote(note, 'note');
    const existing = await this.grants.findById(id);
    if (!existing) throw errors.notFound('Role grant', 'id');
    const who = requireRoleGrantor(identity, existing);
    if (existing.revokedAt) {
      throw errors.badInput(
        'id',
        `This grant was already revoked on ${existing.revokedAt.toISOString()} by ${existing.revokedBy ?? 'someone'}`,
      );
    }
    const revoked = await this.grants.revoke(id, who.id, revokeNote);
    if (!revoked) throw errors.badInput('id', 'This grant was revoked meanwhile');
    this.effective.forget(revoked.subject);
    this.logger.info('role revoked', { id, subject: revoked.subject, role: revoked.role, by: who.id });
    return revoked;
  }

  /** Grants (and with `includeRevoked` their history), newest first: all for ADMIN, its own institution's for an INSTITUTION_ADMIN. */
  async list(args: GrantListArgs, identity: Identity | null): Promise<RoleGrant[]> {
    requireSignedIn(identity);
    const { subject, institution } = parseGrantFilter(args);
    requireRoleReader(identity, institution);
    const first = args.first ?? 100;
    if (!Number.isInteger(first) || first < 1 || first > MAX_GRANTS_PAGE)
      throw errors.badInput('first', `first must be 1 to ${MAX_GRANTS_PAGE}`);
    return this.grants.list(
      {
        ...(subject ? { subject } : {}),
        ...(institution ? { institution } : {}),
        ...(args.role ? { role: args.role } : {}),
        includeRevoked: args.includeRevoked ?? false,
      },
      first,
    );
  }

  /** The caller's own active grants. */
  async mine(identity: Identity): Promise<RoleGrant[]> {
    return this.grants.list({ subject: identity.id }, MAX_GRANTS_PAGE);
  }
}
