/**
 * Who is signed in: a bearer token (kept in this browser's localStorage) and the gateway's `me` for it.
 * Development sign-in asks the gateway's development issuer (`POST /dev/sign-in`) for a token.
 */
import { createStore } from './store';

export type Role = 'RESEARCHER' | 'FACILITY_MANAGER' | 'FUNDER' | 'ADMIN' | 'INSTITUTION_ADMIN';

export interface Viewer {
  id: string;
  organization: string | null;
  roles: Role[];
  affiliation: 'academic' | 'industry';
  institution: { code: string; name: string; nameEn: string | null } | null;
}

export interface Session {
  token: string | null;
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

const signedOut = (expired = false): Session => ({ token: null, viewer: null, expired, expire: () => undefined });

export const session = createStore<Session>(signedOut());

function withToken(token: string, viewer: Viewer | null): Session {
  return {
    token,
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

const ME = `query Me { me { id organization roles affiliation institution { code name nameEn } } }`;

/** Reads who `token` is; null when the gateway does not accept it. */
async function viewerOf(token: string): Promise<Viewer | null> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: ME }),
  });
  const answer = (await response.json()) as { data?: { me: Viewer | null }; errors?: unknown[] };
  return answer.errors?.length ? null : (answer.data?.me ?? null);
}

/** Restores the stored session at start. */
export async function restoreSession(): Promise<void> {
  const token = stored();
  if (!token) return;
  const viewer = await viewerOf(token).catch(() => null);
  if (viewer) session.set(withToken(token, viewer));
  else session.set(signedOut(true));
}

export interface DevIdentity {
  sub: string;
  institution: string | null;
  organization: string | null;
  affiliation: 'academic' | 'industry';
  roles: Role[];
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

export function signOut(): void {
  try {
    localStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage unavailable */
  }
  session.set(signedOut());
}

export const hasRole = (viewer: Viewer | null, ...roles: Role[]) => !!viewer && viewer.roles.some((r) => roles.includes(r));

export type UserCategory = 'INTERNAL' | 'ACADEMIC' | 'INDUSTRY';

/** The user category a booking of an instrument at `institution` would have (CONTRACT.md: token claims). */
export function userCategoryAt(viewer: Viewer | null, institution: string): UserCategory {
  if (viewer?.institution?.code === institution) return 'INTERNAL';
  return viewer?.affiliation === 'industry' ? 'INDUSTRY' : 'ACADEMIC';
}
