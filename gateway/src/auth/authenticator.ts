import { createRemoteJWKSet } from 'jose';
import {
  DEV_AUDIENCE,
  DEV_ISSUER,
  verifyIdentityToken,
  type ClaimNames,
  type CryptoKey,
  type Identity,
  type VerificationKey,
} from '@kyoyo/auth';
import { DomainError, ErrorCode } from '@kyoyo/domain';

/** An identity provider the gateway trusts. */
export interface TrustedIssuer {
  issuer: string;
  audience: string;
  key: VerificationKey;
  /** Where the provider keeps Kyoyo's claims, when it names them otherwise. */
  claimNames?: ClaimNames;
}

/** The development issuer of `npm start` and `npm run token`. */
export function devIssuer(publicKey: CryptoKey): TrustedIssuer {
  return { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, key: publicKey };
}

/**
 * An OIDC provider (e.g. the academic identity federation) by issuer, audience and JWKS URL; its keys are
 * fetched when first needed, cached, and fetched again when a token names a key id not seen yet (rotation).
 */
export function oidcIssuer(issuer: string, audience: string, jwksUrl: string, claimNames?: ClaimNames): TrustedIssuer {
  return { issuer, audience, key: createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 5000 }), claimNames };
}

function issuerOf(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss?: unknown };
    return typeof payload.iss === 'string' ? payload.iss : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Turns an `Authorization` header into an identity: none means an anonymous caller; a token from an issuer
 * we do not trust, with a bad signature, the wrong audience or expired, is `UNAUTHENTICATED` (never
 * silently anonymous).
 */
export function createAuthenticator(issuers: readonly TrustedIssuer[]) {
  return async (authorization: string | undefined): Promise<Identity | null> => {
    if (!authorization) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'The Authorization header must be "Bearer <token>"');
    const token = match[1];
    const issuer = issuers.find((i) => i.issuer === issuerOf(token));
    if (!issuer) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'The token was not issued by a trusted issuer');
    return verifyIdentityToken(token, issuer.key, {
      issuer: issuer.issuer,
      audience: issuer.audience,
      claimNames: issuer.claimNames,
    });
  };
}
