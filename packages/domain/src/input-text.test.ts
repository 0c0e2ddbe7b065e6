import { describe, expect, it } from 'vitest';
import { checkBookingTexts, checkIdempotencyKey, optionalNote } from './bookings';
import { validateProposal } from './duplicate-checks';
import { DomainError, ErrorCode } from './errors';
import { checkTextCharacters } from './input-text';
import { validateFilterValues, validateSearchQuery } from './search';

/** The code and field of the DomainError `fn` throws, or null when it throws nothing. */
function failure(fn: () => unknown): { code: string; field: string | undefined } | null {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, field: error.field };
    throw error;
  }
  return null;
}

const REFUSED = {
  NUL: 'a\u0000b',
  BEL: 'a\u0007b',
  ESC: '\u001b[31m',
  DEL: 'a\u007fb',
  'NEXT LINE (C1)': 'a\u0085b',
  'a lone high surrogate': 'a\ud800b',
  'a lone low surrogate': 'a\udc00b',
  'a reversed pair': 'a\udc00\ud800b',
  'a right-to-left override': 'a\u202eb',
  'a left-to-right embedding': 'a\u202ab',
  'a first-strong isolate': 'a\u2068b',
};
const ACCEPTED = {
  'Japanese text': '核磁気共鳴装置（600 MHz）',
  'tabs and line breaks': 'line 1\r\n\tline 2\n',
  'an astral character (a surrogate pair)': '𠮷野家 🔬',
  'right-to-left marks (not overrides)': 'a\u200fb\u200e',
  'SQL and markup': `'; DROP TABLE instruments; -- <script>%_\\$1`,
  'the empty string': '',
};

describe('checkTextCharacters', () => {
  it.each(Object.entries(REFUSED))('refuses %s with BAD_USER_INPUT naming the field', (_what, text) => {
    expect(failure(() => checkTextCharacters(text, 'input.name'))).toEqual({
      code: ErrorCode.BAD_USER_INPUT,
      field: 'input.name',
    });
  });

  it.each(Object.entries(ACCEPTED))('accepts %s', (_what, text) => {
    expect(failure(() => checkTextCharacters(text, 'input.name'))).toBeNull();
  });

  it('says which character it refused', () => {
    expect(() => checkTextCharacters('a\u0000', 'purpose')).toThrow('U+0000');
    expect(() => checkTextCharacters('a\u202e', 'purpose')).toThrow('U+202E');
  });
});

describe('every text rule refuses what no text may hold', () => {
  it('notes, booking texts, idempotency keys, proposals, search queries and filter values', () => {
    const bad = 'x\u0000y';
    expect(failure(() => optionalNote(bad, 'reason'))?.field).toBe('reason');
    expect(failure(() => checkBookingTexts({ purpose: 'ok', fundingSource: bad }))?.field).toBe('input.fundingSource');
    expect(failure(() => checkIdempotencyKey('k\ud800'))?.field).toBe('idempotencyKey');
    expect(
      failure(() => validateProposal({ title: 'ok', estimatedPrice: 1, institution: 'kyoto-u', keywords: ['a', 'b\u202e'] }))
        ?.field,
    ).toBe('input.keywords[1]');
    expect(failure(() => validateSearchQuery(bad, 'query'))?.field).toBe('query');
    expect(failure(() => validateFilterValues(['NMR', bad], 'filter.categories'))?.field).toBe('filter.categories[1]');
    expect(failure(() => validateFilterValues(['x'.repeat(201)], 'filter.prefectures'))?.field).toBe('filter.prefectures[0]');
    expect(failure(() => validateFilterValues(Array(201).fill('x'), 'filter.categories'))?.field).toBe('filter.categories');
  });

  it('still turns a pasted title’s line breaks into spaces and keeps a multi-line note', () => {
    expect(validateProposal({ title: '単結晶\nX線回折装置', estimatedPrice: 1, institution: 'kyoto-u' }).title).toBe(
      '単結晶 X線回折装置',
    );
    expect(optionalNote('line 1\nline 2', 'note')).toBe('line 1\nline 2');
  });
});
