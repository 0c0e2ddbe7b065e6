/**
 * What the office importer sends: any supported source turned into one Kyoyo CSV for `importInstruments`,
 * with the source line of every row (so that the institution's row errors can be told against the file the
 * office knows) and every source record that could not become a listing (never dropped without a word).
 *
 * A mapped source sends only the columns it knows about, so importing it again (a newer export of the same
 * register) updates what the source says and leaves what the office added in Kyoyo — fees, coordinates,
 * English names the source lacks — as it is.
 */
import { universityOf, parseJpEquipmentLines, type JpEquipmentListing } from './formats/jp-equipment-jsonl';
import { parseUniquip } from './formats/uniquip';
import { formatKyoyoCsv, KYOYO_CSV_LIMITS, parseKyoyoCsv, type KyoyoCsvColumn, type KyoyoCsvRow } from './kyoyo-csv';
import type { ListingInput, RowError } from './listing';

export const IMPORT_FORMATS = ['kyoyo-csv', 'uniquip', 'jp-equipment-jsonl'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportPlanOptions {
  /** uniquip: yen per unit of the file's currency (prices are left out without it). */
  yenPerUnit?: number | null;
  /** jp-equipment-jsonl: only the rows of this organisation (its `universityOf` name, or `org_name` as written). */
  organisation?: string | null;
  /** Called as source records are read (for progress). */
  onProgress?: (done: number) => void;
}

/** A source ready to send. */
export interface ImportPlan {
  format: ImportFormat;
  /** The Kyoyo CSV to send. */
  csv: string;
  /** Data rows of `csv`. */
  rows: number;
  /** `sourceLines[row - 1]`: the 1-based source line the CSV's data row `row` came from. */
  sourceLines: number[];
  /** Source records read (data records or JSON lines). */
  recordsRead: number;
  /** Records that did not become a row, each with why. */
  rejected: RowError[];
  /** Records the organisation filter left out (jp-equipment-jsonl). */
  filteredOut: number;
  /** Decisions about the whole file a reader should know (unconverted prices, generated ids, …). */
  notes: string[];
  /** Source columns nothing reads. */
  unmappedColumns: string[];
}

/** The columns a mapped source fills (others are left as the listings have them). */
const JP_COLUMNS: readonly KyoyoCsvColumn[] = [
  'local_id',
  'name',
  'category',
  'manufacturer',
  'model',
  'description',
  'building',
  'shared_externally',
  'requires_approval',
];

function rowOf(input: ListingInput): KyoyoCsvRow {
  return {
    ...input,
    latitude: input.location?.latitude ?? null,
    longitude: input.location?.longitude ?? null,
  };
}

/** Turns a source's text into the Kyoyo CSV to import. Throws (with a message for the office) when the file as a whole is unreadable. */
export async function planImport(format: ImportFormat, text: string, options: ImportPlanOptions = {}): Promise<ImportPlan> {
  switch (format) {
    case 'kyoyo-csv': {
      // Sent as written: the institution checks it. Read here only for the row count and source lines.
      const parsed = parseKyoyoCsv(text);
      const sourceLines: number[] = [];
      for (const { row, line } of [...parsed.rows, ...parsed.errors]) if (row > 0) sourceLines[row - 1] = line;
      options.onProgress?.(parsed.rowCount);
      return {
        format,
        csv: text,
        rows: parsed.rowCount,
        sourceLines,
        recordsRead: parsed.rowCount,
        rejected: [],
        filteredOut: 0,
        notes: [],
        unmappedColumns: [],
      };
    }
    case 'uniquip': {
      const file = parseUniquip(text, { yenPerUnit: options.yenPerUnit ?? null });
      options.onProgress?.(file.listings.length + file.errors.length);
      const priced = file.listings.some((l) => l.input.acquisitionPrice !== undefined);
      const columns: KyoyoCsvColumn[] = [
        'local_id',
        'name',
        'name_en',
        'category',
        'manufacturer',
        'model',
        'description',
        ...(priced ? (['acquisition_price'] as const) : []),
        'building',
        'shared_externally',
        'requires_approval',
      ];
      return {
        format,
        csv: formatKyoyoCsv(
          file.listings.map((l) => rowOf(l.input)),
          columns,
        ),
        rows: file.listings.length,
        sourceLines: file.listings.map((l) => l.line),
        recordsRead: file.listings.length + file.errors.length,
        rejected: file.errors,
        filteredOut: 0,
        notes: file.notes,
        unmappedColumns: file.unmappedColumns,
      };
    }
    case 'jp-equipment-jsonl': {
      const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
      let done = 0;
      const counted = lines.map((line) => {
        done += 1;
        if (done % 1000 === 0) options.onProgress?.(done);
        return line;
      });
      const file = await parseJpEquipmentLines(counted);
      options.onProgress?.(lines.length);
      const organisation = options.organisation?.trim() || null;
      const wanted = (l: JpEquipmentListing) =>
        organisation === null || universityOf(l.orgName) === organisation || l.orgName === organisation;
      const kept = file.listings.filter(wanted);
      const notes = [
        'manufacturer and model come from the names (splitMakerModel); English names, prices, coordinates and fees are not in the source and are left as they are.',
      ];
      if (organisation !== null && kept.length === 0) {
        throw new Error(`no row of the file belongs to ${organisation} (--org matches universityOf(org_name) or org_name)`);
      }
      return {
        format,
        csv: formatKyoyoCsv(
          kept.map((l) => rowOf(l.input)),
          JP_COLUMNS,
        ),
        rows: kept.length,
        sourceLines: kept.map((l) => l.line),
        recordsRead: file.listings.length + file.errors.length,
        rejected: file.errors,
        filteredOut: file.listings.length - kept.length,
        notes,
        unmappedColumns: ['org_type', 'region', 'fee_band', 'source_url', 'eqnet_url', 'eqnet_equipment_id', 'crawled_at'],
      };
    }
  }
}

/** Why a plan cannot be sent as one import (the contract's limits), or null. */
export function planLimitProblem(plan: ImportPlan): string | null {
  const bytes = Buffer.byteLength(plan.csv, 'utf8');
  if (bytes > KYOYO_CSV_LIMITS.bytes) {
    return `the CSV to send holds ${bytes.toLocaleString('en')} bytes; one import takes at most ${KYOYO_CSV_LIMITS.bytes.toLocaleString('en')} (10 MiB): split the file`;
  }
  if (plan.rows > KYOYO_CSV_LIMITS.rows) {
    return `the file holds ${plan.rows.toLocaleString('en')} rows; one import takes at most ${KYOYO_CSV_LIMITS.rows.toLocaleString('en')}: split the file`;
  }
  return null;
}
