import { DomainError, ErrorCode } from '@kyoyo/domain';
import { INSTITUTION_ROLES, type Identity, type Role } from './identity';

/**
 * Who may do what (DOMAIN.md, "People"). Each operation calls one of these in one place; they throw
 * `UNAUTHENTICATED` for anonymous callers and `FORBIDDEN` for signed-in users without the right.
 */
export function requireSignedIn(identity: Identity | null): Identity {
  if (!identity) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Sign in first');
  return identity;
}

/** True for ADMIN, and for a FACILITY_MANAGER whose home institution is `institution`. */
export function canManageInstitution(identity: Identity | null, institution: string): boolean {
  if (!identity) return false;
  if (identity.roles.includes('ADMIN')) return true;
  return identity.roles.includes('FACILITY_MANAGER') && identity.institution === institution;
}

/** The facility office of `institution`, or ADMIN. */
export function requireInstitutionManager(identity: Identity | null, institution: string): Identity {
  const who = requireSignedIn(identity);
  if (!canManageInstitution(who, institution)) {
    throw new DomainError(ErrorCode.FORBIDDEN, `Only the facility office of ${institution} or an administrator may do this`);
  }
  return who;
}

/** Researchers book and get quotes (a facility office books as a researcher when it holds that role too). */
export function requireResearcher(identity: Identity | null): Identity {
  const who = requireSignedIn(identity);
  if (!who.roles.includes('RESEARCHER')) throw new DomainError(ErrorCode.FORBIDDEN, 'Only researchers may book instruments');
  return who;
}

/** A booking as the policies see it: who made it and which institution owns the instrument. */
export interface BookingParties {
  requesterId: string;
  institution: string;
}

/** The requester, the facility office of the owning institution, or ADMIN. */
export function canSeeBooking(identity: Identity | null, booking: BookingParties): boolean {
  return !!identity && (identity.id === booking.requesterId || canManageInstitution(identity, booking.institution));
}

/** Reads or cancels a booking: its requester, the owning facility office, or ADMIN. */
export function requireBookingParty(identity: Identity | null, booking: BookingParties): Identity {
  const who = requireSignedIn(identity);
  if (!canSeeBooking(who, booking)) {
    throw new DomainError(ErrorCode.FORBIDDEN, 'Only the requester or the owning facility office may see or change this booking');
  }
  return who;
}

/**
 * Oversight of ¥10M+ equipment (duplicate-purchase checks, sharing reports): FUNDER and ADMIN for any
 * institution and for the nation (`institution` null); a FACILITY_MANAGER for its own institution only.
 */
export function canOversee(identity: Identity | null, institution: string | null): boolean {
  if (!identity) return false;
  if (identity.roles.includes('ADMIN') || identity.roles.includes('FUNDER')) return true;
  return institution !== null && identity.roles.includes('FACILITY_MANAGER') && identity.institution === institution;
}

/** See `canOversee`; researchers and other offices get `FORBIDDEN`. */
export function requireOversight(identity: Identity | null, institution: string | null): Identity {
  const who = requireSignedIn(identity);
  if (!canOversee(who, institution)) {
    throw new DomainError(
      ErrorCode.FORBIDDEN,
      institution === null
        ? 'Only funders and administrators may do this for the whole federation'
        : `Only funders, administrators and the facility office of ${institution} may do this for ${institution}`,
    );
  }
  return who;
}

/** A role grant as the policies see it: which role, and for an institution's role, which institution. */
export interface GrantScope {
  role: Role;
  institution: string | null;
}

/**
 * Who may grant or revoke a role (Kyoyo keeps roles; the identity provider says only who someone is): ADMIN
 * any role; an INSTITUTION_ADMIN the roles of its own institution's office (FACILITY_MANAGER and
 * INSTITUTION_ADMIN at its home institution).
 */
export function canGrantRole(identity: Identity | null, grant: GrantScope): boolean {
  if (!identity) return false;
  if (identity.roles.includes('ADMIN')) return true;
  return (
    identity.roles.includes('INSTITUTION_ADMIN') &&
    identity.institution !== null &&
    INSTITUTION_ROLES.includes(grant.role) &&
    grant.institution === identity.institution
  );
}

/** See `canGrantRole`. */
export function requireRoleGrantor(identity: Identity | null, grant: GrantScope): Identity {
  const who = requireSignedIn(identity);
  if (!canGrantRole(who, grant)) {
    throw new DomainError(
      ErrorCode.FORBIDDEN,
      INSTITUTION_ROLES.includes(grant.role) && grant.institution
        ? `Only an administrator or the institution administrator of ${grant.institution} may grant or revoke ${grant.role} there`
        : `Only an administrator may grant or revoke ${grant.role}`,
    );
  }
  return who;
}

/**
 * Who may read role grants and their history: ADMIN all of them; an INSTITUTION_ADMIN those of its own
 * institution (`institution` names it; null asks for every grant).
 */
export function requireRoleReader(identity: Identity | null, institution: string | null): Identity {
  const who = requireSignedIn(identity);
  if (who.roles.includes('ADMIN')) return who;
  if (institution !== null && who.roles.includes('INSTITUTION_ADMIN') && who.institution === institution) return who;
  throw new DomainError(
    ErrorCode.FORBIDDEN,
    institution === null
      ? 'Only an administrator may read every role grant; an institution administrator reads its own institution’s'
      : `Only an administrator or the institution administrator of ${institution} may read its role grants`,
  );
}
