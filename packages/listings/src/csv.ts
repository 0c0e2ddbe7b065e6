/**
 * CSV as RFC 4180 writes it, read and written the same way everywhere: comma-separated, fields quoted with
 * `"` (a quote inside doubled), line breaks CRLF or LF, line breaks allowed inside quoted fields, an optional
 * UTF-8 byte-order mark. Reading never guesses: a quote in the middle of an unquoted field, text after a
 * closing quote, or a quoted field left open is an error naming the record and the line it starts on.
 *
 * Writing protects spreadsheets: text a spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`, tab
 * or carriage return, also after leading `'`s) gets one more leading `'`; `unprotectFormula` takes it off
 * again, so that what is written reads back unchanged.
 */

/** One record of a CSV text: its fields and where it starts. */
export interface CsvRecord {
  /** 0 for the first record (the header), then 1, 2, … for data; blank lines are not records. */
  index: number;
  /** 1-based line of the text on which the record starts (quoted line breaks make records span lines). */
  line: number;
  fields: string[];
}

/** A text that is not CSV, with where it stops being so. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    /** The record (as in `CsvRecord.index`) and line at fault. */
    readonly index: number,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * The records of a CSV text in order. Blank lines (outside quotes) are skipped and not numbered. Throws
 * `CsvSyntaxError` at the first place the text is not CSV.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const n = source.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let blank = true;
    for (;;) {
      // One field, starting at i.
      let field = '';
      if (source[i] === '"') {
        blank = false;
        i += 1;
        for (;;) {
          const quote = source.indexOf('"', i);
          if (quote < 0) {
            throw new CsvSyntaxError(`a quoted field opened on line ${startLine} is never closed`, records.length, startLine);
          }
          const chunk = source.slice(i, quote);
          line += countLineBreaks(chunk);
          field += chunk;
          if (source[quote + 1] === '"') {
            field += '"';
            i = quote + 2;
            continue;
          }
          i = quote + 1;
          break;
        }
        const next = source[i];
        if (i < n && next !== ',' && next !== '\n' && next !== '\r') {
          throw new CsvSyntaxError(
            `line ${line}: text after a closing quote (a quote inside a field must be doubled: "")`,
            records.length,
            line,
          );
        }
      } else {
        let j = i;
        while (j < n) {
          const c = source[j];
          if (c === ',' || c === '\n' || c === '\r') break;
          if (c === '"') {
            throw new CsvSyntaxError(
              `line ${line}: a quote inside an unquoted field (quote the field and double the quote: "")`,
              records.length,
              line,
            );
          }
          j += 1;
        }
        field = source.slice(i, j);
        if (field.length > 0) blank = false;
        i = j;
      }
      fields.push(field);
      if (i < n && source[i] === ',') {
        blank = false;
        i += 1;
        continue;
      }
      break;
    }
    // End of record: CRLF, LF, a lone CR, or the end of the text.
    if (source[i] === '\r') i += 1;
    if (source[i] === '\n') i += 1;
    line += 1;
    if (!blank) records.push({ index: records.length, line: startLine, fields });
  }
  return records;
}

function countLineBreaks(text: string): number {
  let count = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 10) count += 1;
    else if (c === 13 && text.charCodeAt(k + 1) !== 10) count += 1;
  }
  return count;
}

const FORMULA = /^'*[=+\-@\t\r]/;

/**
 * One CSV field: quoted when it holds a comma, quote or line break; text a spreadsheet would run as a
 * formula gets a leading `'` (see `unprotectFormula`). Numbers and booleans are written as they are.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = FORMULA.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The text `csvField` protected, unprotected: one leading `'` off text that would otherwise be a formula. */
export function unprotectFormula(text: string): string {
  return text.startsWith("'") && FORMULA.test(text.slice(1)) ? text.slice(1) : text;
}

/** One CSV line of `columns`, in order, from `values` (absent columns empty). */
export function csvRow<C extends string>(
  columns: readonly C[],
  values: Partial<Record<C, string | number | boolean | null>>,
): string {
  return columns.map((c) => csvField(values[c])).join(',');
}
