import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '@kyoyo/auth';
import { connect, violatedConstraint, type Database } from '@kyoyo/db';
import { createTestDatabase } from '@kyoyo/test-kit';
import { gatewayMigrationsFolder } from '../db/migrations';
import * as gatewaySchema from '../db/schema';
import { EffectiveRoles } from './effective-roles';
import { RoleGrantsRepository } from './role-grants.repository';

let database: Database<typeof gatewaySchema>;
let grants: RoleGrantsRepository;

beforeAll(async () => {
  database = connect(await createTestDatabase(gatewayMigrationsFolder), gatewaySchema, { max: 4 });
  grants = new RoleGrantsRepository(database.db);
});

afterAll(() => database?.close());

const office = (subject: string, institution = 'tohoku-u') =>
  ({ subject, role: 'FACILITY_MANAGER', institution, agency: null, note: null, grantedBy: 'admin-1' }) as const;

const person = (id: string, institution: string | null, roles: Identity['roles'] = []): Identity => ({
  id,
  institution,
  organization: null,
  affiliation: 'academic',
  roles,
});

describe('role grants', () => {
  it('records a grant once: granting it again, even at the same moment, answers the active one', async () => {
    const results = await Promise.all([1, 2, 3, 4].map(() => grants.grant(office('twice@tohoku.ac.jp'))));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.grant.id)).size).toBe(1);
    expect(await grants.list({ subject: 'twice@tohoku.ac.jp', includeRevoked: true }, 10)).toHaveLength(1);
  });

  it('keeps a revoked grant as history, and a new grant of the same role is a new row', async () => {
    const { grant: first } = await grants.grant(office('hist@tohoku.ac.jp'));
    const revoked = await grants.revoke(first.id, 'admin-2', '異動');
    expect(revoked).toMatchObject({ id: first.id, revokedBy: 'admin-2', revokeNote: '異動' });
    expect(revoked!.revokedAt).toBeInstanceOf(Date);
    expect(await grants.revoke(first.id, 'admin-3', null), 'a second revocation changes nothing').toBeNull();
    expect((await grants.findById(first.id))?.revokedBy).toBe('admin-2');

    const { grant: again, created } = await grants.grant(office('hist@tohoku.ac.jp'));
    expect(created).toBe(true);
    expect(again.id).not.toBe(first.id);
    expect((await grants.list({ subject: 'hist@tohoku.ac.jp' }, 10)).map((g) => g.id)).toEqual([again.id]);
    expect((await grants.list({ subject: 'hist@tohoku.ac.jp', includeRevoked: true }, 10)).map((g) => g.id)).toEqual([
      again.id,
      first.id,
    ]);
  });

  it('refuses, in the database too, a grant scoped other than its role requires', async () => {
    const insert = (values: Record<string, unknown>) =>
      database.sql`INSERT INTO role_grants (subject, role, institution, agency, granted_by)
        VALUES (${values.subject as string}, ${values.role as string}, ${(values.institution as string) ?? null},
                ${(values.agency as string) ?? null}, 'x')`.execute();
    for (const values of [
      { subject: 's', role: 'FACILITY_MANAGER' },
      { subject: 's', role: 'ADMIN', institution: 'tohoku-u' },
      { subject: 's', role: 'FUNDER' },
      { subject: 's', role: 'GOD' },
    ]) {
      const error = await insert(values).then(
        () => null,
        (e: unknown) => e,
      );
      expect(violatedConstraint(error), JSON.stringify(values)).toMatch(/^role_grants_(scope|role)$/);
    }
  });
});

describe('effective roles', () => {
  it('adds the grants that apply: an office role only at the holder’s home institution', async () => {
    await grants.grant(office('eff@tohoku.ac.jp', 'tohoku-u'));
    await grants.grant(office('eff@tohoku.ac.jp', 'kyoto-u'));
    await grants.grant({ ...office('eff@tohoku.ac.jp'), role: 'FUNDER', institution: null, agency: 'JSPS' });
    const effective = new EffectiveRoles(grants);
    expect((await effective.apply(person('eff@tohoku.ac.jp', 'tohoku-u', ['RESEARCHER']))).roles.sort()).toEqual([
      'FACILITY_MANAGER',
      'FUNDER',
      'RESEARCHER',
    ]);
    expect((await effective.apply(person('eff@tohoku.ac.jp', 'osaka-u'))).roles).toEqual(['FUNDER']);
    expect((await effective.apply(person('nobody@tohoku.ac.jp', 'tohoku-u', ['RESEARCHER']))).roles).toEqual(['RESEARCHER']);
  });

  it('reuses grants for the time it is given, and reads them again once told to forget', async () => {
    let now = 0;
    const effective = new EffectiveRoles(grants, { ttlMs: 5_000 }, () => now);
    const who = person('ttl@tohoku.ac.jp', 'tohoku-u');
    expect((await effective.apply(who)).roles).toEqual([]);
    const { grant } = await grants.grant(office('ttl@tohoku.ac.jp'));
    now = 4_999;
    expect((await effective.apply(who)).roles, 'still the grants read at 0').toEqual([]);
    now = 5_000;
    expect((await effective.apply(who)).roles).toEqual(['FACILITY_MANAGER']);
    await grants.revoke(grant.id, 'admin-1', null);
    effective.forget(who.id);
    expect((await effective.apply(who)).roles).toEqual([]);
  });

  it('keeps at most the number of people it is given, dropping the least recently read', async () => {
    const reads: string[] = [];
    const counted = { activeFor: (subject: string) => (reads.push(subject), grants.activeFor(subject)) };
    const effective = new EffectiveRoles(counted as unknown as RoleGrantsRepository, { maxEntries: 2 });
    for (const id of ['a', 'b', 'a', 'c']) await effective.apply(person(id, null));
    expect(reads).toEqual(['a', 'b', 'c']);
    // b was the least recently read when c came: it is read again, a and c are not.
    for (const id of ['a', 'c', 'b']) await effective.apply(person(id, null));
    expect(reads).toEqual(['a', 'b', 'c', 'b']);
  });
});
