import type { Role } from '@kyoyo/auth';

/** One grant of a role, active or (with `revoked*` set) part of the history. */
export interface RoleGrant {
  id: string;
  /** Who holds it: the identity token's `sub`. */
  subject: string;
  role: Role;
  /** The institution an institution's role (FACILITY_MANAGER, INSTITUTION_ADMIN) holds at. */
  institution: string | null;
  /** The funding agency a FUNDER reviews purchases for. */
  agency: string | null;
  note: string | null;
  grantedBy: string;
  grantedAt: Date;
  revokedBy: string | null;
  revokedAt: Date | null;
  revokeNote: string | null;
}
