export { LISTING_LIMITS, type ListingInput, type RowError } from './listing';
export {
  JP_OTHER_CATEGORY,
  jpCategoryOf,
  parseJpEquipmentLine,
  parseJpEquipmentLines,
  readJpEquipmentFile,
  universityOf,
  type JpEquipmentFile,
  type JpEquipmentLineResult,
  type JpEquipmentListing,
} from './formats/jp-equipment-jsonl';
export { csvField, csvRow, CsvSyntaxError, parseCsv, unprotectFormula, type CsvRecord } from './csv';
export {
  formatKyoyoCsv,
  KYOYO_CSV_COLUMNS,
  KYOYO_CSV_LIMITS,
  KYOYO_CSV_REQUIRED_COLUMNS,
  kyoyoCsvColumnOf,
  parseKyoyoCsv,
  type CsvRowError,
  type KyoyoCsvColumn,
  type KyoyoCsvFile,
  type KyoyoCsvRow,
} from './kyoyo-csv';
export { decodeText, repairMojibake, TextDecodingError, type DecodedText, type TextEncoding } from './decode';
export { splitMakerModel, type MakerModel } from './names';
export {
  formatUniquip,
  parseUniquip,
  readUniquipFile,
  UNIQUIP_COLUMNS,
  UNIQUIP_SERVICE_LEVELS,
  UniquipFileError,
  uniquipRowOf,
  type UniquipColumn,
  type UniquipExportRow,
  type UniquipFile,
  type UniquipListing,
  type UniquipOptions,
  type UniquipRowError,
} from './formats/uniquip';
export {
  IMPORT_FORMATS,
  planImport,
  planLimitProblem,
  type ImportFormat,
  type ImportPlan,
  type ImportPlanOptions,
} from './import-plan';
