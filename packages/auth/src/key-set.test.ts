import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidKeyError, parsePrivateJwk, parsePublicKeySet, publicJwkOf, verificationKeyFor } from './key-set';
import { createKeyPair } from './keys';
import type { JWK } from 'jose';

let privateA: JWK;
let privateB: JWK;
let publicA: JWK;
let publicB: JWK;

beforeAll(async () => {
  const [a, b] = await Promise.all([createKeyPair(), createKeyPair()]);
  ({ privateJwk: privateA } = a);
  ({ privateJwk: privateB } = b);
  publicA = a.pair.publicJwk;
  publicB = b.pair.publicJwk;
});

/** The message `parse` refuses with, or a note that it accepted. */
function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    if (error instanceof InvalidKeyError) return error.message;
    throw error;
  }
  return 'accepted';
}

const publicSet = (value: unknown, allowPrivate = false) => parsePublicKeySet(JSON.stringify(value), { allowPrivate });

describe('the gateway public keys a service is configured with', () => {
  it('may be one JWK or a JWK Set, and come back as public keys only', () => {
    expect(publicSet(publicA)).toEqual([publicA]);
    expect(publicSet({ keys: [publicA, publicB] })).toEqual([publicA, publicB]);
    expect(publicSet({ keys: [privateA, publicB] }, true)).toEqual([publicA, publicB]);
    expect(publicSet({ keys: [privateA] }, true)[0]).not.toHaveProperty('d');
  });

  it('refuse a private key unless allowed (production), naming the key and the command that prints the public one', () => {
    expect(refusal(() => publicSet(privateA))).toMatch(/^is a private key .*keys\.ts public --in FILE/);
    expect(refusal(() => publicSet({ keys: [publicA, privateB] }))).toContain(
      `is a JWK Set whose key 2 (kid "${privateB.kid}") is a private key`,
    );
  });

  it('refuse a set with no key, a set whose keys is not a list, and text that is not JSON', () => {
    expect(refusal(() => publicSet({ keys: [] }))).toBe('is a JWK Set with no keys; it needs at least one Ed25519 public key');
    expect(refusal(() => publicSet({ keys: publicA }))).toBe('is a JWK Set whose "keys" is not a list');
    expect(refusal(() => parsePublicKeySet('{"kty":', { allowPrivate: true }))).toBe('is not JSON');
  });

  it('refuse keys that are not Ed25519 signing keys, saying which field is wrong', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    expect(refusal(() => publicSet({ keys: [publicA, rsa] }))).toBe(
      'is a JWK Set whose key 2 is not an Ed25519 key (needs kty "OKP" and crv "Ed25519"; it has kty "RSA", crv undefined)',
    );
    expect(refusal(() => publicSet({ ...publicA, crv: 'X25519' }))).toMatch(/^is not an Ed25519 key/);
    expect(refusal(() => publicSet({ ...publicA, x: 'short' }))).toBe('has no valid public key "x" (32 bytes, base64url)');
    expect(refusal(() => publicSet({ ...publicA, alg: 'ES256' }))).toBe(`has alg "ES256"; Kyoyo's keys are EdDSA`);
    expect(refusal(() => publicSet({ ...publicA, use: 'enc' }))).toMatch(/has use "enc"/);
    expect(refusal(() => publicSet('a string'))).toBe('is not a JSON object');
  });

  it('need a distinct kid on every key of a set of more than one', () => {
    const { kid: _kid, ...noKid } = publicB;
    expect(publicSet(noKid)).toEqual([{ ...noKid, alg: 'EdDSA' }]);
    expect(publicSet({ keys: [noKid] })).toHaveLength(1);
    expect(refusal(() => publicSet({ keys: [publicA, noKid] }))).toMatch(/every key needs a kid/);
    expect(refusal(() => publicSet({ keys: [publicA, { ...publicB, kid: publicA.kid }] }))).toBe(
      `is a JWK Set with two keys of kid "${publicA.kid}"`,
    );
  });

  it('become the key itself when there is one, and a kid-choosing JWK Set resolver when there are more', async () => {
    expect(typeof (await verificationKeyFor([publicA]))).toBe('object');
    expect(typeof (await verificationKeyFor([publicA, publicB]))).toBe('function');
    await expect(verificationKeyFor([])).rejects.toThrow(InvalidKeyError);
  });
});

describe('a gateway signing key file', () => {
  it('is a private Ed25519 JWK with a kid whose public half is publicJwkOf', () => {
    expect(parsePrivateJwk(JSON.stringify(privateA))).toEqual(privateA);
    expect(publicJwkOf(privateA)).toEqual(publicA);
  });

  it('is refused when public, without kid, or when its x is not the public half of its d', () => {
    expect(refusal(() => parsePrivateJwk(JSON.stringify(publicA)))).toBe(
      'is a public key (it has no "d"); a private key is needed here',
    );
    const { kid: _kid, ...noKid } = privateA;
    expect(refusal(() => parsePrivateJwk(JSON.stringify(noKid)))).toBe(
      'has no kid; a signing key needs one (generate a new key)',
    );
    expect(refusal(() => parsePrivateJwk(JSON.stringify({ ...privateA, x: privateB.x })))).toBe(
      'has an "x" that is not the public half of its "d"',
    );
    expect(refusal(() => parsePrivateJwk(JSON.stringify({ ...privateA, d: 'x' })))).toBe(
      'has a malformed private key "d" (32 bytes, base64url)',
    );
  });
});
