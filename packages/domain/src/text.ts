/**
 * Search normalisation. Stored search columns and queries are built with the same functions, so every
 * function here must be deterministic across machines and locales.
 */

/** Hyphens, dashes and minus signs that people type interchangeably. The long vowel mark ー is not one. */
const DASHES = /[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFF0D]/gu;
/** `\s` misses U+0085 (NEXT LINE), which Unicode counts as white space. */
const SPACES = /[\s\p{White_Space}]+/gu;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/**
 * Folds text for search: NFKC (full-width ASCII to ASCII, half-width katakana to full-width), lower case
 * (locale-independent), every dash to `-`, any run of white space (the ideographic space included) to one
 * space, trimmed. `ＮＭＲ` → `nmr`, `ｶﾞｽｸﾛ` → `ガスクロ`.
 */
export function normalizeText(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(DASHES, '-').replace(SPACES, ' ').trim();
}

/**
 * The tokens stored for a normalised document in a character n-gram index: for every word, each character
 * and each pair of adjacent characters (by code point). Distinct, in JavaScript's default (UTF-16) order.
 */
export function searchTokens(normalized: string): string[] {
  const tokens = new Set<string>();
  for (const word of words(normalized)) {
    const chars = Array.from(word);
    chars.forEach((char) => tokens.add(char));
    adjacentPairs(chars).forEach((pair) => tokens.add(pair));
  }
  return [...tokens].sort();
}

/**
 * The tokens a document must hold to possibly contain a normalised query: a one-character word itself,
 * the adjacent pairs of a longer word. Distinct, sorted like `searchTokens`. Whenever `normalizeText(doc)` contains
 * `normalizeText(query)`, every token here is among `searchTokens(normalizeText(doc))`.
 */
export function queryTokens(normalizedQuery: string): string[] {
  const tokens = new Set<string>();
  for (const word of words(normalizedQuery)) {
    const chars = Array.from(word);
    const wordTokens = chars.length === 1 ? chars : adjacentPairs(chars);
    wordTokens.forEach((token) => tokens.add(token));
  }
  return [...tokens].sort();
}

/** The distinct space-separated words of a normalised query, in the order they first appear. */
export function queryWords(normalizedQuery: string): string[] {
  return [...new Set(words(normalizedQuery))];
}

/** Escapes `\`, `%` and `_` so that `s` matches itself literally in a SQL `LIKE` pattern (escape `\`). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, '\\$&');
}

/** True when `s` contains a Han, Hiragana or Katakana character. */
export function hasCjk(s: string): boolean {
  return CJK.test(s);
}

function words(normalized: string): string[] {
  return normalized.split(' ').filter((word) => word.length > 0);
}

function adjacentPairs(chars: readonly string[]): string[] {
  return chars.slice(1).map((char, i) => `${chars[i]}${char}`);
}
