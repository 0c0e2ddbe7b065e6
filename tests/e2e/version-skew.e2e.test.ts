import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryRepository } from '@kyoyo/gateway';
import { startFederation, uniqueCode, type TestFederation, type TestInstitution } from './support/federation';

/**
 * During a rolling upgrade the gateway may ask a not-yet-upgraded service for a field it does not have; the
 * service refuses the whole document (HTTP 400, GRAPHQL_VALIDATION_FAILED). That institution is unavailable
 * for that request — listed like one that timed out — and the rest of the federation still answers.
 */

const SEARCH = `query { searchInstruments(first: 20) { totalCount unavailableInstitutions { code } } }`;

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
    federation = await startFederation([east, old]);
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

  it('is listed as unavailable while the others answer', async () => {
    const answer = await federation.query<{
      searchInstruments: { totalCount: number; unavailableInstitutions: { code: string }[] };
    }>(SEARCH);
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.searchInstruments.unavailableInstitutions.map((i) => i.code)).toEqual([old.code]);
  });
});
