import { describe, expect, it } from 'vitest';
import { claimsOf, identityFromClaims } from './identity';

describe('identity claims', () => {
  const base = { sub: 'u1', inst: 'tohoku-u', aff: 'academic', roles: ['RESEARCHER'] };

  it('carry the address, language and reminder choice there and back', () => {
    const identity = identityFromClaims({ ...base, email: 'a.sato@tohoku.example', lang: 'en', rem: false });
    expect(identity).toMatchObject({ email: 'a.sato@tohoku.example', language: 'en', reminders: false });
    expect(identityFromClaims(claimsOf(identity!))).toEqual(identity);
  });

  it('read a language tag as its primary language (ja-JP is Japanese, en-GB English)', () => {
    expect(identityFromClaims({ ...base, lang: 'ja-JP' })?.language).toBe('ja');
    expect(identityFromClaims({ ...base, lang: 'EN_gb' })?.language).toBe('en');
  });

  it('leave out a malformed address, an unknown language or a non-boolean choice instead of refusing the identity', () => {
    const identity = identityFromClaims({ ...base, email: 'not an address', lang: 'fr', rem: 'no' });
    expect(identity).not.toBeNull();
    expect(identity).not.toHaveProperty('email');
    expect(identity).not.toHaveProperty('language');
    expect(identity).not.toHaveProperty('reminders');
  });

  it('without contact claims give an identity without them (and sign none)', () => {
    const identity = identityFromClaims(base)!;
    expect(identity).toEqual({
      id: 'u1',
      institution: 'tohoku-u',
      organization: null,
      affiliation: 'academic',
      roles: ['RESEARCHER'],
    });
    expect(Object.keys(claimsOf(identity)).sort()).toEqual(['aff', 'inst', 'roles', 'sub']);
  });
});
