import { DomainError, ErrorCode } from './errors';

/**
 * Global IDs name an object anywhere in the federation: `(kind, institution code, local id)`.
 * They are opaque to clients (base64url of `kind:institution:localId`) and stable across restarts.
 */
export type GlobalIdKind = 'Instrument' | 'Booking' | 'Blackout' | 'DuplicateCheck' | 'WaitlistEntry' | 'NotificationDelivery';

/** A decoded global id. */
export interface GlobalId {
  kind: GlobalIdKind;
  institution: string;
  localId: string;
}

const KINDS: readonly GlobalIdKind[] = [
  'Instrument',
  'Booking',
  'Blackout',
  'DuplicateCheck',
  'WaitlistEntry',
  'NotificationDelivery',
];
/** Institution codes: lower-case ASCII, digits and hyphens, 2–40 characters, e.g. `tohoku-u`. */
export const INSTITUTION_CODE = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])$/;
/** Local ids: printable, no control characters, 1–200 characters. */
const LOCAL_ID = /^[^\p{Cc}]{1,200}$/u;

/** True when `code` is a well-formed institution code. */
export function isInstitutionCode(code: string): boolean {
  return INSTITUTION_CODE.test(code);
}

/** Encodes a global id. Throws if the institution code or local id is malformed. */
export function encodeGlobalId(kind: GlobalIdKind, institution: string, localId: string): string {
  if (!INSTITUTION_CODE.test(institution)) throw new Error(`malformed institution code: ${institution}`);
  if (!LOCAL_ID.test(localId)) throw new Error(`malformed local id: ${localId}`);
  return Buffer.from(`${kind}:${institution}:${localId}`, 'utf8').toString('base64url');
}

/**
 * Decodes a global id of the expected kind. A string that is not a global id at all answers
 * `BAD_USER_INPUT`; a well-formed id of another kind answers `NOT_FOUND` (it names nothing of this kind).
 */
export function decodeGlobalId(id: string, expected: GlobalIdKind, field = 'id'): GlobalId {
  const malformed = () => new DomainError(ErrorCode.BAD_USER_INPUT, `Malformed ${expected} id`, field);
  if (id.length === 0 || id.length > 400 || !/^[A-Za-z0-9_-]+$/.test(id)) throw malformed();
  const text = Buffer.from(id, 'base64url').toString('utf8');
  // Buffer decodes leniently (stray padding bits, invalid UTF-8); only the canonical spelling names an object.
  if (Buffer.from(text, 'utf8').toString('base64url') !== id) throw malformed();
  const first = text.indexOf(':');
  const second = text.indexOf(':', first + 1);
  if (first < 0 || second < 0) throw malformed();
  const kind = text.slice(0, first);
  const institution = text.slice(first + 1, second);
  const localId = text.slice(second + 1);
  if (!KINDS.includes(kind as GlobalIdKind) || !INSTITUTION_CODE.test(institution) || !LOCAL_ID.test(localId)) {
    throw malformed();
  }
  if (kind !== expected) throw new DomainError(ErrorCode.NOT_FOUND, `No ${expected} has this id`, field);
  return { kind: kind as GlobalIdKind, institution, localId };
}
