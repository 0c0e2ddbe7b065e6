import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFederation, uniqueCode, type TestFederation } from './support/federation';

/**
 * SIGTERM drains a real service process: a request that is in flight when the signal comes is still answered,
 * then the process exits cleanly (code 0). The request is held in flight by a lock on the service's database
 * that this test takes and lets go.
 */
const drained = {
  code: uniqueCode('drain'),
  name: '排水大学',
  prefecture: '京都府',
  location: { latitude: 35.03, longitude: 135.78 },
};

let federation: TestFederation;

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

beforeAll(async () => {
  federation = await startFederation([drained], { processes: [drained.code] });
  const office = await federation.token({ id: 'office', institution: drained.code, roles: ['FACILITY_MANAGER'] });
  const listed = await federation.query(
    'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }',
    { input: { institution: drained.code, localId: 'NMR-1', name: '核磁気共鳴装置 NMR', category: 'NMR' } },
    office,
  );
  expect(listed.errors).toBeUndefined();
});

afterAll(() => federation?.stop());

describe('SIGTERM', () => {
  it('lets the request in flight finish, then the process exits with 0', async () => {
    const service = federation.services.get(drained.code)!;
    const sql = service.database.sql;
    const release = deferred();
    const locked = deferred();
    const holder = sql.begin(async (tx) => {
      await tx`LOCK TABLE instruments IN ACCESS EXCLUSIVE MODE`;
      locked.resolve();
      await release.promise;
    });
    await locked.promise;
    const search = federation.query<{ searchInstruments: { totalCount: number; unavailableInstitutions: { code: string }[] } }>(
      '{ searchInstruments(query: "NMR") { totalCount unavailableInstitutions { code } } }',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exit = service.process!.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    release.resolve();
    await holder;
    const answer = await search;
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.searchInstruments).toEqual({ totalCount: 1, unavailableInstitutions: [] });
    expect(await exit).toEqual({ code: 0, signal: null });
  });
});
