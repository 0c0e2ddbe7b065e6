/**
 * CSV in the browser, for every area of the console: RFC 4180 as spreadsheet programs write it (comma-separated
 * fields, records ending in CRLF, LF or CR, quoted fields holding commas, line breaks and doubled quotes, a
 * UTF-8 byte-order mark at the start that is not data), read and written; and the small helpers around CSV
 * files: reading a chosen file as UTF-8, counting UTF-8 bytes, offering text as a download.
 * What the columns mean stays with each area (offices' listings, funders' proposals).
 */

/** The byte-order mark spreadsheet programs need to read a CSV file as UTF-8. */
export const BOM = '\uFEFF';

/** One record: its fields, and the line of the text it starts on (1-based; quoted line breaks count). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** Text that is not CSV: a quoted field never closed, or text right after a closing quote. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    /** The line the problem is on (1-based). */
    readonly line: number,
    readonly kind: 'unclosedQuote' | 'textAfterQuote',
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * Every record of `text`, in order. A byte-order mark at the start is dropped. Blank lines are not records
 * (as in the equipment service's reader, so that record n is its data row n); a line holding only `""` is a
 * record of one empty field. A line break inside a quoted field reads as `\n`. A quote inside an unquoted
 * field is kept as it is (`5" wafer`), as spreadsheets read it. Throws `CsvSyntaxError` for a quoted field
 * that is never closed and for text right after a closing quote.
 */
export function parseCsv(text: string): CsvRecord[] {
  const source = text.startsWith(BOM) ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  /** Whether the record so far is nothing at all (no field, no separator, no quotes). */
  let blank = true;
  let line = 1;
  let recordLine = 1;
  let i = 0;

  const endField = () => {
    fields.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    if (!blank) records.push({ line: recordLine, fields });
    fields = [];
    blank = true;
  };
  /** Steps over a line break at `i` (CRLF as one); false when there is none. */
  const lineBreak = (): boolean => {
    if (source[i] === '\r') i += source[i + 1] === '\n' ? 2 : 1;
    else if (source[i] === '\n') i += 1;
    else return false;
    line += 1;
    return true;
  };

  while (i < source.length) {
    if (source[i] === '"' && field === '') {
      const opened = line;
      blank = false;
      i += 1;
      for (;;) {
        if (i >= source.length)
          throw new CsvSyntaxError(`A quoted field opened on line ${opened} is never closed`, opened, 'unclosedQuote');
        if (source[i] === '"') {
          if (source[i + 1] !== '"') break;
          field += '"';
          i += 2;
        } else if (lineBreak()) {
          field += '\n';
        } else {
          field += source[i];
          i += 1;
        }
      }
      i += 1; // the closing quote
      if (i < source.length && source[i] !== ',' && source[i] !== '\r' && source[i] !== '\n') {
        throw new CsvSyntaxError(`Text follows a closing quote on line ${line}`, line, 'textAfterQuote');
      }
      continue;
    }
    if (source[i] === ',') {
      blank = false;
      endField();
      i += 1;
    } else if (lineBreak()) {
      endRecord();
      recordLine = line;
    } else {
      blank = false;
      field += source[i];
      i += 1;
    }
  }
  endRecord(); // the last record, unless the text ended with its line break (then it is blank)
  return records;
}

/** One field as CSV: quoted when it holds a comma, quote or line break, or starts or ends with white space. */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Records as CSV text with CRLF line ends (what spreadsheet programs expect). */
export function toCsv(records: readonly (readonly string[])[]): string {
  return records.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Records as a CSV file's text: with a byte-order mark, so that Excel reads it as UTF-8. */
export function toCsvFile(records: readonly (readonly string[])[]): string {
  return BOM + toCsv(records);
}

/** Bytes of `text` as UTF-8. */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/**
 * A chosen file's text when it is UTF-8 (its byte-order mark dropped); null when it is not (e.g. Shift_JIS
 * from older versions of Excel).
 */
export async function readUtf8File(file: Blob): Promise<string | null> {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer());
  } catch {
    return null;
  }
}

/** Offers `text` as a file download named `filename`. */
export function saveText(text: string, filename: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
