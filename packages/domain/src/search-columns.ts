import { compactText } from './equivalence';
import { normalizeText, searchTokens } from './text';

/** The normalised columns that text search reads, derived from a listing (the services' tables and the catalogue). */
export interface SearchColumns {
  nameNorm: string;
  nameEnNorm: string | null;
  searchText: string;
  searchTokens: string[];
  /** `compactText` of name, English name and model: where duplicate checks find model numbers. */
  compactText: string;
}

/** The listing fields search reads. */
export interface SearchableListing {
  name: string;
  nameEn: string | null;
  manufacturer: string | null;
  model: string | null;
  category: string;
  description: string | null;
}

/**
 * The normalised search columns of a listing: the names alone (ranking looks there first) and every
 * searchable field together, with its character n-grams for the short-query index. The same at every
 * institution and in the national catalogue, so a query finds the same listings in either.
 */
export function searchColumnsOf(listing: SearchableListing): SearchColumns {
  const nameNorm = normalizeText(listing.name);
  const nameEnNorm = listing.nameEn ? normalizeText(listing.nameEn) || null : null;
  const searchText = [listing.name, listing.nameEn, listing.manufacturer, listing.model, listing.category, listing.description]
    .filter((part): part is string => !!part)
    .map(normalizeText)
    .join(' ');
  return { nameNorm, nameEnNorm, searchText, searchTokens: searchTokens(searchText), compactText: compactText(listing) };
}
