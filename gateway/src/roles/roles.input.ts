import { INSTITUTION_ROLES, ROLES, type Role } from '@kyoyo/auth';
import { errors, isInstitutionCode } from '@kyoyo/domain';

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
// Control characters (C0, DEL, C1) have no place in an identifier, an agency's name or a note.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** In a note: the same, except line breaks and tabs. */
// eslint-disable-next-line no-control-regex
const NOTE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const optional = (value: string | null | undefined): string | null => {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
};

/** A free-text note on a grant or a revocation: trimmed, at most 500 characters, or null. */
export function parseNote(value: string | null | undefined, field: string): string | null {
  const note = optional(value);
  if (note !== null && note.length > MAX_NOTE) throw errors.badInput(field, `${field}: at most ${MAX_NOTE} characters`);
  if (note !== null && NOTE_CONTROL.test(note)) throw errors.badInput(field, `${field} may not contain control characters`);
  return note;
}

/**
 * Checks a grant before anything is asked or written (`BAD_USER_INPUT` naming the field): the subject is the
 * identity token's `sub`; FACILITY_MANAGER and INSTITUTION_ADMIN need an institution and FUNDER a funding
 * agency, and no other role takes either.
 */
export function parseGrantInput(input: RoleGrantInput): ParsedGrant {
  const subject = input.subject.trim();
  if (!subject || subject.length > MAX_SUBJECT || CONTROL.test(subject))
    throw errors.badInput(
      'input.subject',
      `input.subject is the person's user id (the token's sub): 1 to ${MAX_SUBJECT} characters, no control characters`,
    );
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
    if (agency === null || agency.length > MAX_AGENCY || CONTROL.test(agency))
      throw errors.badInput(
        'input.agency',
        `FUNDER reviews purchases for a funding agency: name it (such as JSPS), at most ${MAX_AGENCY} characters`,
      );
  } else if (agency !== null) {
    throw errors.badInput('input.agency', 'only a FUNDER grant names a funding agency: leave input.agency out');
  }
  return { subject, role, institution, agency, note: parseNote(input.note, 'input.note') };
}
