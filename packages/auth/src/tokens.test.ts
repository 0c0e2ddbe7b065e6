import { SignJWT, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { DomainError, ErrorCode } from '@kyoyo/domain';
import { parsePublicKeySet, verificationKeyFor } from './key-set';
import { ALG, createKeyPair, type KeyPair } from './keys';
import { GATEWAY_ISSUER, signServiceToken, verifyServiceToken, type ServiceCallClaims } from './tokens';

const call: ServiceCallClaims = {
  identity: { id: 'u-1', institution: 'kyoto-u', organization: null, affiliation: 'academic', roles: ['RESEARCHER'] },
  requestId: 'rid-1',
};

let a: KeyPair;
let b: KeyPair;
let c: KeyPair;

beforeAll(async () => {
  [a, b, c] = await Promise.all([createKeyPair(), createKeyPair(), createKeyPair()]).then((pairs) => pairs.map((p) => p.pair));
});

/** The verification key a service builds from this configuration text. */
const keyFrom = (value: unknown) => verificationKeyFor(parsePublicKeySet(JSON.stringify(value), { allowPrivate: false }));

async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return error instanceof DomainError ? error.code : `not a DomainError: ${String(error)}`;
  }
  return undefined;
}

/** A gateway token signed with `key` and no `kid` header (a gateway that names no key). */
function tokenWithoutKid(key: KeyPair, institution: string): Promise<string> {
  return new SignJWT({ sub: 'anonymous', anon: true, rid: 'no-kid' })
    .setProtectedHeader({ alg: ALG, typ: 'JWT' })
    .setIssuer(GATEWAY_ISSUER)
    .setAudience(institution)
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(key.privateKey);
}

describe('gateway → service tokens', () => {
  it('name the signing key by its kid in the header', async () => {
    const token = await signServiceToken(call, 'tohoku-u', a);
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(header).toMatchObject({ alg: 'EdDSA', kid: a.kid });
  });

  it('signed with either key of a rotation set {A, B} are accepted, with their claims', async () => {
    const both = await keyFrom({ keys: [a.publicJwk, b.publicJwk] });
    await expect(verifyServiceToken(await signServiceToken(call, 'tohoku-u', a), both, 'tohoku-u')).resolves.toEqual(call);
    await expect(verifyServiceToken(await signServiceToken(call, 'tohoku-u', b), both, 'tohoku-u')).resolves.toEqual(call);
  });

  it('signed with a key outside the set are refused as UNAUTHENTICATED', async () => {
    const both = await keyFrom({ keys: [a.publicJwk, b.publicJwk] });
    expect(await refusal(verifyServiceToken(await signServiceToken(call, 'tohoku-u', c), both, 'tohoku-u'))).toBe(
      ErrorCode.UNAUTHENTICATED,
    );
  });

  it('signed with C but naming A’s kid are refused (the signature decides, not the header)', async () => {
    const both = await keyFrom({ keys: [a.publicJwk, b.publicJwk] });
    const forged = await signServiceToken(call, 'tohoku-u', { ...c, kid: a.kid });
    expect(await refusal(verifyServiceToken(forged, both, 'tohoku-u'))).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('for another institution are refused even when signed with a key of the set', async () => {
    const both = await keyFrom({ keys: [a.publicJwk, b.publicJwk] });
    expect(await refusal(verifyServiceToken(await signServiceToken(call, 'kyoto-u', b), both, 'tohoku-u'))).toBe(
      ErrorCode.UNAUTHENTICATED,
    );
  });

  it('verify against a single JWK as before, and a single JWK without kid accepts the gateway’s kid-naming tokens', async () => {
    const single = await keyFrom(a.publicJwk);
    await expect(verifyServiceToken(await signServiceToken(call, 'tohoku-u', a), single, 'tohoku-u')).resolves.toEqual(call);
    expect(await refusal(verifyServiceToken(await signServiceToken(call, 'tohoku-u', b), single, 'tohoku-u'))).toBe(
      ErrorCode.UNAUTHENTICATED,
    );
    const { kid: _kid, ...withoutKid } = a.publicJwk as JWK & { kid: string };
    const anonymousKey = await keyFrom(withoutKid);
    await expect(verifyServiceToken(await signServiceToken(call, 'tohoku-u', a), anonymousKey, 'tohoku-u')).resolves.toEqual(
      call,
    );
  });

  it('without a kid verify against a one-key set, but not against a set of two (the key cannot be chosen)', async () => {
    const token = await tokenWithoutKid(a, 'tohoku-u');
    await expect(verifyServiceToken(token, await keyFrom({ keys: [a.publicJwk] }), 'tohoku-u')).resolves.toEqual({
      identity: null,
      requestId: 'no-kid',
    });
    const both = await keyFrom({ keys: [a.publicJwk, b.publicJwk] });
    expect(await refusal(verifyServiceToken(token, both, 'tohoku-u'))).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('are refused by a service once the old key has left its set', async () => {
    const nextOnly = await keyFrom({ keys: [b.publicJwk] });
    expect(await refusal(verifyServiceToken(await signServiceToken(call, 'tohoku-u', a), nextOnly, 'tohoku-u'))).toBe(
      ErrorCode.UNAUTHENTICATED,
    );
    await expect(verifyServiceToken(await signServiceToken(call, 'tohoku-u', b), nextOnly, 'tohoku-u')).resolves.toEqual(call);
  });
});
