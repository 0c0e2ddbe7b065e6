/**
 * Planned purchases as people type them (the check form, a batch CSV): the policy numbers the pages explain,
 * and the small parsers both inputs share. The gateway validates again and is the authority.
 */
import type { MessageKey } from '../../i18n';
import type { InstitutionRef } from './queries';

/** DOMAIN.md: a purchase of ¥10,000,000 or more (the threshold itself included) needs a duplicate check. */
export const THRESHOLD_YEN = 10_000_000;
/** DOMAIN.md: the national sharing-rate (共用化率) target. */
export const SHARING_TARGET = 0.3;
/** CONTRACT.md: proposals per `checkDuplicatePurchases`. */
export const MAX_PROPOSALS_PER_BATCH = 1000;
/** The schema's limits on a proposal, checked early so people hear of them before sending. */
export const MAX_HOURS_PER_YEAR = 8784;
export const MAX_KEYWORDS = 20;
export const MAX_TITLE_LENGTH = 300;

/** A problem with one input, as a message key and its values. */
export interface Problem {
  key: MessageKey;
  values?: Record<string, string | number>;
}

/**
 * A whole number as people write it: digits with optional thousands separators (`30,000,000`,
 * `30 000 000`), full-width digits, an optional ¥/円. Null for anything else (including signs and decimals).
 */
export function parseWholeNumber(text: string): number | null {
  const normalized = text
    .normalize('NFKC')
    .trim()
    .replace(/^¥|円$/g, '')
    .trim();
  if (!/^\d{1,3}([, ]\d{3})*$|^\d+$/.test(normalized)) return null;
  const value = Number(normalized.replace(/[, ]/g, ''));
  return Number.isSafeInteger(value) ? value : null;
}

/** Keywords separated by any of `separators`, trimmed, empty ones dropped. */
export function splitKeywords(text: string, separators: RegExp): string[] {
  return text
    .split(separators)
    .map((k) => k.trim())
    .filter((k) => k !== '');
}

/** The form's separators: comma (half- or full-width) and the Japanese 読点. */
export const FORM_KEYWORD_SEPARATORS = /[,，、]/;
/** The batch CSV's separator (commas would need quoting). */
export const CSV_KEYWORD_SEPARATORS = /[;；]/;

/** An optional text: trimmed, null when empty. */
export const optionalText = (text: string | undefined): string | null => text?.trim() || null;

/** Why an estimated price cannot be sent; null when it can. */
export function priceProblem(text: string): Problem | null {
  if (text.trim() === '') return { key: 'funder.problem.priceRequired' };
  return parseWholeNumber(text) === null ? { key: 'funder.problem.priceWhole' } : null;
}

/** Why expected hours a year cannot be sent (empty is fine); null when they can. */
export function hoursProblem(text: string): Problem | null {
  if (text.trim() === '') return null;
  const hours = parseWholeNumber(text);
  return hours === null || hours > MAX_HOURS_PER_YEAR
    ? { key: 'funder.problem.hours', values: { max: MAX_HOURS_PER_YEAR.toLocaleString('en-US') } }
    : null;
}

/** Why a title cannot be sent; null when it can. */
export function titleProblem(text: string): Problem | null {
  if (text.trim() === '') return { key: 'funder.problem.titleRequired' };
  return text.trim().length > MAX_TITLE_LENGTH ? { key: 'funder.problem.titleLong', values: { max: MAX_TITLE_LENGTH } } : null;
}

/** Why keywords cannot be sent; null when they can. */
export function keywordsProblem(keywords: readonly string[]): Problem | null {
  return keywords.length > MAX_KEYWORDS ? { key: 'funder.problem.keywords', values: { max: MAX_KEYWORDS } } : null;
}

/** A name in the reader's language (institutions and instruments have a Japanese one and maybe an English one). */
export function nameIn(lang: 'ja' | 'en', named: Pick<InstitutionRef, 'name' | 'nameEn'>): string {
  return lang === 'en' ? (named.nameEn ?? named.name) : named.name;
}
