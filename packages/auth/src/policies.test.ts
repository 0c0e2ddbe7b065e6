import { describe, expect, it } from 'vitest';
import type { Identity, Role } from './identity';
import { canGrantRole, canOversee, requireOversight, requireRoleGrantor, requireRoleReader } from './policies';

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

describe('granting roles (Kyoyo keeps them; the identity provider says only who someone is)', () => {
  it('lets an administrator grant any role, anywhere', () => {
    const admin = person(['ADMIN'], null);
    for (const grant of [
      { role: 'ADMIN', institution: null },
      { role: 'FUNDER', institution: null },
      { role: 'FACILITY_MANAGER', institution: 'tohoku-u' },
      { role: 'INSTITUTION_ADMIN', institution: 'kyoto-u' },
    ] as const)
      expect(canGrantRole(admin, grant)).toBe(true);
  });

  it('lets an institution administrator grant its own institution’s office roles, and nothing else', () => {
    const own = person(['INSTITUTION_ADMIN'], 'kyoto-u');
    expect(canGrantRole(own, { role: 'FACILITY_MANAGER', institution: 'kyoto-u' })).toBe(true);
    expect(canGrantRole(own, { role: 'INSTITUTION_ADMIN', institution: 'kyoto-u' })).toBe(true);
    expect(canGrantRole(own, { role: 'FACILITY_MANAGER', institution: 'tohoku-u' })).toBe(false);
    expect(canGrantRole(own, { role: 'ADMIN', institution: null })).toBe(false);
    expect(canGrantRole(own, { role: 'FUNDER', institution: null })).toBe(false);
    expect(canGrantRole(own, { role: 'RESEARCHER', institution: null })).toBe(false);
    // Without a home institution the role holds nowhere.
    expect(canGrantRole(person(['INSTITUTION_ADMIN'], null), { role: 'FACILITY_MANAGER', institution: 'kyoto-u' })).toBe(false);
  });

  it('refuses a facility office, a funder and a researcher with FORBIDDEN, anonymous callers with UNAUTHENTICATED', () => {
    const grant = { role: 'FACILITY_MANAGER', institution: 'kyoto-u' } as const;
    for (const role of ['FACILITY_MANAGER', 'FUNDER', 'RESEARCHER'] as const)
      expect(() => requireRoleGrantor(person([role], 'kyoto-u'), grant)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => requireRoleGrantor(null, grant)).toThrow(expect.objectContaining({ code: 'UNAUTHENTICATED' }));
  });

  it('lets an institution administrator read its own institution’s grants only, an administrator all', () => {
    expect(requireRoleReader(person(['INSTITUTION_ADMIN'], 'kyoto-u'), 'kyoto-u').id).toBe('u1');
    expect(() => requireRoleReader(person(['INSTITUTION_ADMIN'], 'kyoto-u'), 'tohoku-u')).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
    expect(() => requireRoleReader(person(['INSTITUTION_ADMIN'], 'kyoto-u'), null)).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
    expect(requireRoleReader(person(['ADMIN'], null), null).id).toBe('u1');
  });
});
