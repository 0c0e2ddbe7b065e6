/** CSV writing is shared with the listing formats (`@kyoyo/listings`), so that every download protects spreadsheets alike. */
export { csvField, csvRow } from '@kyoyo/listings';
