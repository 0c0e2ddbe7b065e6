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
