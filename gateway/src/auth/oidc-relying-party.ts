/**
 * The gateway as an OpenID Connect relying party of one provider (a campus's, or the academic federation's
 * SAML-to-OIDC proxy): the authorization-code flow with PKCE, refresh and RP-initiated sign-out, through
 * `openid-client` (a certified implementation). Every failure is a coded `DomainError`: the provider refusing
 * is UNAUTHENTICATED, the provider unreachable or failing is IDENTITY_PROVIDER_UNAVAILABLE.
 */
import * as oidc from 'openid-client';
import { identityClaimsSchema, renameClaims, type ClaimNames, type Identity, type Role } from '@kyoyo/auth';
import { DomainError, ErrorCode } from '@kyoyo/domain';

export interface OidcClientSettings {
  /** The provider's issuer; its discovery document is at `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** Absent: a public client (PKCE alone); present: `client_secret_basic`. */
  clientSecret?: string;
  /** The gateway's `/auth/callback` as the provider knows it (registered with the provider). */
  redirectUri: string;
  /** Where the provider sends the browser after sign-out (registered too); default the redirect URI's origin. */
  postSignOutUri?: string;
  /** Scopes asked for (default `openid profile email`; some providers issue refresh tokens only with `offline_access`). */
  scopes?: string;
  /** Where the provider keeps Kyoyo's claims when it names them otherwise. */
  claimNames?: ClaimNames;
  /** Time budget of each call to the provider, in seconds (default 5). */
  timeoutSeconds?: number;
}

/** Who the provider says signed in, and the tokens the session keeps. */
export interface ProviderSignIn {
  identity: Omit<Identity, 'roles'>;
  /** The provider's role claims (they count only when it is trusted for roles). */
  claimedRoles: Role[];
  idToken: string;
  refreshToken: string | null;
  /** When the identity must be confirmed again (the access token's expiry). */
  expiresAt: Date;
}

/** What the callback checks against the attempt the browser began. */
export interface AttemptChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

const DEFAULT_SCOPES = 'openid profile email';

const isLoopback = (url: URL) => ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);

const unavailable = (error: unknown) =>
  new DomainError(
    ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE,
    `The identity provider cannot be reached now (${describe(error)}); try again in a few minutes`,
  );

function describe(error: unknown): string {
  if (error instanceof oidc.ResponseBodyError)
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`;
  if (error instanceof oidc.AuthorizationResponseError)
    return `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`;
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error && cause.message ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}

/** Sorts a failure of a call to the provider into refused (its answer) and unavailable (no usable answer). */
function providerFailure(error: unknown, refused: string): DomainError {
  if (error instanceof DomainError) return error;
  if (error instanceof oidc.ResponseBodyError) {
    return error.status >= 500
      ? unavailable(error)
      : new DomainError(ErrorCode.UNAUTHENTICATED, `${refused} (${describe(error)})`);
  }
  if (error instanceof oidc.AuthorizationResponseError)
    return new DomainError(ErrorCode.UNAUTHENTICATED, `${refused} (${describe(error)})`);
  // openid-client's own checks of what the provider answered (state, nonce, ID token, issuer): refused.
  if (error instanceof oidc.ClientError && error.code?.startsWith('OAUTH_') && !/RESPONSE_IS_NOT_/.test(error.code)) {
    return new DomainError(ErrorCode.UNAUTHENTICATED, `${refused} (${describe(error)})`);
  }
  return unavailable(error);
}

export class OidcRelyingParty {
  private configuration: Promise<oidc.Configuration> | null = null;
  private readonly scopes: string;

  constructor(private readonly settings: OidcClientSettings) {
    this.scopes = settings.scopes ?? DEFAULT_SCOPES;
  }

  get issuer(): string {
    return this.settings.issuer;
  }

  /** The provider's configuration, discovered when first needed and again after a failed discovery. */
  private config(): Promise<oidc.Configuration> {
    if (!this.configuration) {
      const issuer = new URL(this.settings.issuer);
      this.configuration = oidc
        .discovery(
          issuer,
          this.settings.clientId,
          { redirect_uris: [this.settings.redirectUri], response_types: ['code'] },
          this.settings.clientSecret ? oidc.ClientSecretBasic(this.settings.clientSecret) : oidc.None(),
          {
            // Plain HTTP only to a provider on this machine (development and the test suite).
            execute: issuer.protocol === 'http:' && isLoopback(issuer) ? [oidc.allowInsecureRequests] : [],
            timeout: this.settings.timeoutSeconds ?? 5,
          },
        )
        .catch((error: unknown) => {
          this.configuration = null;
          throw unavailable(error);
        });
    }
    return this.configuration;
  }

  /** Fresh random values for one attempt. */
  static newAttempt(): AttemptChecks {
    return { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
  }

  /** Where to send the browser to sign in. */
  async authorizationUrl(attempt: AttemptChecks): Promise<URL> {
    const config = await this.config();
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: this.scopes,
      state: attempt.state,
      nonce: attempt.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(attempt.codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /**
   * Completes a sign-in from the callback's query: checks state, issuer and PKCE, exchanges the code, verifies
   * the ID token (signature, audience, nonce, expiry) and reads who signed in (ID token, then UserInfo).
   */
  async complete(callback: URLSearchParams, attempt: AttemptChecks): Promise<ProviderSignIn> {
    const config = await this.config();
    // The callback as the provider addressed it (the redirect URI is part of the code exchange), never as a
    // proxy in front of the gateway may have rewritten the Host.
    const currentUrl = new URL(this.settings.redirectUri);
    currentUrl.search = callback.toString();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: attempt.codeVerifier,
        expectedState: attempt.state,
        expectedNonce: attempt.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      throw providerFailure(error, 'The identity provider refused the sign-in');
    }
    return this.signInFrom(config, tokens, null);
  }

  /** Confirms a session's identity with its refresh token: the provider answers again who it is, or refuses. */
  async refresh(refreshToken: string, previous: { subject: string; idToken: string }): Promise<ProviderSignIn> {
    const config = await this.config();
    let tokens: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>;
    try {
      tokens = await oidc.refreshTokenGrant(config, refreshToken);
    } catch (error) {
      throw providerFailure(error, 'The identity provider refused to renew the session');
    }
    const signIn = await this.signInFrom(config, tokens, previous);
    if (signIn.identity.id !== previous.subject)
      throw new DomainError(ErrorCode.UNAUTHENTICATED, 'The identity provider renewed the session for someone else');
    return { ...signIn, refreshToken: signIn.refreshToken ?? refreshToken };
  }

  /** The provider's sign-out page for this session (null when the provider has none). */
  async endSessionUrl(idToken: string): Promise<URL | null> {
    const config = await this.config().catch(() => null);
    if (!config?.serverMetadata().end_session_endpoint) return null;
    return oidc.buildEndSessionUrl(config, {
      id_token_hint: idToken,
      post_logout_redirect_uri: this.settings.postSignOutUri ?? new URL('/', this.settings.redirectUri).href,
    });
  }

  private async signInFrom(
    config: oidc.Configuration,
    tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
    previous: { subject: string; idToken: string } | null,
  ): Promise<ProviderSignIn> {
    const idClaims = tokens.claims();
    const subject = idClaims?.sub ?? previous?.subject;
    if (!subject) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'The identity provider sent no ID token');
    let claims: Record<string, unknown> = { ...(idClaims ?? { sub: subject }) };
    if (config.serverMetadata().userinfo_endpoint) {
      try {
        claims = { ...claims, ...(await oidc.fetchUserInfo(config, tokens.access_token, subject)) };
      } catch (error) {
        throw providerFailure(error, 'The identity provider refused to say who signed in');
      }
    }
    // OpenID Connect's standard `locale` (e.g. ja-JP) says the language when the provider sends no `lang`.
    if (claims.lang === undefined && typeof claims.locale === 'string') claims = { ...claims, lang: claims.locale };
    const parsed = identityClaimsSchema.safeParse(
      this.settings.claimNames ? renameClaims(claims, this.settings.claimNames) : claims,
    );
    if (!parsed.success) {
      throw new DomainError(
        ErrorCode.UNAUTHENTICATED,
        `The identity provider's claims are not ones Kyoyo can read (${parsed.error.issues.map((i) => i.path.join('.')).join(', ')})`,
      );
    }
    const { sub, inst, org, aff, roles, email, lang } = parsed.data;
    const expiresIn = tokens.expiresIn();
    const idExpiry = typeof idClaims?.exp === 'number' ? idClaims.exp * 1000 : Date.now() + 300_000;
    return {
      identity: {
        id: sub,
        institution: inst ?? null,
        organization: org ?? null,
        affiliation: aff,
        ...(email ? { email } : {}),
        ...(lang ? { language: lang } : {}),
      },
      claimedRoles: roles,
      idToken: tokens.id_token ?? previous?.idToken ?? '',
      refreshToken: tokens.refresh_token ?? null,
      expiresAt: new Date(expiresIn !== undefined ? Date.now() + expiresIn * 1000 : idExpiry),
    };
  }
}
