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
  federation = await startFederation([up, down], { timeoutMs: 500, gateway: { staleAfterMs: 1_000 } });
  const admin = await federation.token({ id: 'admin', roles: ['ADMIN'] });
  for (const [institution, name] of [
    [up.code, 'X線回折装置'],
    [down.code, 'X線光電子分光装置'],
  ]) {
    const answer = await federation.query(
      'mutation ($input: InstrumentInput!) { upsertInstrument(input: $input) { id } }',
      { input: { institution, localId: 'U-1', name, category: 'XRD' } },
      admin,
    );
    expect(answer.errors).toBeUndefined();
  }
  await federation.gateway.harvester!.settle();
  await federation.services.get(down.code)!.app.stop();
});

afterAll(() => federation?.stop());

describe('a federation with one institution down', () => {
  it('keeps the down institution searchable from the catalogue, listed stale with its "as of" time', async () => {
    type Search = {
      searchInstruments: {
        edges: { node: { name: string } }[];
        unavailableInstitutions: { code: string }[];
        staleInstitutions: { code: string; health: string; catalogueCurrentTo: string | null }[];
      };
    };
    const ask = () =>
      federation.query<Search>(
        '{ searchInstruments(query: "x線") { edges { node { name } } unavailableInstitutions { code } staleInstitutions { code health catalogueCurrentTo } } }',
      );
    let answer = await ask();
    // Past the freshness threshold (1 s here) the down institution is named, with the time it is current to.
    for (let tries = 0; tries < 50 && answer.data?.searchInstruments.staleInstitutions.length === 0; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      answer = await ask();
    }
    expect(answer.errors).toBeUndefined();
    const result = answer.data!.searchInstruments;
    expect(result.edges.map((e) => e.node.name).sort()).toEqual(['X線光電子分光装置', 'X線回折装置'].sort());
    expect(result.unavailableInstitutions).toEqual([]);
    expect(result.staleInstitutions).toEqual([{ code: down.code, health: 'DOWN', catalogueCurrentTo: expect.any(String) }]);
    expect(Date.parse(result.staleInstitutions[0]!.catalogueCurrentTo!)).toBeLessThan(Date.now() - 1_000);
  });

  it('answers INSTITUTION_UNAVAILABLE for a quote on the down institution’s instrument found in search', async () => {
    const researcher = await federation.token({ id: 'r1', institution: up.code });
    const found = await federation.query<{ searchInstruments: { edges: { node: { id: string } }[] } }>(
      '{ searchInstruments(query: "光電子") { edges { node { id } } } }',
    );
    const id = found.data!.searchInstruments.edges[0]!.node.id;
    const quote = await federation.query(
      `query ($id: ID!) { quoteBooking(input: { instrumentId: $id, start: "2031-01-06T01:00:00Z", end: "2031-01-06T02:00:00Z", mode: SELF, purpose: "XPS" }) { billableMinutes } }`,
      { id },
      researcher,
    );
    expect(quote.errors?.[0]?.extensions?.code).toBe('INSTITUTION_UNAVAILABLE');
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
