import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFederation, uniqueCode, type TestFederation } from './support/federation';

const up = { code: uniqueCode('up'), name: '稼働大学', prefecture: '東京都', location: { latitude: 35.71, longitude: 139.76 } };
const down = {
  code: uniqueCode('down'),
  name: '停止大学',
  prefecture: '大阪府',
  location: { latitude: 34.82, longitude: 135.52 },
};

let federation: TestFederation;

beforeAll(async () => {
  federation = await startFederation([up, down], { timeoutMs: 500 });
  const office = await federation.token({ id: 'office', institution: up.code, roles: ['FACILITY_MANAGER'] });
  const answer = await federation.query(
    'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }',
    { input: { institution: up.code, localId: 'U-1', name: 'X線回折装置', category: 'XRD' } },
    office,
  );
  expect(answer.errors).toBeUndefined();
  await federation.services.get(down.code)!.app.stop();
});

afterAll(() => federation?.stop());

describe('a federation with one institution down', () => {
  it('still answers a search from the others and names the one that did not answer', async () => {
    const answer = await federation.query<{
      searchInstruments: {
        totalCount: number;
        edges: { node: { name: string } }[];
        unavailableInstitutions: { code: string; health: string }[];
      };
    }>('{ searchInstruments(query: "x線") { totalCount edges { node { name } } unavailableInstitutions { code health } } }');
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.searchInstruments.edges.map((e) => e.node.name)).toEqual(['X線回折装置']);
    expect(answer.data!.searchInstruments.unavailableInstitutions).toEqual([{ code: down.code, health: 'DOWN' }]);
  });

  it('shows the down institution as DOWN in the institution list', async () => {
    const answer = await federation.query<{ institutions: { code: string; health: string }[] }>(
      '{ institutions { code health } }',
    );
    const mine = answer.data!.institutions.filter((i) => [up.code, down.code].includes(i.code));
    expect(mine).toHaveLength(2);
    expect(mine).toEqual(
      expect.arrayContaining([
        { code: down.code, health: 'DOWN' },
        { code: up.code, health: 'UP' },
      ]),
    );
  });

  it('answers INSTITUTION_UNAVAILABLE for an instrument of the down institution', async () => {
    const id = Buffer.from(`Instrument:${down.code}:1`).toString('base64url');
    const answer = await federation.query('query ($id: ID!) { instrument(id: $id) { id } }', { id });
    expect(answer.errors?.[0]?.extensions?.code).toBe('INSTITUTION_UNAVAILABLE');
  });
});
