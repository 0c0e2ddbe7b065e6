import { INSTITUTION_ROLES, ROLES, type Role } from '@kyoyo/auth';
import { checkTextCharacters, errors, isInstitutionCode } from '@kyoyo/domain';

/** `grantRole`'s input as the API receives it. */
export interface RoleGrantInput {
  subject: string;
  role: string;
  institution?: string | null;
  agency?: string | null;
  note?: string | null;
}

/** A grant input that has been checked: trimmed, scoped as its role requires. */
export interface ParsedGrant {
  subject: string;
  role: Role;
  institution: string | null;
  agency: string | null;
  note: string | null;
}

const MAX_SUBJECT = 200;
const MAX_AGENCY = 100;
export const MAX_NOTE = 500;
const optional = (value: string | null | undefined): string | null => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
};

/** A free-text note on a grant or a revocation: trimmed, at most 500 characters (line breaks allowed), or null. */
export function parseNote(value: string | null | undefined, field: string): string | null {
  const note = optional(value);
  if (note !== null && note.length > MAX_NOTE) throw errors.badInput(field, `${field}: at most ${MAX_NOTE} characters`);
  if (note !== null) checkTextCharacters(note, field);
  return note;
}

/** The person named by `value` (the token's `sub`): trimmed, 1 to 200 characters, no control characters. */
export function parseSubject(value: string, field: string): string {
  checkTextCharacters(value, field);
  const subject = value.trim();
  if (!subject || subject.length > MAX_SUBJECT)
    throw errors.badInput(field, `${field} is the person's user id (the token's sub): 1 to ${MAX_SUBJECT} characters`);
  return subject;
}

/** `roleGrants`' filters: a subject as `parseSubject` reads it, an institution code; either may be absent. */
export function parseGrantFilter(args: { subject?: string | null; institution?: string | null }): {
  subject: string | null;
  institution: string | null;
} {
  const subject = args.subject === undefined || args.subject === null ? null : parseSubject(args.subject, 'subject');
  const institution = optional(args.institution);
  if (institution !== null && !isInstitutionCode(institution))
    throw errors.badInput('institution', 'institution is not an institution code (such as kyoto-u)');
  return { subject, institution };
}

/**
 * Checks a grant before anything is asked or written (`BAD_USER_INPUT` naming the field): the subject is the
 * identity token's `sub`; FACILITY_MANAGER and INSTITUTION_ADMIN need an institution and FUNDER a funding
 * agency, and no other role takes either.
 */
export function parseGrantInput(input: RoleGrantInput): ParsedGrant {
  const subject = parseSubject(input.subject, 'input.subject');
  if (!(ROLES as readonly string[]).includes(input.role))
    throw errors.badInput('input.role', `input.role must be one of ${ROLES.join(', ')}`);
  const role = input.role as Role;
  const institution = optional(input.institution);
  if (INSTITUTION_ROLES.includes(role)) {
    if (institution === null) throw errors.badInput('input.institution', `${role} is held at one institution: name it`);
    if (!isInstitutionCode(institution))
      throw errors.badInput('input.institution', 'input.institution is not an institution code (such as kyoto-u)');
  } else if (institution !== null) {
    throw errors.badInput('input.institution', `${role} is not held at one institution: leave input.institution out`);
  }
  const agency = optional(input.agency);
  if (role === 'FUNDER') {
    if (agency !== null) checkTextCharacters(agency, 'input.agency');
    if (agency === null || agency.length > MAX_AGENCY || /[\n\r\t]/.test(agency))
      throw errors.badInput(
        'input.agency',
        `FUNDER reviews purchases for a funding agency: name it (such as JSPS), at most ${MAX_AGENCY} characters`,
      );
  } else if (agency !== null) {
    throw errors.badInput('input.agency', 'only a FUNDER grant names a funding agency: leave input.agency out');
  }
  return { subject, role, institution, agency, note: parseNote(input.note, 'input.note') };
}
