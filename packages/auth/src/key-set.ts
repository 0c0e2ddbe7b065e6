import { createPrivateKey, createPublicKey } from 'node:crypto';
import { createLocalJWKSet, type JWK } from 'jose';
import { ALG, publicKeyFromJwk } from './keys';
import type { VerificationKey } from './tokens';

/** A key file or key setting that is not what it must be; the message says what is wrong and how to fix it. */
export class InvalidKeyError extends Error {
  override readonly name = 'InvalidKeyError';
}

/** 32 bytes in base64url without padding: an Ed25519 public (`x`) or private (`d`) key. */
const KEY_BYTES_32 = /^[A-Za-z0-9_-]{43}$/;

const shown = (value: unknown) => (typeof value === 'string' ? `"${value}"` : String(value));

/**
 * Why `value` is not an Ed25519 JWK Kyoyo can sign or verify with, or null when it is one. Checked before a key
 * reaches jose so that an operator reads which field is wrong rather than an import failure.
 */
export function ed25519JwkProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not a JSON object';
  const jwk = value as Record<string, unknown>;
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') {
    return `is not an Ed25519 key (needs kty "OKP" and crv "Ed25519"; it has kty ${shown(jwk.kty)}, crv ${shown(jwk.crv)})`;
  }
  if (typeof jwk.x !== 'string' || !KEY_BYTES_32.test(jwk.x)) return 'has no valid public key "x" (32 bytes, base64url)';
  if (jwk.d !== undefined && (typeof jwk.d !== 'string' || !KEY_BYTES_32.test(jwk.d))) {
    return 'has a malformed private key "d" (32 bytes, base64url)';
  }
  if (jwk.alg !== undefined && jwk.alg !== ALG) return `has alg ${shown(jwk.alg)}; Kyoyo's keys are ${ALG}`;
  if (jwk.use !== undefined && jwk.use !== 'sig') return `has use ${shown(jwk.use)}; a signing key has use "sig" or none`;
  if (jwk.kid !== undefined && (typeof jwk.kid !== 'string' || jwk.kid.trim() === '')) return 'has an empty or non-text kid';
  return null;
}

/** The public half of an Ed25519 JWK, in the form services are given: `kty`, `crv`, `x`, `kid` (if any), `alg`. */
export function publicJwkOf(jwk: JWK): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.kid ? { kid: jwk.kid } : {}), alg: ALG };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidKeyError('is not JSON');
  }
}

/**
 * Reads a private Ed25519 JWK with a `kid` (the gateway's signing key, as `generate` writes it), checking that its
 * `x` is the public half of its `d`: a key pasted together from two files would sign tokens no service accepts.
 */
export function parsePrivateJwk(text: string): JWK {
  const value = parseJson(text);
  const problem = ed25519JwkProblem(value);
  if (problem) throw new InvalidKeyError(problem);
  const jwk = value as JWK;
  if (jwk.d === undefined) throw new InvalidKeyError('is a public key (it has no "d"); a private key is needed here');
  if (jwk.kid === undefined) throw new InvalidKeyError('has no kid; a signing key needs one (generate a new key)');
  const derived = createPublicKey(createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d }, format: 'jwk' }));
  if (derived.export({ format: 'jwk' }).x !== jwk.x)
    throw new InvalidKeyError('has an "x" that is not the public half of its "d"');
  return jwk;
}

/**
 * Reads the gateway public key(s) a service accepts: one JWK, or a JWK Set `{"keys": [...]}` holding the current
 * and the next key during a rotation. Every key must be an Ed25519 key; a set of more than one needs a distinct
 * `kid` on every key, since tokens are matched to keys by their `kid` header. A private key is refused unless
 * `allowPrivate` (development, where the service reads the gateway's own key file); its `d` is then dropped.
 * Returns the public keys, normalised by `publicJwkOf`.
 */
export function parsePublicKeySet(text: string, options: { allowPrivate: boolean }): JWK[] {
  const value = parseJson(text);
  const isSet = typeof value === 'object' && value !== null && 'keys' in value;
  const members: unknown = isSet ? (value as { keys: unknown }).keys : [value];
  if (!Array.isArray(members)) throw new InvalidKeyError('is a JWK Set whose "keys" is not a list');
  if (members.length === 0) throw new InvalidKeyError('is a JWK Set with no keys; it needs at least one Ed25519 public key');
  const keys = members.map((member: unknown, index) => {
    // Messages read after the variable or file they are about: "… is a JWK Set whose key 2 (kid "k") has …".
    const whose = isSet ? `is a JWK Set whose key ${index + 1}${kidOf(member)} ` : '';
    const problem = ed25519JwkProblem(member);
    if (problem) throw new InvalidKeyError(`${whose}${problem}`);
    const jwk = member as JWK;
    if (jwk.d !== undefined && !options.allowPrivate) {
      throw new InvalidKeyError(
        `${whose}is a private key (it has "d"); give services the public key only ` +
          '(npx tsx packages/auth/src/cli/keys.ts public --in FILE)',
      );
    }
    return publicJwkOf(jwk);
  });
  if (keys.length > 1) {
    const kids = keys.map((k) => k.kid);
    if (kids.some((kid) => kid === undefined)) {
      throw new InvalidKeyError('is a JWK Set of more than one key, so every key needs a kid (tokens name their key by it)');
    }
    const repeated = kids.find((kid, i) => kids.indexOf(kid) !== i);
    if (repeated !== undefined) throw new InvalidKeyError(`is a JWK Set with two keys of kid "${repeated}"`);
  }
  return keys;
}

function kidOf(member: unknown): string {
  const kid = typeof member === 'object' && member !== null ? (member as { kid?: unknown }).kid : undefined;
  return typeof kid === 'string' ? ` (kid "${kid}")` : '';
}

/**
 * What a service verifies the gateway's tokens with, given the keys of `parsePublicKeySet`: the key itself when
 * there is one (whatever `kid` a token names, so a key configured without `kid` keeps working), else a local JWK
 * Set that picks the key by the token's `kid`, so calls signed with the current or the next key are both served.
 */
export async function verificationKeyFor(keys: readonly JWK[]): Promise<VerificationKey> {
  const [only, ...more] = keys;
  if (!only) throw new InvalidKeyError('no gateway public key was given');
  const imported = await Promise.all(keys.map((key) => publicKeyFromJwk(key)));
  return more.length === 0 ? imported[0]! : createLocalJWKSet({ keys: keys.map((key) => ({ ...key })) });
}
