/**
 * Who is signed in, and how: through the institution's OpenID provider the gateway keeps the session and this
 * browser holds only an HttpOnly cookie the page cannot read (`via: 'cookie'`); development sign-in asks the
 * gateway's development issuer (`POST /dev/sign-in`) for a bearer token kept in localStorage (`via: 'token'`).
 */
import { createStore } from './store';

export type Role = 'RESEARCHER' | 'FACILITY_MANAGER' | 'FUNDER' | 'ADMIN' | 'INSTITUTION_ADMIN';

export interface Viewer {
  id: string;
  organization: string | null;
  roles: Role[];
  affiliation: 'academic' | 'industry';
  institution: { code: string; name: string; nameEn: string | null } | null;
  /** Where Kyoyo writes to the person (`me.notificationPreferences.email`; the Mailbox page filters by it). */
  email?: string | null;
}

export interface Session {
  /** The development bearer token (null for a cookie session and when signed out). */
  token: string | null;
  /** How the gateway knows this browser: its session cookie, or a bearer token. */
  via: 'cookie' | 'token' | null;
  viewer: Viewer | null;
  /** The token was refused (expired, or the server's keys changed): sign in again. */
  expired: boolean;
  expire(): void;
}

const TOKEN_KEY = 'kyoyo.token';

function stored(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

const signedOut = (expired = false): Session => ({
  token: null,
  via: null,
  viewer: null,
  expired,
  expire: () => undefined,
});

/** Ends the gateway's session of this browser (it clears the cookie); answers the provider's sign-out page. */
async function endCookieSession(): Promise<string | null> {
  const response = await fetch('/auth/sign-out', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const body = (await response.json().catch(() => ({}))) as { endSessionUrl?: string | null };
  return body.endSessionUrl ?? null;
}

function withCookie(viewer: Viewer): Session {
  return {
    token: null,
    via: 'cookie',
    viewer,
    expired: false,
    expire() {
      session.set(signedOut(true));
      void endCookieSession().catch(() => undefined);
    },
  };
}

export const session = createStore<Session>(signedOut());

function withToken(token: string, viewer: Viewer | null): Session {
  return {
    token,
    via: 'token',
    viewer,
    expired: false,
    expire() {
      try {
        localStorage.removeItem(TOKEN_KEY);
      } catch {
        /* storage unavailable */
      }
      session.set(signedOut(true));
    },
  };
}

const ME = `query Me { me { id organization roles affiliation institution { code name nameEn }
  notificationPreferences { email } } }`;

type MeAnswer = Omit<Viewer, 'email'> & { notificationPreferences: { email: string | null } };

const viewerFrom = ({ notificationPreferences, ...me }: MeAnswer): Viewer => ({ ...me, email: notificationPreferences.email });

/** Reads who `token` is — or, without one, who the session cookie is; null when the gateway does not accept it. */
async function viewerOf(token: string | null): Promise<Viewer | null> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: ME }),
  });
  const answer = (await response.json()) as { data?: { me: MeAnswer | null }; errors?: unknown[] };
  const me = answer.errors?.length ? null : (answer.data?.me ?? null);
  return me ? viewerFrom(me) : null;
}

/** Restores the session at start: the stored development token, else the gateway's session cookie. */
export async function restoreSession(): Promise<void> {
  const token = stored();
  if (token) {
    const viewer = await viewerOf(token).catch(() => null);
    session.set(viewer ? withToken(token, viewer) : signedOut(true));
    return;
  }
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: ME }),
  }).catch(() => null);
  const answer = (await response?.json().catch(() => null)) as {
    data?: { me: MeAnswer | null };
    errors?: { extensions?: { code?: string } }[];
  } | null;
  if (answer?.data?.me) session.set(withCookie(viewerFrom(answer.data.me)));
  else if (answer?.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) {
    // The cookie's session ended (expired, idle, signed out elsewhere): say so, and clear the cookie.
    session.set(signedOut(true));
    await endCookieSession().catch(() => undefined);
  }
}

/** The ways to sign in the gateway offers (`GET /auth/options`), and whether it has the development mailbox. */
export interface SignInOptions {
  oidc: { name: string } | null;
  devSignIn: boolean;
  devMailbox: boolean;
}

/** What the gateway said it offers, once `signInOptions()` has asked (null before): the navigation follows it. */
export const gatewayOffers = createStore<SignInOptions | null>(null);

export async function signInOptions(): Promise<SignInOptions> {
  const response = await fetch('/auth/options');
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const offers = (await response.json()) as SignInOptions;
  gatewayOffers.set(offers);
  return offers;
}

export interface DevIdentity {
  sub: string;
  institution: string | null;
  organization: string | null;
  affiliation: 'academic' | 'industry';
  roles: Role[];
  /** Where the demo writes to this user (the development mailbox shows it); none when null. */
  email: string | null;
  /** The language of that mail. */
  language?: 'ja' | 'en';
}

export class SignInError extends Error {
  constructor(
    message: string,
    readonly field: string | null,
  ) {
    super(message);
  }
}

/** Signs in through the gateway's development issuer. */
export async function devSignIn(identity: DevIdentity): Promise<Viewer> {
  const response = await fetch('/dev/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(identity),
  });
  const body = (await response.json().catch(() => ({}))) as { token?: string; error?: string; field?: string };
  if (!response.ok || !body.token) throw new SignInError(body.error ?? `HTTP ${response.status}`, body.field ?? null);
  const viewer = await viewerOf(body.token);
  if (!viewer) throw new SignInError('the gateway did not accept the new token', null);
  localStorage.setItem(TOKEN_KEY, body.token);
  session.set(withToken(body.token, viewer));
  return viewer;
}

/** Signs out; a cookie session ends at the gateway, then at the provider (its sign-out page, when it has one). */
export async function signOut(): Promise<void> {
  const via = session.get().via;
  try {
    localStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage unavailable */
  }
  session.set(signedOut());
  if (via !== 'cookie') return;
  const endSessionUrl = await endCookieSession().catch(() => null);
  if (endSessionUrl) window.location.assign(endSessionUrl);
}

export const hasRole = (viewer: Viewer | null, ...roles: Role[]) => !!viewer && viewer.roles.some((r) => roles.includes(r));

export type UserCategory = 'INTERNAL' | 'ACADEMIC' | 'INDUSTRY';

/** The user category a booking of an instrument at `institution` would have (CONTRACT.md: token claims). */
export function userCategoryAt(viewer: Viewer | null, institution: string): UserCategory {
  if (viewer?.institution?.code === institution) return 'INTERNAL';
  return viewer?.affiliation === 'industry' ? 'INDUSTRY' : 'ACADEMIC';
}
