import type { CryptoKey } from 'jose';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { randomUUID } from 'node:crypto';

/** Signing algorithm of every Kyoyo-issued token. */
export const ALG = 'EdDSA';

/** A signing key pair: the private half signs, the public half (a JWK with `kid`) verifies. */
export interface KeyPair {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

/** Creates a new Ed25519 key pair. */
export async function createKeyPair(): Promise<{ pair: KeyPair; privateJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { crv: 'Ed25519', extractable: true });
  const kid = randomUUID();
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALG };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG };
  return { pair: { kid, privateKey, publicKey, publicJwk }, privateJwk };
}

/** Imports a private Ed25519 JWK (with `kid`) as a key pair. */
export async function keyPairFromJwk(privateJwk: JWK): Promise<KeyPair> {
  if (!privateJwk.d || !privateJwk.x || !privateJwk.kid) throw new Error('a private Ed25519 JWK with kid is required');
  const publicJwk: JWK = { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x, kid: privateJwk.kid, alg: ALG };
  const privateKey = (await importJWK(privateJwk, ALG)) as CryptoKey;
  const publicKey = (await importJWK(publicJwk, ALG)) as CryptoKey;
  return { kid: privateJwk.kid, privateKey, publicKey, publicJwk };
}

/** Imports a public JWK for verification. */
export async function publicKeyFromJwk(jwk: JWK): Promise<CryptoKey> {
  return (await importJWK({ ...jwk, alg: ALG }, ALG)) as CryptoKey;
}

/**
 * Reads the private JWK at `path`, or creates one there (mode 0600) on first use: development keys are
 * generated at first start and never committed.
 */
export async function loadOrCreateKeyPair(path: string): Promise<KeyPair> {
  try {
    return await keyPairFromJwk(JSON.parse(await readFile(path, 'utf8')) as JWK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read signing key ${path}`, { cause: error });
  }
  const { pair, privateJwk } = await createKeyPair();
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    await writeFile(path, `${JSON.stringify(privateJwk)}\n`, { mode: 0o600, flag: 'wx' });
    return pair;
  } catch (error) {
    // Another process created it first: use theirs so every process agrees on one key.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return keyPairFromJwk(JSON.parse(await readFile(path, 'utf8')) as JWK);
    throw error;
  }
}
