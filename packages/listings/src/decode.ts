/**
 * Bytes of an uploaded file to text, and text that was decoded wrongly on its way here.
 *
 * Files come as UTF-8 (with or without a byte-order mark, as Excel's "CSV UTF-8" writes it) or, from older
 * spreadsheets and registers, as Windows-1252 (Latin-1 with curly quotes, `£` and `€`). `decodeText` takes
 * valid UTF-8 as UTF-8 and anything else as Windows-1252, and says which it did; UTF-16 and binary files are
 * refused with a message that says what to do.
 *
 * `repairMojibake` finds the other failure: UTF-8 that someone decoded as Windows-1252 or Latin-1 before the
 * file was written (`materialâ€™s` for `material’s`, `Ã…` for `Å`, `ã‚­ãƒ¼` for `キー`). Importers refuse such
 * text rather than store it, and show what it would read.
 */

/** How `decodeText` read a file. */
export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'latin-1';

/** A file's text and how it was read (`latin-1`: Windows-1252, a superset of Latin-1). */
export interface DecodedText {
  text: string;
  encoding: TextEncoding;
}

/** A file that is not text in an encoding imports accept. */
export class TextDecodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TextDecodingError';
  }
}

const SAVE_AS_UTF8 = 'save it as UTF-8 (in Excel: "CSV UTF-8 (Comma delimited)")';

/**
 * The text of a file: a UTF-8 byte-order mark is taken off (`utf-8-bom`); valid UTF-8 is UTF-8; anything else
 * is read as Windows-1252 (`latin-1`). Throws `TextDecodingError` for UTF-16 (byte-order mark or NUL bytes)
 * and for a UTF-8 byte-order mark followed by bytes that are not UTF-8.
 */
export function decodeText(bytes: Uint8Array): DecodedText {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new TextDecodingError(`the file is UTF-16 (it starts with a UTF-16 byte-order mark); ${SAVE_AS_UTF8}`);
  }
  if (bytes.includes(0)) {
    throw new TextDecodingError(
      `the file contains NUL bytes, so it is UTF-16 without a byte-order mark or not text at all; ${SAVE_AS_UTF8}`,
    );
  }
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    const text = utf8.decode(bom ? bytes.subarray(3) : bytes);
    return { text, encoding: bom ? 'utf-8-bom' : 'utf-8' };
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    if (bom) {
      throw new TextDecodingError(`the file starts with a UTF-8 byte-order mark but is not valid UTF-8; ${SAVE_AS_UTF8}`);
    }
  }
  return { text: decodeWindows1252(bytes), encoding: 'latin-1' };
}

/**
 * What Windows-1252 puts at 0x80–0x9F (WHATWG Encoding Standard; the five bytes it leaves undefined stay C1
 * controls); every other byte is the Latin-1 character of the same code. Node's own `TextDecoder('windows-1252')`
 * cannot be used: since Node 20.18.3 and 22.13 it decodes 0x80–0x9F as Latin-1's C1 controls (nodejs/node#56542,
 * #60888), which would turn a register's `’` and `–` into control characters.
 */
const WINDOWS_1252_HIGH =
  '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F' +
  '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

function decodeWindows1252(bytes: Uint8Array): string {
  const chunks: string[] = [];
  const CHUNK = 8192;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const codes = Array.from(bytes.subarray(start, start + CHUNK), (b) =>
      b >= 0x80 && b <= 0x9f ? WINDOWS_1252_HIGH.charCodeAt(b - 0x80) : b,
    );
    chunks.push(String.fromCharCode(...codes));
  }
  return chunks.join('');
}

/**
 * The byte each character stands for when Windows-1252 or Latin-1 decoded it: `€` → 0x80, `â` → 0xE2, and
 * the C1 controls (U+0080–U+009F, what Latin-1 makes of 0x80–0x9F) → themselves.
 */
const BYTE_OF: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>();
  for (let byte = 0x80; byte <= 0xff; byte++) map.set(decodeWindows1252(Uint8Array.of(byte)), byte);
  for (let byte = 0x80; byte <= 0x9f; byte++) {
    const c1 = String.fromCharCode(byte);
    if (!map.has(c1)) map.set(c1, byte);
  }
  return map;
})();

/** Runs of characters that could be bytes 0x80–0xFF decoded one by one. */
const HIGH_RUN = new RegExp(
  `[${[...BYTE_OF.keys()].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}]{2,}`,
  'gu',
);

/**
 * What `text` would read if its runs of Windows-1252/Latin-1 characters were the UTF-8 bytes they stand for
 * (`materialâ€™s` → `material’s`), or null when no run is: then the text is not mojibake. A run is repaired only
 * when its bytes are valid UTF-8, which real Latin text (`Citroën`, `Cee® 200`) never is.
 */
export function repairMojibake(text: string): string | null {
  let repaired = false;
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const result = text.replace(HIGH_RUN, (run) => {
    const chars = [...run];
    const bytes = chars.map((c) => BYTE_OF.get(c)!);
    let out = '';
    for (let i = 0; i < bytes.length;) {
      // A UTF-8 sequence is a lead byte and 1 to 3 continuation bytes; anything else stays as it was.
      const lead = bytes[i]!;
      const length = lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
      let decoded: string | null = null;
      if (length > 0 && i + length <= bytes.length) {
        try {
          decoded = utf8.decode(Uint8Array.from(bytes.slice(i, i + length)));
        } catch {
          decoded = null;
        }
      }
      if (decoded === null) {
        out += chars[i];
        i += 1;
      } else {
        out += decoded;
        repaired = true;
        i += length;
      }
    }
    return out;
  });
  return repaired ? result : null;
}
