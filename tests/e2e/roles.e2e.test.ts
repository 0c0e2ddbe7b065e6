import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFederation, uniqueCode, type TestFederation } from './support/federation';

/**
 * The roles Kyoyo keeps (issue #22): people sign in through a campus issuer that says who they are (and makes
 * everyone a RESEARCHER); an administrator — the first one granted with `npm run roles` — grants the rest,
 * through the API, with history; a grant and a revocation apply from the person's next request.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const A = { code: uniqueCode('roles-a'), name: '甲大学', prefecture: '京都府', location: { latitude: 35.03, longitude: 135.78 } };
const B = { code: uniqueCode('roles-b'), name: '乙大学', prefecture: '宮城県', location: { latitude: 38.25, longitude: 140.84 } };

let federation: TestFederation;
const tokens: Record<string, string> = {};

const GRANT = `mutation ($input: RoleGrantInput!) {
  grantRole(input: $input) { id subject role institution { code } agency note grantedBy grantedAt revokedAt revokedBy revokeNote } }`;
const REVOKE = 'mutation ($id: ID!, $note: String) { revokeRole(id: $id, note: $note) { id revokedAt revokedBy revokeNote } }';
const UPSERT = 'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }';
const ME = '{ me { id roles roleGrants { role institution { code } } } }';

function runRoles(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'gateway/src/cli/roles.ts'), ...args],
      { cwd: root, env: { ...process.env, DATABASE_URL: federation.gatewayDatabaseUrl } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

const grantCount = async () => {
  const [row] = await federation.gatewayDatabase.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM role_grants`;
  return row!.n;
};

async function gql<T = Record<string, unknown>>(who: string, query: string, variables: Record<string, unknown> = {}) {
  return federation.query<T>(query, variables, tokens[who]);
}

const codes = (answer: { errors?: { extensions?: { code?: string; field?: string } }[] }) =>
  answer.errors?.map((e) => [e.extensions?.code, e.extensions?.field]);

beforeAll(async () => {
  federation = await startFederation([A, B], { campusDefaultRoles: ['RESEARCHER'] });
  const person = (id: string, institution: string) =>
    // Whatever a campus token claims of roles is not taken: it says who someone is, not what they may do.
    federation.campusToken({ id, institution, organization: institution, roles: ['ADMIN'] });
  tokens.operator = await person('operator@kyoyo.example', A.code);
  tokens.hanako = await person('hanako@a.ac.jp', A.code);
  tokens.jiro = await person('jiro@b.ac.jp', B.code);
  tokens.ichiro = await person('ichiro@a.ac.jp', A.code);
});
afterAll(() => federation?.stop());

describe('the first administrator', () => {
  it('is granted with npm run roles, which refuses bad input with exit code 2 and writes nothing', async () => {
    const before = await grantCount();
    for (const args of [
      ['grant', '--subject', 'operator@kyoyo.example', '--role', 'GOD'],
      ['grant', '--subject', 'operator@kyoyo.example', '--role', 'FACILITY_MANAGER'],
      ['grant', '--subject', 'x', '--role', 'FACILITY_MANAGER', '--institution', 'not-a-member'],
      ['revoke', '--id', 'nope'],
    ]) {
      const run = await runRoles(args);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(/^roles: BAD_USER_INPUT /);
    }
    expect(await grantCount()).toBe(before);

    expect((await gql<{ me: { roles: string[] } }>('operator', ME)).data?.me.roles).toEqual(['RESEARCHER']);
    const granted = await runRoles(['grant', '--subject', 'operator@kyoyo.example', '--role', 'ADMIN', '--note', '初代']);
    expect(granted.code, granted.stderr).toBe(0);
    expect(granted.stdout).toMatch(/^granted: .*operator@kyoyo\.example\s+ADMIN/);
    const again = await runRoles(['grant', '--subject', 'operator@kyoyo.example', '--role', 'ADMIN']);
    expect(again.stdout).toMatch(/^already granted: /);
    expect(await grantCount()).toBe(before + 1);
    const listed = await runRoles(['list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({
        subject: 'operator@kyoyo.example',
        role: 'ADMIN',
        note: '初代',
        grantedBy: expect.stringMatching(/^cli:/),
      }),
    ]);
    // The CLI wrote to the database; the gateway reads a person's grants again within 5 s.
    await expect
      .poll(async () => (await gql<{ me: { roles: string[] } }>('operator', ME)).data?.me.roles, { timeout: 10_000 })
      .toEqual(['RESEARCHER', 'ADMIN']);
  });
});

describe('granting and revoking through the API', () => {
  let officeGrant = '';

  it('applies a grant from the next request: a facility office of A may manage A’s listings', async () => {
    const listing = { institution: A.code, localId: 'R-1', name: '役割試験装置', category: 'NMR' };
    expect(codes(await gql('hanako', UPSERT, { input: listing }))).toEqual([['FORBIDDEN', undefined]]);

    const granted = await gql<{ grantRole: { id: string } }>('operator', GRANT, {
      input: { subject: 'hanako@a.ac.jp', role: 'FACILITY_MANAGER', institution: A.code, note: '共用推進室' },
    });
    expect(granted.errors).toBeUndefined();
    expect(granted.data?.grantRole).toMatchObject({
      subject: 'hanako@a.ac.jp',
      role: 'FACILITY_MANAGER',
      institution: { code: A.code },
      note: '共用推進室',
      grantedBy: 'operator@kyoyo.example',
      revokedAt: null,
    });
    officeGrant = granted.data!.grantRole.id;
    expect((await gql<{ me: unknown }>('hanako', ME)).data?.me).toEqual({
      id: 'hanako@a.ac.jp',
      roles: ['RESEARCHER', 'FACILITY_MANAGER'],
      roleGrants: [{ role: 'FACILITY_MANAGER', institution: { code: A.code } }],
    });
    expect((await gql('hanako', UPSERT, { input: listing })).errors).toBeUndefined();
  });

  it('lets an institution administrator grant its own office roles, and nothing beyond them', async () => {
    const admin = await gql<{ grantRole: { id: string } }>('operator', GRANT, {
      input: { subject: 'ichiro@a.ac.jp', role: 'INSTITUTION_ADMIN', institution: A.code },
    });
    expect(admin.errors).toBeUndefined();
    const own = await gql('ichiro', GRANT, {
      input: { subject: 'saburo@a.ac.jp', role: 'FACILITY_MANAGER', institution: A.code },
    });
    expect(own.errors).toBeUndefined();
    const before = await grantCount();
    for (const input of [
      { subject: 'saburo@a.ac.jp', role: 'FACILITY_MANAGER', institution: B.code },
      { subject: 'saburo@a.ac.jp', role: 'ADMIN' },
      { subject: 'saburo@a.ac.jp', role: 'FUNDER', agency: 'JSPS' },
    ]) {
      expect(codes(await gql('ichiro', GRANT, { input })), JSON.stringify(input)).toEqual([['FORBIDDEN', undefined]]);
    }
    expect(codes(await gql('ichiro', '{ roleGrants { id } }'))).toEqual([['FORBIDDEN', undefined]]);
    const mine = await gql<{ roleGrants: { subject: string }[] }>(
      'ichiro',
      'query ($i: ID) { roleGrants(institution: $i) { subject } }',
      {
        i: A.code,
      },
    );
    expect(mine.data?.roleGrants.map((g) => g.subject).sort()).toEqual(['hanako@a.ac.jp', 'ichiro@a.ac.jp', 'saburo@a.ac.jp']);
    expect(await grantCount()).toBe(before);
  });

  it('does not apply an office role at an institution that is not the holder’s home', async () => {
    const granted = await gql('operator', GRANT, {
      input: { subject: 'jiro@b.ac.jp', role: 'FACILITY_MANAGER', institution: A.code },
    });
    expect(granted.errors).toBeUndefined();
    expect((await gql<{ me: { roles: string[] } }>('jiro', ME)).data?.me.roles).toEqual(['RESEARCHER']);
    const listing = { institution: A.code, localId: 'R-2', name: '他大学の装置', category: 'NMR' };
    expect(codes(await gql('jiro', UPSERT, { input: listing }))).toEqual([['FORBIDDEN', undefined]]);
  });

  it('refuses bad grants and revocations with a coded error on the field at fault, and writes nothing', async () => {
    const before = await grantCount();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ subject: ' ', role: 'ADMIN' }, 'BAD_USER_INPUT', 'input.subject'],
      [{ subject: 'x'.repeat(201), role: 'ADMIN' }, 'BAD_USER_INPUT', 'input.subject'],
      [{ subject: 's@a.ac.jp', role: 'FACILITY_MANAGER' }, 'BAD_USER_INPUT', 'input.institution'],
      [{ subject: 's@a.ac.jp', role: 'FACILITY_MANAGER', institution: 'e2e-nowhere' }, 'BAD_USER_INPUT', 'input.institution'],
      [{ subject: 's@a.ac.jp', role: 'ADMIN', institution: A.code }, 'BAD_USER_INPUT', 'input.institution'],
      [{ subject: 's@a.ac.jp', role: 'FUNDER' }, 'BAD_USER_INPUT', 'input.agency'],
      [{ subject: 's@a.ac.jp', role: 'RESEARCHER', agency: 'JSPS' }, 'BAD_USER_INPUT', 'input.agency'],
      [{ subject: 's@a.ac.jp', role: 'ADMIN', note: 'n'.repeat(501) }, 'BAD_USER_INPUT', 'input.note'],
    ];
    for (const [input, code, field] of cases) {
      expect(codes(await gql('operator', GRANT, { input })), JSON.stringify(input)).toEqual([[code, field]]);
    }
    // Not a Role at all: the schema refuses it before anything runs.
    expect(codes(await gql('operator', GRANT, { input: { subject: 's', role: 'GOD' } }))?.[0]?.[0]).toBe('BAD_USER_INPUT');
    expect(codes(await gql('operator', REVOKE, { id: 'not-a-grant' }))).toEqual([['BAD_USER_INPUT', 'id']]);
    expect(codes(await gql('operator', REVOKE, { id: '00000000-0000-4000-8000-000000000000' }))).toEqual([['NOT_FOUND', 'id']]);
    expect(codes(await gql('operator', 'query { roleGrants(first: 0) { id } }'))).toEqual([['BAD_USER_INPUT', 'first']]);
    expect(codes(await gql('hanako', REVOKE, { id: officeGrant }))).toEqual([['FORBIDDEN', undefined]]);
    expect(codes(await federation.query(REVOKE, { id: officeGrant }))).toEqual([['UNAUTHENTICATED', undefined]]);
    expect(await grantCount()).toBe(before);
  });

  it('ends a grant on revocation, at once, and keeps it in the history with who revoked it', async () => {
    const revoked = await gql<{ revokeRole: Record<string, unknown> }>('operator', REVOKE, { id: officeGrant, note: '異動' });
    expect(revoked.errors).toBeUndefined();
    expect(revoked.data?.revokeRole).toMatchObject({ revokedBy: 'operator@kyoyo.example', revokeNote: '異動' });
    const listing = { institution: A.code, localId: 'R-3', name: '失効後の装置', category: 'NMR' };
    expect(codes(await gql('hanako', UPSERT, { input: listing }))).toEqual([['FORBIDDEN', undefined]]);
    expect(codes(await gql('operator', REVOKE, { id: officeGrant }))).toEqual([['BAD_USER_INPUT', 'id']]);

    await gql('operator', GRANT, { input: { subject: 'hanako@a.ac.jp', role: 'FACILITY_MANAGER', institution: A.code } });
    const history = await gql<{ roleGrants: { id: string; revokedBy: string | null }[] }>(
      'operator',
      'query ($s: ID) { roleGrants(subject: $s, includeRevoked: true) { id revokedBy } }',
      { s: 'hanako@a.ac.jp' },
    );
    expect(history.data?.roleGrants).toEqual([
      { id: expect.any(String), revokedBy: null },
      { id: officeGrant, revokedBy: 'operator@kyoyo.example' },
    ]);
    const active = await gql<{ roleGrants: unknown[] }>('operator', 'query ($s: ID) { roleGrants(subject: $s) { id } }', {
      s: 'hanako@a.ac.jp',
    });
    expect(active.data?.roleGrants).toHaveLength(1);
  });
});
