import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryRepository } from '@kyoyo/gateway';
import { startFederation, uniqueCode, type TestFederation, type TestInstitution } from './support/federation';

/**
 * During a rolling upgrade the gateway may ask a not-yet-upgraded service for a field it does not have; the
 * service refuses the whole document (HTTP 400, GRAPHQL_VALIDATION_FAILED). That institution is unavailable
 * for that request — listed like one that timed out — and the rest of the federation still answers.
 */

const SEARCH = `query { searchInstruments(first: 20) { totalCount unavailableInstitutions { code } staleInstitutions { code } } }`;

const east: TestInstitution = {
  code: uniqueCode('east'),
  name: '東大学',
  prefecture: '宮城県',
  location: { latitude: 38.25, longitude: 140.85 },
};
const old: TestInstitution = {
  code: uniqueCode('old'),
  name: '旧大学',
  prefecture: '京都府',
  location: { latitude: 35.02, longitude: 135.78 },
};

describe('an institution on an older service version', () => {
  let federation: TestFederation;
  let older: Server;

  beforeAll(async () => {
    federation = await startFederation([east, old], { gateway: { staleAfterMs: 1_000 } });
    // Stands in for the older service: every document fails validation, as an unknown field does.
    older = createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [
            {
              message: 'Cannot query field "newField" on type "Instrument".',
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            },
          ],
        }),
      );
    });
    await new Promise<void>((resolve) => older.listen(0, '127.0.0.1', resolve));
    const address = older.address();
    if (typeof address !== 'object' || !address) throw new Error('no address');
    await new RegistryRepository(federation.gatewayDatabase.db).upsert({
      ...old,
      nameEn: null,
      serviceUrl: `http://127.0.0.1:${address.port}`,
    });
    await federation.gateway.probe();
  });

  afterAll(async () => {
    await federation?.stop();
    await new Promise((resolve) => older?.close(resolve));
  });

  it('is listed as unavailable (or, once harvested, stale) while search answers from the catalogue', async () => {
    type Answer = {
      searchInstruments: {
        totalCount: number;
        unavailableInstitutions: { code: string }[];
        staleInstitutions: { code: string }[];
      };
    };
    const listed = (a: Answer) => [
      ...a.searchInstruments.unavailableInstitutions.map((i) => i.code),
      ...a.searchInstruments.staleInstitutions.map((i) => i.code),
    ];
    let answer = await federation.query<Answer>(SEARCH);
    // Its feed cannot be read any more; if its first listing was harvested before the swap, it turns stale.
    for (let tries = 0; tries < 50 && answer.data && listed(answer.data).length === 0; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      answer = await federation.query<Answer>(SEARCH);
    }
    expect(answer.errors).toBeUndefined();
    expect(listed(answer.data!)).toEqual([old.code]);
    const [state] = await federation.gatewayDatabase.sql<{ last_error: string | null }[]>`
      SELECT last_error FROM catalogue_harvest WHERE institution = ${old.code}`;
    expect(state?.last_error).toMatch(/does not understand/);
  });
});
