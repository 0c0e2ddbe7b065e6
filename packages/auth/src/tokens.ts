import type { CryptoKey } from 'jose';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { DomainError, ErrorCode } from '@kyoyo/domain';
import { ALG, type KeyPair } from './keys';
import { claimsOf, identityFromClaims, type Identity } from './identity';

/** Issuer and audience of the development identity tokens that `npm run token` prints. */
export const DEV_ISSUER = 'urn:kyoyo:dev-issuer';
export const DEV_AUDIENCE = 'kyoyo';
/** Issuer of the short-lived tokens the gateway puts on every call to an institution's service. */
export const GATEWAY_ISSUER = 'urn:kyoyo:gateway';
/** Lifetime of a gateway → service token. */
export const SERVICE_TOKEN_TTL_SECONDS = 60;

/** Signs an identity token (the development issuer's, or a test's). */
export async function signIdentityToken(
  identity: Identity,
  key: KeyPair,
  options: { issuer: string; audience: string; ttlSeconds: number },
): Promise<string> {
  return new SignJWT(claimsOf(identity))
    .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSeconds}s`)
    .sign(key.privateKey);
}

/** A key, or a JWKS resolver (`createRemoteJWKSet`, `createLocalJWKSet`). */
export type VerificationKey = CryptoKey | JWTVerifyGetKey;

/**
 * Verifies a bearer token and returns who it names. A bad signature, a wrong issuer or audience, an
 * expired token or claims that are not Kyoyo's all answer `UNAUTHENTICATED`.
 */
export async function verifyIdentityToken(
  token: string,
  key: VerificationKey,
  options: { issuer: string | string[]; audience: string; claimNames?: ClaimNames },
): Promise<Identity> {
  const { claimNames, ...expected } = options;
  try {
    const verify =
      typeof key === 'function'
        ? jwtVerify(token, key, { ...expected, algorithms: [ALG, 'RS256', 'PS256', 'ES256'] })
        : jwtVerify(token, key, { ...expected, algorithms: [ALG] });
    const { payload } = await verify;
    const identity = identityFromClaims(claimNames ? renameClaims(payload, claimNames) : payload);
    if (!identity) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'The token does not carry Kyoyo identity claims');
    return identity;
  } catch (error) {
    if (error instanceof DomainError) throw error;
    throw new DomainError(ErrorCode.UNAUTHENTICATED, describeJoseError(error));
  }
}

/**
 * Where an identity provider keeps Kyoyo's claims when it names them otherwise, e.g.
 * `{ "roles": "kyoyo_roles", "inst": "kyoyo_institution" }`; unnamed claims keep Kyoyo's names.
 */
export type ClaimNames = Partial<Record<'sub' | 'inst' | 'org' | 'aff' | 'roles' | 'email' | 'lang', string>>;

/** Claims under Kyoyo's names, read from where `names` says the provider keeps them. */
export function renameClaims(payload: Record<string, unknown>, names: ClaimNames): Record<string, unknown> {
  const renamed = { ...payload };
  for (const [ours, theirs] of Object.entries(names)) renamed[ours] = payload[theirs];
  return renamed;
}

function describeJoseError(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'The token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `The token was not issued for Kyoyo (${error.claim})`;
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'The token signature is not valid';
  return 'The token is not valid';
}

/** What a service learns from the gateway on each call. */
export interface ServiceCallClaims {
  /** The end user, or null for an anonymous caller. */
  identity: Identity | null;
  /** Request id, so a call can be followed from gateway to service in the logs. */
  requestId: string;
}

/** Signs the short-lived token for one call from the gateway to `institution`'s service. */
export async function signServiceToken(call: ServiceCallClaims, institution: string, key: KeyPair): Promise<string> {
  const claims = call.identity ? claimsOf(call.identity) : { sub: 'anonymous', anon: true };
  return new SignJWT({ ...claims, rid: call.requestId })
    .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
    .setIssuer(GATEWAY_ISSUER)
    .setAudience(institution)
    .setIssuedAt()
    .setExpirationTime(`${SERVICE_TOKEN_TTL_SECONDS}s`)
    .sign(key.privateKey);
}

/**
 * Verifies a gateway → service token addressed to `institution`; anything else is `UNAUTHENTICATED`. `key` is the
 * gateway's public key, or during a key rotation a JWK Set of the current and the next key (`verificationKeyFor`),
 * which picks the key by the token's `kid`.
 */
export async function verifyServiceToken(token: string, key: VerificationKey, institution: string): Promise<ServiceCallClaims> {
  const expected = { issuer: GATEWAY_ISSUER, audience: institution, algorithms: [ALG] };
  try {
    const { payload } = await (typeof key === 'function' ? jwtVerify(token, key, expected) : jwtVerify(token, key, expected));
    const requestId = typeof payload.rid === 'string' ? payload.rid.slice(0, 100) : 'unknown';
    if (payload.anon === true) return { identity: null, requestId };
    const identity = identityFromClaims(payload);
    if (!identity) throw new Error('claims');
    return { identity, requestId };
  } catch {
    throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Only the national gateway may call this service');
  }
}
