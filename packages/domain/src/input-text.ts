import { errors } from './errors';

/** Control characters other than tab, line feed and carriage return (C0, DEL, C1). */
const CONTROL = /(?![\t\n\r])\p{Cc}/u;
/** A surrogate that is not half of a pair: with the `u` flag a well-formed pair is one code point outside this range. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
/** Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;

const codePoint = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Refuses text that no input may hold, with `BAD_USER_INPUT` naming `field`:
 * - control characters other than tab and line breaks: PostgreSQL cannot store NUL in text at all (the
 *   statement fails), and the others only garble what people read;
 * - lone surrogates: not Unicode, so not storable as UTF-8 — they would silently become U+FFFD, and two
 *   different inputs (two idempotency keys, say) would be stored as the same text;
 * - bidirectional embedding, override and isolate controls: they make text display other than it reads
 *   ("Trojan Source"), which a listing, a booking or a funder's record must never do.
 * Length and emptiness are the caller's rules.
 */
export function checkTextCharacters(value: string, field: string): void {
  const control = CONTROL.exec(value);
  if (control) throw errors.badInput(field, `${field} must not hold control characters (${codePoint(control[0])})`);
  if (LONE_SURROGATE.test(value)) throw errors.badInput(field, `${field} is not valid Unicode text (it holds a lone surrogate)`);
  const bidi = BIDI_CONTROL.exec(value);
  if (bidi) {
    throw errors.badInput(field, `${field} must not hold bidirectional override characters (${codePoint(bidi[0])})`);
  }
}
