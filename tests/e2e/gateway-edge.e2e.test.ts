import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALG, createKeyPair, GATEWAY_ISSUER, signServiceToken } from '@kyoyo/auth';
import { startFederation, uniqueCode, type TestFederation } from './support/federation';

/**
 * The gateway's edge and the services behind it: services answer only the gateway's signed calls, every
 * process answers /healthz and /readyz, a request id follows a call into every institution's log, rate
 * limits answer 429, and production mode hides the schema.
 */
const a = {
  code: uniqueCode('edge-a'),
  name: '境界大学',
  prefecture: '東京都',
  location: { latitude: 35.71, longitude: 139.76 },
};
const b = { code: uniqueCode('edge-b'), name: '端大学', prefecture: '大阪府', location: { latitude: 34.82, longitude: 135.52 } };

const lines: Record<string, unknown>[] = [];
let federation: TestFederation;

beforeAll(async () => {
  federation = await startFederation([a, b], { log: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
});

afterAll(() => federation?.stop());

const serviceUrl = (code: string) => federation.services.get(code)!.url;

async function callService(code: string, authorization?: string) {
  const response = await fetch(`${serviceUrl(code)}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query: '{ institution { instrumentCount } }' }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code, data: body.data };
}

describe('an institution service reached without the gateway', () => {
  it('answers 401 and no data to a caller with no token, a user’s token, or a token not signed by the gateway for it', async () => {
    const user = await federation.token({ id: 'u-1', institution: a.code, roles: ['ADMIN'] });
    const forger = (await createKeyPair()).pair;
    const call = { identity: null, requestId: 'direct' };
    const expired = await new SignJWT({ sub: 'anonymous', anon: true, rid: 'x' })
      .setProtectedHeader({ alg: ALG, kid: federation.gatewayKey.kid })
      .setIssuer(GATEWAY_ISSUER)
      .setAudience(a.code)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 540)
      .sign(federation.gatewayKey.privateKey);
    const attempts = {
      none: undefined,
      'a user token': `Bearer ${user}`,
      'signed by another key': `Bearer ${await signServiceToken(call, a.code, forger)}`,
      'signed for another institution': `Bearer ${await signServiceToken(call, b.code, federation.gatewayKey)}`,
      expired: `Bearer ${expired}`,
      'not a bearer token': 'Basic YTpi',
    };
    for (const [name, authorization] of Object.entries(attempts)) {
      const answer = await callService(a.code, authorization);
      expect({ name, ...answer }).toEqual({ name, status: 401, code: 'UNAUTHENTICATED', data: undefined });
    }
    const genuine = await callService(a.code, `Bearer ${await signServiceToken(call, a.code, federation.gatewayKey)}`);
    expect(genuine).toMatchObject({ status: 200, data: { institution: { instrumentCount: 0 } } });
  });
});

describe('health', () => {
  it('every process answers /healthz and /readyz with JSON', async () => {
    const base = federation.gatewayUrl.replace(/\/graphql$/, '');
    for (const url of [base, serviceUrl(a.code), serviceUrl(b.code)]) {
      const healthz = await fetch(`${url}/healthz`);
      expect(healthz.status).toBe(200);
      expect(await healthz.json()).toMatchObject({ status: 'ok' });
      const readyz = await fetch(`${url}/readyz`);
      expect(readyz.status).toBe(200);
      expect(await readyz.json()).toMatchObject({ status: 'ready', database: 'up' });
    }
    const gatewayReady = (await (await fetch(`${base}/readyz`)).json()) as { institutions: { code: string; health: string }[] };
    expect(gatewayReady.institutions).toEqual(
      expect.arrayContaining([
        { code: a.code, health: 'UP' },
        { code: b.code, health: 'UP' },
      ]),
    );
  });
});

describe('request ids', () => {
  it('follow a request from the gateway into every institution’s log, and come back in x-request-id', async () => {
    const rid = `trace-${Date.now()}`;
    const response = await fetch(federation.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': rid },
      // Every member's live instrument count: a call to each (search itself reads the national catalogue).
      body: JSON.stringify({ query: '{ institutions { code instrumentCount } }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe(rid);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const traced = lines.filter((l) => l.rid === rid && l.msg === 'request');
    expect(traced.map((l) => l.service).sort()).toEqual(['gateway', `equipment:${a.code}`, `equipment:${b.code}`].sort());
    for (const line of traced) expect(line).toMatchObject({ level: 'info', path: '/graphql', status: 200 });
  });

  it('are made up when the caller sends none or an unusable one', async () => {
    const response = await fetch(federation.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'bad id with spaces' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('rate limits', () => {
  let limited: TestFederation;

  beforeAll(async () => {
    limited = await startFederation([{ ...a, code: uniqueCode('rate') }], {
      gateway: { rateLimits: { perUserPerMinute: 5, perAddressPerMinute: 12 } },
    });
  });

  afterAll(() => limited?.stop());

  it('answer 429 with Retry-After once a user, then an address, has spent its requests', async () => {
    const token = await limited.token({ id: 'busy-user' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await limited.query('{ me { id } }', {}, token)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await fetch(limited.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe(
      'LIMIT_EXCEEDED',
    );
    // another user from the same address still gets through, until the address has spent its 12
    const other = await limited.token({ id: 'other-user' });
    expect((await limited.query('{ me { id } }', {}, other)).status).toBe(200);
    const rest: number[] = [];
    for (let i = 0; i < 6; i += 1) rest.push((await limited.query('{ me { id } }')).status);
    expect(rest.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect((await fetch(limited.gatewayUrl.replace(/\/graphql$/, '/healthz'))).status).toBe(200);
  });
});

describe('admission control', () => {
  let guarded: TestFederation;
  const codes = [uniqueCode('adm-a'), uniqueCode('adm-b'), uniqueCode('adm-c')];

  beforeAll(async () => {
    guarded = await startFederation(
      codes.map((code) => ({ ...a, code })),
      // A tight time budget, so that piling 900 calls onto the institutions at once shows: without admission
      // control (try `{ timeoutMs: 400 }` alone) healthy institutions time out and are named unavailable.
      { gateway: { concurrency: { perAddress: 8, total: 32 } }, timeoutMs: 400 },
    );
  });

  afterAll(() => guarded?.stop());

  it('queues a burst of 300 searches from one address behind itself: every one answered whole, every institution still UP', async () => {
    const query = '{ searchInstruments(query: "顕微鏡", first: 20) { totalCount unavailableInstitutions { code } } }';
    const answers = await Promise.all(
      Array.from({ length: 300 }, () => guarded.query<{ searchInstruments: { unavailableInstitutions: unknown[] } }>(query)),
    );
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(answers.filter((answer) => answer.data?.searchInstruments.unavailableInstitutions.length !== 0)).toEqual([]);
    const health = await guarded.query<{ institutions: { health: string }[] }>('{ institutions { health } }');
    expect(health.data!.institutions.map((i) => i.health)).toEqual(['UP', 'UP', 'UP']);
  });
});

describe('production mode', () => {
  let production: TestFederation;

  beforeAll(async () => {
    production = await startFederation([{ ...a, code: uniqueCode('prod') }], { gateway: { production: true } });
  });

  afterAll(() => production?.stop());

  it('refuses introspection, suggests no field names and serves no query page', async () => {
    const introspection = await production.query('{ __schema { types { name } } }');
    expect(introspection.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const typo = await production.query('{ institution { code } }');
    expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
    expect(JSON.stringify(typo)).not.toContain('stacktrace');
    const page = await fetch(production.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('<html');
  });

  it('in development suggests names, so the difference is the mode', async () => {
    const typo = await federation.query('{ institution { code } }');
    expect(typo.errors?.[0]?.message).toMatch(/Did you mean "institutions"/);
    const page = await fetch(federation.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(await page.text()).toContain('<html');
  });
});
