/**
 * The listing CSV of `importInstruments` (CONTRACT.md, "CSV import columns"): its columns, the required ones,
 * its limits, and a template to download. Reading and writing CSV itself is `../../csv`; the equipment service
 * stays the judge of a file.
 */
import { KYOYO_CSV_COLUMNS, KYOYO_CSV_LIMITS, KYOYO_CSV_REQUIRED_COLUMNS, type KyoyoCsvColumn } from '@kyoyo/listings/kyoyo-csv';
import { toCsvFile } from '../../csv';

/** The columns `importInstruments` reads, in the contract's order: the importer's own definition. */
export const CSV_COLUMNS = KYOYO_CSV_COLUMNS;
export type CsvColumn = KyoyoCsvColumn;
export const REQUIRED_COLUMNS = KYOYO_CSV_REQUIRED_COLUMNS;
/** One import at most: 10 MiB of UTF-8 and 50,000 data rows. */
export const CSV_LIMITS = KYOYO_CSV_LIMITS;

/** Example values of one listing for the template, by column. */
const TEMPLATE_EXAMPLE: Record<CsvColumn, string> = {
  local_id: 'EQ-10001',
  name: '核磁気共鳴装置 600MHz',
  name_en: 'NMR spectrometer 600 MHz',
  category: 'NMR',
  manufacturer: 'Bruker',
  model: 'AVANCE NEO 600',
  description: '溶液・固体測定に対応',
  acquisition_price: '120000000',
  acquired_on: '2021-04-01',
  building: '理学研究棟 B101',
  latitude: '38.2554',
  longitude: '140.8395',
  shared_externally: 'true',
  remote_operable: 'false',
  requires_approval: 'true',
  requires_qualification: 'true',
  fee_internal: '3000',
  fee_academic: '6000',
  fee_industry: '15000',
};

/** A template with every column and one example row (marked as UTF-8 for Excel). */
export function templateCsv(): string {
  return toCsvFile([CSV_COLUMNS, CSV_COLUMNS.map((c) => TEMPLATE_EXAMPLE[c])]);
}
