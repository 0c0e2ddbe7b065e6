import { compactText, normalizeText, searchTokens } from '@kyoyo/domain';
import type { InstrumentListing, SearchColumns } from './instruments.types';

/**
 * The normalised search columns of a listing: the names alone (ranking looks there first) and every
 * searchable field together, with its character n-grams for the short-query index.
 */
export function searchColumnsOf(
  listing: Pick<InstrumentListing, 'name' | 'nameEn' | 'manufacturer' | 'model' | 'category' | 'description'>,
): SearchColumns {
  const nameNorm = normalizeText(listing.name);
  const nameEnNorm = listing.nameEn ? normalizeText(listing.nameEn) || null : null;
  const searchText = [listing.name, listing.nameEn, listing.manufacturer, listing.model, listing.category, listing.description]
    .filter((part): part is string => !!part)
    .map(normalizeText)
    .join(' ');
  return { nameNorm, nameEnNorm, searchText, searchTokens: searchTokens(searchText), compactText: compactText(listing) };
}
