/**
 * The console's OpenID Connect sign-in at the gateway:
 * - `GET /auth/sign-in?return=/#/…` sends the browser to the provider (authorization code + PKCE);
 * - `GET /auth/callback?code&state` (or `?error`) completes it, sets the session cookie and returns to the console;
 * - `POST /auth/sign-out` ends the session and answers the provider's sign-out page, if it has one;
 * - `GET /auth/options` tells the console which ways to sign in this gateway offers (and whether it has the
 *   development mailbox).
 * A sign-in that cannot complete answers a page in Japanese and English with the error's code (never a raw
 * stack or a redirect loop); nothing is written beyond using up the attempt.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { DomainError, ErrorCode } from '@kyoyo/domain';
import { httpStatusOf, requestIdOf, sendJson, type Logger, type Route } from '@kyoyo/server-kit';
import { parseReturnPath, type BrowserSessions } from './browser-sessions';

export interface SignInRoutesOptions {
  /** Cookies only over HTTPS (`Secure`, and the `__Host-` prefix for the session): on whenever the redirect URI is https. */
  secureCookies: boolean;
}

/** The session cookie's name (`__Host-` binds it to this origin, HTTPS only). */
export const sessionCookieName = (secure: boolean) => (secure ? '__Host-kyoyo_session' : 'kyoyo_session');
const ATTEMPT_COOKIE = 'kyoyo_sign_in';
const CALLBACK_PATH = '/auth/callback';

/** The value of cookie `name` in a request's `Cookie` header (the first one, as browsers send the most specific first). */
export function cookieValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const part of (headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return value && /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

function cookie(
  name: string,
  value: string,
  attributes: { path: string; maxAge: number; sameSite: 'Strict' | 'Lax'; secure: boolean },
) {
  return [
    `${name}=${value}`,
    `Path=${attributes.path}`,
    `Max-Age=${attributes.maxAge}`,
    'HttpOnly',
    `SameSite=${attributes.sameSite}`,
    ...(attributes.secure ? ['Secure'] : []),
  ].join('; ');
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const HEADLINES: Record<string, { ja: string; en: string }> = {
  [ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE]: {
    ja: '認証サービスに接続できません',
    en: 'The identity provider cannot be reached',
  },
  [ErrorCode.UNAUTHENTICATED]: { ja: '認証サービスがサインインを拒否しました', en: 'The identity provider refused the sign-in' },
  [ErrorCode.BAD_USER_INPUT]: { ja: 'このサインインは続けられません', en: 'This sign-in cannot go on' },
};

/** The page a failed sign-in answers with: what happened, its code, the request id to quote, and a way on. */
export function signInErrorPage(error: DomainError, requestId: string): string {
  const headline = HEADLINES[error.code] ?? { ja: 'サインインできませんでした', en: 'Sign-in failed' };
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(headline.ja)} — Kyoyo 共用</title>
<style>
  body { font-family: system-ui, "Hiragino Sans", "Noto Sans JP", sans-serif; margin: 0; color: #1b1b1b; background: #f7f7f4; }
  header { background: #1d4e89; color: #fff; padding: 12px 20px; font-weight: 600; }
  main { max-width: 44rem; padding: 12px 20px; }
  code { background: #fff; border: 1px solid #888; border-radius: 4px; padding: 1px 4px; }
  a { color: #1d4e89; }
</style>
</head>
<body>
<header>Kyoyo 共用</header>
<main>
<h1>${escapeHtml(headline.ja)}</h1>
<p lang="en"><strong>${escapeHtml(headline.en)}</strong></p>
<p lang="en" role="alert" data-code="${escapeHtml(error.code)}">${escapeHtml(error.message)}</p>
<p>コード / code: <code>${escapeHtml(error.code)}</code> · 要求 ID / request id: <code>${escapeHtml(requestId)}</code></p>
<p><a href="/auth/sign-in">もう一度サインイン / Sign in again</a> · <a href="/">Kyoyo へ戻る / Back to Kyoyo</a></p>
</main>
</body>
</html>`;
}

function sendErrorPage(
  res: ServerResponse,
  error: DomainError,
  requestId: string,
  extraHeaders: Record<string, string | string[]> = {},
) {
  const body = signInErrorPage(error, requestId);
  res.writeHead(httpStatusOf(error), {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'x-request-id': requestId,
    ...extraHeaders,
  });
  res.end(body);
}

export function signInRoutes(sessions: BrowserSessions, logger: Logger, options: SignInRoutesOptions): Route[] {
  const secure = options.secureCookies;
  const sessionCookie = sessionCookieName(secure);
  const clearAttempt = cookie(ATTEMPT_COOKIE, '', { path: CALLBACK_PATH, maxAge: 0, sameSite: 'Lax', secure });
  const clearSession = cookie(sessionCookie, '', { path: '/', maxAge: 0, sameSite: 'Strict', secure });

  /** Runs a sign-in step; a DomainError answers the error page, anything else is logged and answered as internal. */
  const step =
    (what: string, run: (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void>) =>
    async (req: IncomingMessage, res: ServerResponse) => {
      const requestId = requestIdOf(req);
      try {
        await run(req, res, requestId);
      } catch (error) {
        const coded = error instanceof DomainError ? error : new DomainError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal error');
        if (coded === error) logger.info(`${what} refused`, { rid: requestId, code: coded.code, error: coded.message });
        else logger.error(`${what} failed`, { rid: requestId, error });
        sendErrorPage(res, coded, requestId, what === 'sign-in callback' ? { 'set-cookie': clearAttempt } : {});
      }
    };

  return [
    {
      method: 'GET',
      path: '/auth/sign-in',
      handle: step('sign-in', async (req, res) => {
        const returnTo = parseReturnPath(new URL(req.url ?? '/', 'http://localhost').searchParams.get('return'));
        const { redirect, browserToken } = await sessions.begin(returnTo);
        res.writeHead(302, {
          location: redirect.href,
          'cache-control': 'no-store',
          // Lax: the provider brings the browser back with a top-level cross-site navigation.
          'set-cookie': cookie(ATTEMPT_COOKIE, browserToken, {
            path: CALLBACK_PATH,
            maxAge: sessions.attemptTtlSeconds,
            sameSite: 'Lax',
            secure,
          }),
        });
        res.end();
      }),
    },
    {
      method: 'GET',
      path: CALLBACK_PATH,
      handle: step('sign-in callback', async (req, res) => {
        const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
        const { sessionToken, returnTo } = await sessions.complete(params, cookieValue(req.headers, ATTEMPT_COOKIE));
        res.writeHead(303, {
          location: returnTo,
          'cache-control': 'no-store',
          'set-cookie': [
            clearAttempt,
            cookie(sessionCookie, sessionToken, { path: '/', maxAge: sessions.maxAgeSeconds, sameSite: 'Strict', secure }),
          ],
        });
        res.end();
      }),
    },
    {
      method: 'POST',
      path: '/auth/sign-out',
      handle: async (req, res) => {
        const requestId = requestIdOf(req);
        try {
          const endSession = await sessions.signOut(cookieValue(req.headers, sessionCookie));
          sendJson(res, 200, { signedOut: true, endSessionUrl: endSession?.href ?? null }, { 'set-cookie': clearSession });
        } catch (error) {
          logger.error('sign-out failed', { rid: requestId, error });
          sendJson(
            res,
            500,
            { errors: [{ message: 'Internal error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }] },
            { 'set-cookie': clearSession, 'x-request-id': requestId },
          );
        }
      },
    },
  ];
}

/**
 * `GET /auth/options`: the ways to sign in this gateway offers, for the console's sign-in page, and whether it has
 * the development mailbox (`GET /dev/mailbox`), for the console's navigation.
 */
export function signInOptionsRoute(offers: { oidc: { name: string } | null; devSignIn: boolean; devMailbox: boolean }): Route {
  return {
    method: 'GET',
    path: '/auth/options',
    handle: (_req, res) => sendJson(res, 200, offers, { 'cache-control': 'no-store' }),
  };
}
