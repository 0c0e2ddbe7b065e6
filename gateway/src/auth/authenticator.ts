import { createRemoteJWKSet } from 'jose';
import {
  DEV_AUDIENCE,
  DEV_ISSUER,
  verifyIdentityToken,
  type ClaimNames,
  type CryptoKey,
  type Identity,
  type Role,
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
  /**
   * Whether the token's `roles` claim counts (default false). An identity provider says who someone is; what
   * they may do is granted in Kyoyo (`grantRole`). Only the development issuer is trusted for roles.
   */
  trustRoleClaims?: boolean;
  /** Roles everyone signed in through this issuer holds (e.g. RESEARCHER for a campus's researchers). */
  defaultRoles?: readonly Role[];
}

/** The development issuer of `npm start` and `npm run token`: its tokens say what their holder may do. */
export function devIssuer(publicKey: CryptoKey): TrustedIssuer {
  return { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, key: publicKey, trustRoleClaims: true };
}

/** How the gateway treats an OIDC provider's identities beyond verifying them. */
export interface OidcIssuerOptions {
  claimNames?: ClaimNames;
  trustRoleClaims?: boolean;
  defaultRoles?: readonly Role[];
}

/**
 * An OIDC provider (e.g. the academic identity federation) by issuer, audience and JWKS URL; its keys are
 * fetched when first needed, cached, and fetched again when a token names a key id not seen yet (rotation).
 */
export function oidcIssuer(issuer: string, audience: string, jwksUrl: string, options: OidcIssuerOptions = {}): TrustedIssuer {
  return { issuer, audience, key: createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 5000 }), ...options };
}

/**
 * The roles an identity provider gives: its own role claims only when it is trusted for them, plus the roles
 * everyone it signs in holds (Kyoyo's grants are added later, by `EffectiveRoles`).
 */
export function rolesFromIssuer(
  claimed: readonly Role[],
  issuer: Pick<TrustedIssuer, 'trustRoleClaims' | 'defaultRoles'>,
): Role[] {
  return [...new Set([...(issuer.trustRoleClaims ? claimed : []), ...(issuer.defaultRoles ?? [])])];
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
 * Turns an `Authorization` header into an identity, with the roles its issuer may give (the token's own only
 * from an issuer trusted for them; Kyoyo's grants are added by `EffectiveRoles`). No header means an
 * anonymous caller; a token from an issuer we do not trust, with a bad signature, the wrong audience or
 * expired, is `UNAUTHENTICATED` (never silently anonymous).
 */
export function createAuthenticator(issuers: readonly TrustedIssuer[]) {
  return async (authorization: string | undefined): Promise<Identity | null> => {
    if (!authorization) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'The Authorization header must be "Bearer <token>"');
    const token = match[1];
    const issuer = issuers.find((i) => i.issuer === issuerOf(token));
    if (!issuer) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'The token was not issued by a trusted issuer');
    const identity = await verifyIdentityToken(token, issuer.key, {
      issuer: issuer.issuer,
      audience: issuer.audience,
      claimNames: issuer.claimNames,
    });
    return { ...identity, roles: rolesFromIssuer(identity.roles, issuer) };
  };
}
