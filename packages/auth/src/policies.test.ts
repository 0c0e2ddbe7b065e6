import { describe, expect, it } from 'vitest';
import type { Identity, Role } from './identity';
import { canOversee, requireOversight } from './policies';

const person = (roles: Role[], institution: string | null = 'kyoto-u'): Identity => ({
  id: 'u1',
  institution,
  organization: null,
  affiliation: 'academic',
  roles,
});

describe('oversight of ¥10M+ equipment', () => {
  it('lets funders and administrators see any institution and the nation', () => {
    for (const role of ['FUNDER', 'ADMIN'] as const) {
      expect(canOversee(person([role], null), 'tohoku-u')).toBe(true);
      expect(canOversee(person([role], null), null)).toBe(true);
    }
  });

  it('lets a facility office see its own institution only, never the nation', () => {
    const office = person(['FACILITY_MANAGER'], 'kyoto-u');
    expect(canOversee(office, 'kyoto-u')).toBe(true);
    expect(canOversee(office, 'tohoku-u')).toBe(false);
    expect(canOversee(office, null)).toBe(false);
  });

  it('refuses researchers with FORBIDDEN and anonymous callers with UNAUTHENTICATED', () => {
    expect(() => requireOversight(person(['RESEARCHER']), 'kyoto-u')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => requireOversight(null, 'kyoto-u')).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });
});
