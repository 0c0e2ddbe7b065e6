/**
 * Browser sessions after an OIDC sign-in. The browser holds one random token in an HttpOnly, SameSite=Strict
 * cookie and never sees the provider's tokens; the gateway keeps the session (see `sessionsTable`) and turns
 * the cookie into an identity on each request, confirming it with the provider (refresh) when it is due.
 */
import type { Identity, Role } from '@kyoyo/auth';
import { checkTextCharacters, DomainError, ErrorCode } from '@kyoyo/domain';
import type { Logger } from '@kyoyo/server-kit';
import { hashToken, newSecretToken } from '../common/secret-token';
import { rolesFromIssuer } from './authenticator';
import { OidcRelyingParty, type ProviderSignIn } from './oidc-relying-party';
import type { SessionRow, SessionsRepository } from './sessions.repository';

export interface BrowserSessionOptions {
  /** How long a sign-in may take at the provider, in ms (default 10 minutes). */
  attemptTtlMs?: number;
  /** A session unused this long ends, in ms (default 2 hours). */
  idleMs?: number;
  /** A session ends this long after sign-in whatever happens, in ms (default 12 hours). */
  maxAgeMs?: number;
  /** While the provider cannot be reached, how long before asking it again, in ms (default 60 s). */
  retryMs?: number;
  /** Whether the provider's role claims count (see `TrustedIssuer.trustRoleClaims`). */
  trustRoleClaims?: boolean;
  /** Roles everyone signed in through the provider holds. */
  defaultRoles?: readonly Role[];
}

/** How often a session's use is written down (its idle time is measured from it). */
const TOUCH_EVERY_MS = 60_000;

/** Longest `return` path kept; longer ones are refused. */
const MAX_RETURN_LENGTH = 500;

/**
 * The console path to come back to after sign-in: a path on this origin (`/`, `/#/bookings`), never another
 * site (`//evil.example`, `/\evil.example`, `https:…`) — an open redirect would lend Kyoyo's name to phishing.
 */
export function parseReturnPath(value: string | null): string {
  if (value === null || value === '') return '/';
  checkTextCharacters(value, 'return');
  if (value.length > MAX_RETURN_LENGTH || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) {
    throw new DomainError(
      ErrorCode.BAD_USER_INPUT,
      `return must be a path on this site, at most ${MAX_RETURN_LENGTH} characters`,
      'return',
    );
  }
  return value;
}

const unauthenticated = (message: string) => new DomainError(ErrorCode.UNAUTHENTICATED, message);

export class BrowserSessions {
  private readonly attemptTtlMs: number;
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly repository: SessionsRepository,
    readonly provider: OidcRelyingParty,
    private readonly logger: Logger,
    private readonly options: BrowserSessionOptions = {},
  ) {
    this.attemptTtlMs = options.attemptTtlMs ?? 10 * 60_000;
    this.idleMs = options.idleMs ?? 2 * 3600_000;
    this.maxAgeMs = options.maxAgeMs ?? 12 * 3600_000;
    this.retryMs = options.retryMs ?? 60_000;
  }

  get attemptTtlSeconds(): number {
    return Math.ceil(this.attemptTtlMs / 1000);
  }

  get maxAgeSeconds(): number {
    return Math.ceil(this.maxAgeMs / 1000);
  }

  /**
   * Begins a sign-in: answers where to send the browser and the token its attempt cookie must carry back (the
   * callback accepts the attempt only from the browser that began it: no one can sign you in as them).
   */
  async begin(returnTo: string): Promise<{ redirect: URL; browserToken: string }> {
    const checks = OidcRelyingParty.newAttempt();
    const redirect = await this.provider.authorizationUrl(checks);
    const browserToken = newSecretToken();
    await this.repository.addAttempt({
      stateHash: hashToken(checks.state),
      browserHash: hashToken(browserToken),
      codeVerifier: checks.codeVerifier,
      nonce: checks.nonce,
      returnTo,
      expiresAt: new Date(Date.now() + this.attemptTtlMs),
    });
    return { redirect, browserToken };
  }

  /**
   * Completes a sign-in from the callback's query and the browser's attempt cookie: the attempt is used up
   * whatever happens next (a replayed callback finds nothing), and a session is created only when the
   * provider's answer passes every check.
   */
  async complete(
    callback: URLSearchParams,
    browserToken: string | undefined,
  ): Promise<{ sessionToken: string; returnTo: string }> {
    const state = callback.get('state');
    if (!state || state.length > 500)
      throw new DomainError(ErrorCode.BAD_USER_INPUT, 'The callback carries no valid state', 'state');
    const attempt = await this.repository.takeAttempt(hashToken(state));
    if (!attempt) {
      throw new DomainError(
        ErrorCode.BAD_USER_INPUT,
        'This sign-in is unknown or was already used (state); start again from the sign-in page',
        'state',
      );
    }
    if (!browserToken || hashToken(browserToken) !== attempt.browserHash) {
      throw new DomainError(ErrorCode.BAD_USER_INPUT, 'This sign-in was begun in another browser; start again here', 'state');
    }
    if (attempt.expiresAt.getTime() < Date.now()) {
      throw new DomainError(ErrorCode.BAD_USER_INPUT, 'This sign-in took too long; start again', 'state');
    }
    const signIn = await this.provider.complete(callback, { state, nonce: attempt.nonce, codeVerifier: attempt.codeVerifier });
    const sessionToken = newSecretToken();
    const session = await this.repository.create({
      tokenHash: hashToken(sessionToken),
      ...this.identityColumns(signIn),
      expiresAt: new Date(Date.now() + this.maxAgeMs),
    });
    this.logger.info('signed in', { sub: session.subject, session: session.id, institution: session.institution });
    // Housekeeping on the rare path: attempts abandoned at the provider, sessions long over.
    void this.repository.prune(30).catch((error: unknown) => this.logger.warn('session pruning failed', { error }));
    return { sessionToken, returnTo: attempt.returnTo };
  }

  /**
   * Who the session cookie `token` belongs to (roles as the provider may give them; Kyoyo's grants are added
   * by the caller). An unknown, ended, idle or expired session is UNAUTHENTICATED, never anonymous.
   */
  async identify(token: string): Promise<Identity> {
    let row = await this.repository.findByToken(hashToken(token));
    if (!row) throw unauthenticated('Your session is not known here (signed out, or pruned); sign in again');
    if (row.endedAt) throw unauthenticated(`Your session has ended (${row.endReason ?? 'ended'}); sign in again`);
    const now = Date.now();
    if (row.expiresAt.getTime() <= now) row = await this.endWith(row, 'expired');
    else if (row.lastSeenAt.getTime() + this.idleMs <= now) row = await this.endWith(row, 'idle');
    if (row.identityExpiresAt.getTime() <= now) row = await this.confirm(row);
    // The row says when it was last noted: most requests need no write at all.
    if (now - row.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
      void this.repository.touch(row.id).catch((error: unknown) => this.logger.warn('session touch failed', { error }));
    }
    return this.identityOf(row);
  }

  /** Ends the session `token` names (when there is one); answers the provider's sign-out page for it. */
  async signOut(token: string | undefined): Promise<URL | null> {
    if (!token) return null;
    const row = await this.repository.findByToken(hashToken(token));
    if (!row) return null;
    const ended = await this.repository.end(row.id, 'signed out');
    if (ended) this.logger.info('signed out', { sub: row.subject, session: row.id });
    return this.provider.endSessionUrl(row.idToken);
  }

  private async endWith(row: SessionRow, reason: string): Promise<never> {
    await this.repository.end(row.id, reason);
    this.logger.info('session ended', { sub: row.subject, session: row.id, reason });
    throw unauthenticated(`Your session has ended (${reason}); sign in again`);
  }

  /** Confirms the identity with the provider (one replica at a time per session). */
  private async confirm(row: SessionRow): Promise<SessionRow> {
    const refused: { error?: DomainError } = {};
    const updated = await this.repository.refreshLocked(row.id, async (locked) => {
      if (locked.identityExpiresAt.getTime() > Date.now()) return { keep: true }; // another request did it
      if (!locked.refreshToken) return { end: 'the identity provider gave no refresh token' };
      try {
        const signIn = await this.provider.refresh(locked.refreshToken, { subject: locked.subject, idToken: locked.idToken });
        return { identity: this.identityColumns(signIn) };
      } catch (error) {
        if (error instanceof DomainError && error.code === ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE) {
          // The provider is down: keep the identity it confirmed last (the session still ends when it
          // expires) and ask again shortly, rather than lock every signed-in person out of Kyoyo.
          this.logger.warn('session refresh postponed', { sub: locked.subject, session: locked.id, error: error.message });
          return {
            identity: { ...this.columnsOf(locked), identityExpiresAt: new Date(Date.now() + this.retryMs) },
          };
        }
        refused.error =
          error instanceof DomainError ? error : unauthenticated('The identity provider refused to renew the session');
        return { end: 'the identity provider refused to renew it' };
      }
    });
    if (refused.error) {
      this.logger.info('session ended', { sub: row.subject, session: row.id, reason: 'refresh refused' });
      throw unauthenticated(`Your session has ended: ${refused.error.message}; sign in again`);
    }
    if (!updated || updated.endedAt)
      throw unauthenticated(`Your session has ended (${updated?.endReason ?? 'ended'}); sign in again`);
    return updated;
  }

  private identityColumns(signIn: ProviderSignIn) {
    return {
      subject: signIn.identity.id,
      institution: signIn.identity.institution,
      organization: signIn.identity.organization,
      affiliation: signIn.identity.affiliation,
      email: signIn.identity.email ?? null,
      language: signIn.identity.language ?? null,
      claimedRoles: signIn.claimedRoles,
      idToken: signIn.idToken,
      refreshToken: signIn.refreshToken,
      identityExpiresAt: signIn.expiresAt,
    };
  }

  private columnsOf(row: SessionRow) {
    const { subject, institution, organization, affiliation, email, language } = row;
    const { claimedRoles, idToken, refreshToken, identityExpiresAt } = row;
    return {
      subject,
      institution,
      organization,
      affiliation,
      email,
      language,
      claimedRoles,
      idToken,
      refreshToken,
      identityExpiresAt,
    };
  }

  private identityOf(row: SessionRow): Identity {
    return {
      id: row.subject,
      institution: row.institution,
      organization: row.organization,
      affiliation: row.affiliation as Identity['affiliation'],
      roles: rolesFromIssuer(row.claimedRoles as Role[], this.options),
      ...(row.email ? { email: row.email } : {}),
      ...(row.language === 'ja' || row.language === 'en' ? { language: row.language } : {}),
    };
  }
}
