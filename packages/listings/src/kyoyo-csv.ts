/**
 * Kyoyo's own listing CSV (CONTRACT.md, "CSV import columns"): what `importInstruments` reads and the listing
 * export writes, so that an export imports back unchanged.
 *
 * - Header names exactly as in `KYOYO_CSV_COLUMNS`, any order; `local_id`, `name` and `category` are
 *   required; an unknown or repeated column is an error.
 * - An empty cell is "not given": the field is cleared (booleans false, a fee column's category not offered).
 *   A column left out of the header is not touched: an update keeps the listing's value, a new listing gets the
 *   default. So a file with only `local_id,name,category,fee_academic` changes names, categories and academic
 *   rates and nothing else.
 * - Booleans: true/false, 1/0, yes/no, 可/不可 (any case and width). Yen: whole non-negative numbers, digits
 *   optionally grouped with commas (`12,000,000`). Dates: YYYY-MM-DD. Coordinates: decimal degrees, both or
 *   neither.
 * - Text is trimmed; a leading `'` that protects a formula-looking value (as the export writes it) is taken off.
 *
 * This module reads and writes the format and types its cells; what a value may be (lengths, ranges, fee
 * rules) is the equipment service's to decide, and its errors are mapped back onto these columns there.
 */
import { csvRow, CsvSyntaxError, parseCsv, unprotectFormula } from './csv';

export const KYOYO_CSV_COLUMNS = [
  'local_id',
  'name',
  'name_en',
  'category',
  'manufacturer',
  'model',
  'description',
  'acquisition_price',
  'acquired_on',
  'building',
  'latitude',
  'longitude',
  'shared_externally',
  'remote_operable',
  'requires_approval',
  'requires_qualification',
  'fee_internal',
  'fee_academic',
  'fee_industry',
] as const;

export type KyoyoCsvColumn = (typeof KYOYO_CSV_COLUMNS)[number];

/** Columns every file must have. */
export const KYOYO_CSV_REQUIRED_COLUMNS: readonly KyoyoCsvColumn[] = ['local_id', 'name', 'category'];

/** The contract's limits of one import: 10 MiB of UTF-8 and 50,000 data rows. */
export const KYOYO_CSV_LIMITS = { bytes: 10 * 1024 * 1024, rows: 50_000 } as const;

/**
 * One data row, typed. A field is `undefined` when its column is not in the header (not touched) and `null`
 * when its cell is empty (cleared). The three required columns are always present.
 */
export interface KyoyoCsvRow {
  localId: string | null;
  name: string | null;
  category: string | null;
  nameEn?: string | null;
  manufacturer?: string | null;
  model?: string | null;
  description?: string | null;
  acquisitionPrice?: number | null;
  acquiredOn?: string | null;
  building?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  sharedExternally?: boolean | null;
  remoteOperable?: boolean | null;
  requiresApproval?: boolean | null;
  requiresQualification?: boolean | null;
  /** Hourly SELF rates in whole yen per user category; null: that category is not offered SELF use. */
  feeInternal?: number | null;
  feeAcademic?: number | null;
  feeIndustry?: number | null;
}

/** What is wrong with one row (row 0 is the header), and in which column when one is to blame. */
export interface CsvRowError {
  /** 1-based data row; 0 for the header. */
  row: number;
  /** 1-based line of the file on which the row starts. */
  line: number;
  column: KyoyoCsvColumn | string | null;
  message: string;
}

export interface KyoyoCsvFile {
  /** The columns of the header, in file order. */
  columns: KyoyoCsvColumn[];
  /** Rows whose cells all have the right type, in file order. */
  rows: { row: number; line: number; values: KyoyoCsvRow }[];
  /** Every cell of the wrong type, every header problem, and a syntax error (after which nothing is read). */
  errors: CsvRowError[];
  /** Data rows in the file (read up to a syntax error). */
  rowCount: number;
}

type Field = keyof KyoyoCsvRow;

type CellKind = 'text' | 'yen' | 'date' | 'degrees' | 'boolean';

const COLUMN_FIELDS: Record<KyoyoCsvColumn, { field: Field; kind: CellKind }> = {
  local_id: { field: 'localId', kind: 'text' },
  name: { field: 'name', kind: 'text' },
  name_en: { field: 'nameEn', kind: 'text' },
  category: { field: 'category', kind: 'text' },
  manufacturer: { field: 'manufacturer', kind: 'text' },
  model: { field: 'model', kind: 'text' },
  description: { field: 'description', kind: 'text' },
  acquisition_price: { field: 'acquisitionPrice', kind: 'yen' },
  acquired_on: { field: 'acquiredOn', kind: 'date' },
  building: { field: 'building', kind: 'text' },
  latitude: { field: 'latitude', kind: 'degrees' },
  longitude: { field: 'longitude', kind: 'degrees' },
  shared_externally: { field: 'sharedExternally', kind: 'boolean' },
  remote_operable: { field: 'remoteOperable', kind: 'boolean' },
  requires_approval: { field: 'requiresApproval', kind: 'boolean' },
  requires_qualification: { field: 'requiresQualification', kind: 'boolean' },
  fee_internal: { field: 'feeInternal', kind: 'yen' },
  fee_academic: { field: 'feeAcademic', kind: 'yen' },
  fee_industry: { field: 'feeIndustry', kind: 'yen' },
};

/** The CSV column a row field comes from. */
export function kyoyoCsvColumnOf(field: Field): KyoyoCsvColumn {
  const column = KYOYO_CSV_COLUMNS.find((c) => COLUMN_FIELDS[c].field === field);
  if (!column) throw new Error(`no column for ${field}`);
  return column;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', '可']);
const FALSE_WORDS = new Set(['false', '0', 'no', '不可']);

class CellFault {
  constructor(readonly message: string) {}
}

function isValidDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A cell's value: null when empty, else typed by `kind`; `CellFault` when it is not of that kind. */
function cellValue(raw: string, column: KyoyoCsvColumn, kind: CellKind): string | number | boolean | null {
  const text = unprotectFormula(raw).trim();
  if (text.length === 0) return null;
  switch (kind) {
    case 'text':
      return text;
    case 'yen': {
      const folded = text.normalize('NFKC');
      if (!/^(\d+|\d{1,3}(,\d{3})+)$/.test(folded)) {
        throw new CellFault(`${column} must be whole yen (digits only, e.g. 12000000), not ${JSON.stringify(text)}`);
      }
      const value = Number(folded.replace(/,/g, ''));
      if (!Number.isSafeInteger(value)) throw new CellFault(`${column} is too large`);
      return value;
    }
    case 'date':
      if (!isValidDate(text)) throw new CellFault(`${column} must be a date as YYYY-MM-DD, not ${JSON.stringify(text)}`);
      return text;
    case 'degrees': {
      const folded = text.normalize('NFKC');
      if (!/^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(folded)) {
        throw new CellFault(`${column} must be decimal degrees (e.g. 38.2554), not ${JSON.stringify(text)}`);
      }
      return Number(folded);
    }
    case 'boolean': {
      const word = text.normalize('NFKC').toLowerCase();
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
      throw new CellFault(`${column} must be true/false, 1/0, yes/no or 可/不可, not ${JSON.stringify(text)}`);
    }
  }
}

/** Reads the header: the known columns in file order, or the errors that make the file unreadable. */
function readHeader(fields: string[], line: number): { columns: KyoyoCsvColumn[]; errors: CsvRowError[] } {
  const errors: CsvRowError[] = [];
  const columns: KyoyoCsvColumn[] = [];
  const seen = new Set<string>();
  for (const [position, raw] of fields.entries()) {
    const name = raw.trim();
    if (!(KYOYO_CSV_COLUMNS as readonly string[]).includes(name)) {
      errors.push({
        row: 0,
        line,
        column: name || null,
        message:
          name.length === 0
            ? `header field ${position + 1} is empty`
            : `unknown column ${JSON.stringify(name)}; the columns are ${KYOYO_CSV_COLUMNS.join(', ')}`,
      });
    } else if (seen.has(name)) {
      errors.push({ row: 0, line, column: name, message: `column ${name} appears twice` });
    }
    seen.add(name);
    columns.push(name as KyoyoCsvColumn);
  }
  for (const required of KYOYO_CSV_REQUIRED_COLUMNS) {
    if (!seen.has(required)) errors.push({ row: 0, line, column: required, message: `the header has no ${required} column` });
  }
  return { columns, errors };
}

/**
 * Reads a Kyoyo listing CSV (with or without a byte-order mark). Cells are typed; every cell of the wrong
 * type is reported with its row and column, and the rows without such errors come back typed. A header
 * problem is reported and no row is read. Limits are the caller's (`KYOYO_CSV_LIMITS`).
 */
export function parseKyoyoCsv(text: string): KyoyoCsvFile {
  let records;
  const errors: CsvRowError[] = [];
  try {
    records = parseCsv(text);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    return {
      columns: [],
      rows: [],
      errors: [{ row: error.index, line: error.line, column: null, message: `not CSV: ${error.message}` }],
      rowCount: error.index,
    };
  }
  const [header, ...data] = records;
  if (!header)
    return { columns: [], rows: [], errors: [{ row: 0, line: 1, column: null, message: 'the file is empty' }], rowCount: 0 };
  const { columns, errors: headerErrors } = readHeader(header.fields, header.line);
  if (headerErrors.length > 0) return { columns: [], rows: [], errors: headerErrors, rowCount: data.length };
  if (data.length === 0) {
    return {
      columns,
      rows: [],
      errors: [{ row: 0, line: header.line, column: null, message: 'the file has a header and no rows' }],
      rowCount: 0,
    };
  }

  const rows: KyoyoCsvFile['rows'] = [];
  for (const record of data) {
    if (record.fields.length !== columns.length) {
      errors.push({
        row: record.index,
        line: record.line,
        column: null,
        message: `has ${record.fields.length} fields; the header has ${columns.length}`,
      });
      continue;
    }
    const values: Partial<Record<Field, unknown>> = {};
    let ok = true;
    for (const [position, column] of columns.entries()) {
      const { field, kind } = COLUMN_FIELDS[column];
      try {
        values[field] = cellValue(record.fields[position]!, column, kind);
      } catch (fault) {
        if (!(fault instanceof CellFault)) throw fault;
        errors.push({ row: record.index, line: record.line, column, message: fault.message });
        ok = false;
      }
    }
    if (ok) rows.push({ row: record.index, line: record.line, values: values as unknown as KyoyoCsvRow });
  }
  return { columns, rows, errors, rowCount: data.length };
}

/**
 * A Kyoyo CSV of `rows` (header first, CRLF line ends, no byte-order mark) with every column, or only
 * `columns`: an import then leaves the other fields of existing listings as they are.
 */
export function formatKyoyoCsv(rows: Iterable<KyoyoCsvRow>, columns: readonly KyoyoCsvColumn[] = KYOYO_CSV_COLUMNS): string {
  const lines = [columns.join(',')];
  for (const row of rows) {
    const values: Partial<Record<KyoyoCsvColumn, string | number | boolean | null>> = {};
    for (const column of columns) values[column] = row[COLUMN_FIELDS[column].field] ?? null;
    lines.push(csvRow(columns, values));
  }
  return `${lines.join('\r\n')}\r\n`;
}
