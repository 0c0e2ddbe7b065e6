import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyPair, DEV_AUDIENCE, DEV_ISSUER, signIdentityToken, type KeyPair } from '@kyoyo/auth';
import { DomainError } from '@kyoyo/domain';
import { createAuthenticator, devIssuer, oidcIssuer } from './authenticator';

/** An identity provider: an RS256 key served as a JWKS over HTTP, as the academic federation's would be. */
const IDP = 'https://idp.example.ac.jp';
const AUDIENCE = 'kyoyo-national';
let idpKey: { privateKey: CryptoKey; kid: string };
let otherKey: { privateKey: CryptoKey };
let jwks: Server;
let jwksUrl: string;
let jwksRequests = 0;
let dev: KeyPair;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  idpKey = { privateKey: pair.privateKey, kid: 'idp-2026' };
  otherKey = await generateKeyPair('RS256');
  const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: idpKey.kid, alg: 'RS256', use: 'sig' };
  jwks = createServer((_req, res) => {
    jwksRequests += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`;
  dev = (await createKeyPair()).pair;
});

afterAll(() => new Promise<void>((resolve) => jwks.close(() => resolve())));

const claims = { sub: 'r-001', inst: 'tohoku-u', aff: 'academic', roles: ['RESEARCHER'] };

function idpToken(
  payload: JWTPayload = claims,
  { issuer = IDP, audience = AUDIENCE, expires = '5m', key = idpKey.privateKey, kid = idpKey.kid } = {},
): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(expires)
    .sign(key);
}

function authenticator() {
  return createAuthenticator([devIssuer(dev.publicKey), oidcIssuer(IDP, AUDIENCE, jwksUrl, { defaultRoles: ['RESEARCHER'] })]);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    return error instanceof DomainError ? error.code : `unexpected ${String(error)}`;
  }
}

describe('the gateway authenticator', () => {
  it('treats no Authorization header as an anonymous caller', async () => {
    expect(await authenticator()(undefined)).toBeNull();
  });

  it('accepts a token of the OIDC issuer, its keys fetched from the JWKS URL once', async () => {
    const authenticate = authenticator();
    const before = jwksRequests;
    expect(await authenticate(`Bearer ${await idpToken()}`)).toEqual({
      id: 'r-001',
      institution: 'tohoku-u',
      organization: null,
      affiliation: 'academic',
      roles: ['RESEARCHER'],
    });
    await authenticate(`Bearer ${await idpToken()}`);
    expect(jwksRequests - before).toBe(1);
  });

  it('takes what a person may do from Kyoyo, not from an OIDC token: its roles count only from an issuer trusted for them', async () => {
    const token = await idpToken({ ...claims, roles: ['ADMIN', 'FUNDER'] });
    const untrusted = createAuthenticator([oidcIssuer(IDP, AUDIENCE, jwksUrl)]);
    expect((await untrusted(`Bearer ${token}`))?.roles).toEqual([]);
    const campus = createAuthenticator([oidcIssuer(IDP, AUDIENCE, jwksUrl, { defaultRoles: ['RESEARCHER'] })]);
    expect((await campus(`Bearer ${token}`))?.roles).toEqual(['RESEARCHER']);
    const trusted = createAuthenticator([oidcIssuer(IDP, AUDIENCE, jwksUrl, { trustRoleClaims: true })]);
    expect((await trusted(`Bearer ${token}`))?.roles).toEqual(['ADMIN', 'FUNDER']);
  });

  it('leaves out role names it does not know rather than refusing the token (a newer issuer’s role grants nothing here)', async () => {
    const trusted = createAuthenticator([oidcIssuer(IDP, AUDIENCE, jwksUrl, { trustRoleClaims: true })]);
    expect((await trusted(`Bearer ${await idpToken({ ...claims, roles: ['GOD', 'RESEARCHER'] })}`))?.roles).toEqual([
      'RESEARCHER',
    ]);
  });

  it('accepts a token of the development issuer', async () => {
    const token = await signIdentityToken(
      { id: 'f-1', institution: null, organization: 'JSPS', affiliation: 'academic', roles: ['FUNDER'] },
      dev,
      { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, ttlSeconds: 60 },
    );
    expect((await authenticator()(`Bearer ${token}`))?.roles).toEqual(['FUNDER']);
  });

  it.each([
    ['a wrong issuer', () => idpToken(claims, { issuer: 'https://evil.example.com' })],
    ['a wrong audience', () => idpToken(claims, { audience: 'another-service' })],
    ['an expired token', () => idpToken(claims, { expires: '-1m' })],
    ['a bad signature (another key, same key id)', () => idpToken(claims, { key: otherKey.privateKey })],
    ['an unknown key id', () => idpToken(claims, { key: otherKey.privateKey, kid: 'unknown' })],
    ['claims that are not Kyoyo’s', () => idpToken({ sub: 'x', aff: 'alien' })],
    [
      'a tampered payload',
      async () => {
        const [header, , signature] = (await idpToken()).split('.');
        const payload = Buffer.from(JSON.stringify({ ...claims, roles: ['ADMIN'], iss: IDP, aud: AUDIENCE })).toString(
          'base64url',
        );
        return `${header}.${payload}.${signature}`;
      },
    ],
    [
      'an unsigned token (alg none)',
      () => {
        const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
        const now = Math.floor(Date.now() / 1000);
        return Promise.resolve(`${part({ alg: 'none' })}.${part({ ...claims, iss: IDP, aud: AUDIENCE, exp: now + 60 })}.`);
      },
    ],
    [
      'a development-issuer token signed by another machine’s development key',
      async () =>
        signIdentityToken(
          { id: 'a', institution: null, organization: null, affiliation: 'academic', roles: ['ADMIN'] },
          (await createKeyPair()).pair,
          { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, ttlSeconds: 60 },
        ),
    ],
    ['garbage', () => Promise.resolve('not-a-jwt')],
  ])('refuses %s with UNAUTHENTICATED', async (_case, token) => {
    expect(await codeOf(authenticator()(`Bearer ${await token()}`))).toBe('UNAUTHENTICATED');
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    expect(await codeOf(authenticator()('Basic dXNlcjpwYXNz'))).toBe('UNAUTHENTICATED');
    expect(await codeOf(authenticator()('Bearer'))).toBe('UNAUTHENTICATED');
  });

  it('refuses every token when the JWKS URL does not answer, rather than letting anyone in', async () => {
    const authenticate = createAuthenticator([oidcIssuer(IDP, AUDIENCE, 'http://127.0.0.1:9/jwks')]);
    expect(await codeOf(authenticate(`Bearer ${await idpToken()}`))).toBe('UNAUTHENTICATED');
  });

  it('reads Kyoyo’s claims from the names the provider gives them (OIDC_CLAIM_NAMES)', async () => {
    const authenticate = createAuthenticator([
      oidcIssuer(IDP, AUDIENCE, jwksUrl, {
        claimNames: { roles: 'kyoyo_roles', inst: 'kyoyo_institution', org: 'o' },
        trustRoleClaims: true,
      }),
    ]);
    const token = await idpToken({ sub: 'm-1', kyoyo_roles: ['FACILITY_MANAGER'], kyoyo_institution: 'kyoto-u', o: '京都大学' });
    expect(await authenticate(`Bearer ${token}`)).toEqual({
      id: 'm-1',
      institution: 'kyoto-u',
      organization: '京都大学',
      affiliation: 'academic',
      roles: ['FACILITY_MANAGER'],
    });
  });
});
