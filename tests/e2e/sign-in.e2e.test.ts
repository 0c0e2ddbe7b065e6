import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieBrowser } from './support/cookie-browser';
import { startFederation, uniqueCode, type TestFederation } from './support/federation';
import { startOidcProvider, type TestOidcProvider } from './support/oidc-provider';
import { freePort } from './support/service-process';

/**
 * The console's OpenID Connect sign-in (issue #22) against a real provider (`oidc-provider`): the browser goes
 * to the provider and back (authorization code + PKCE), the gateway keeps the session and the browser only an
 * HttpOnly cookie; the identity is renewed with the provider when its access token expires (3 s here); sign-out
 * ends the session. A forged, replayed or foreign callback, a wrong state, a refusal and an unreachable provider
 * each answer a coded page and leave no session.
 */

const A = {
  code: uniqueCode('signin-a'),
  name: '甲大学',
  prefecture: '京都府',
  location: { latitude: 35.03, longitude: 135.78 },
};
const ACCESS_TTL_SECONDS = 3;

let federation: TestFederation;
let provider: TestOidcProvider;
let origin: string;
const ME = '{ me { id institution { code } organization roles } }';

const sessionCount = async (where: 'open' | 'all' = 'all') => {
  const [row] =
    where === 'open'
      ? await federation.gatewayDatabase.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM sessions WHERE ended_at IS NULL`
      : await federation.gatewayDatabase.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM sessions`;
  return row!.n;
};

/** A GraphQL call with the browser's cookies only (no Authorization header). */
async function me(browser: CookieBrowser) {
  const response = await browser.fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: ME }),
  });
  return (await response.json()) as {
    data?: { me: { id: string; institution: { code: string } | null; roles: string[] } | null };
    errors?: { message: string; extensions?: { code?: string } }[];
  };
}

/** Starts a sign-in and stops at the provider's sign-in page. */
async function toProvider(browser: CookieBrowser, returnTo = '/#/bookings') {
  const { response, steps } = await browser.navigate(`${origin}/auth/sign-in?return=${encodeURIComponent(returnTo)}`);
  expect(steps[0]!.status).toBe(302);
  const authorize = new URL(steps[0]!.location!);
  const last = steps.at(-1)!.url;
  return { authorize, pageUrl: last, html: await response.text() };
}

/** Signs in as `login` at the provider and stops at the gateway's callback (not followed). */
async function callbackFor(browser: CookieBrowser, login: string) {
  const { pageUrl, html } = await toProvider(browser);
  const form = /<form[^>]*action="([^"]+)"/.exec(html)![1]!;
  let response = await browser.fetch(new URL(form, pageUrl).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login, action: 'sign-in' }).toString(),
  });
  // The provider's own redirects, up to the one that leaves for the gateway's callback.
  for (let hop = 0; hop < 6; hop++) {
    const location = new URL(response.headers.get('location')!, provider.issuer);
    await response.body?.cancel();
    if (location.origin === origin) return location;
    response = await browser.fetch(location.href);
  }
  throw new Error('the provider never returned to the gateway');
}

beforeAll(async () => {
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  provider = await startOidcProvider({
    redirectUri: `${origin}/auth/callback`,
    postSignOutUri: `${origin}/`,
    accessTokenTtlSeconds: ACCESS_TTL_SECONDS,
  });
  provider.addAccount({
    sub: 'hanako@a.ac.jp',
    inst: A.code,
    org: '甲大学',
    aff: 'academic',
    roles: ['ADMIN'],
    email: 'hanako.sato@a.ac.jp',
    locale: 'en-GB',
  });
  provider.addAccount({ sub: 'taro@a.ac.jp', inst: A.code, org: '甲大学' });
  federation = await startFederation([A], {
    gatewayPort: port,
    gateway: { signIn: provider.signInOption(origin) },
  });
});
afterAll(async () => {
  await federation?.stop();
  await provider?.stop();
});

describe('signing in through the OpenID provider', () => {
  it('offers the provider on the console’s sign-in page options', async () => {
    const response = await fetch(`${origin}/auth/options`);
    expect(await response.json()).toEqual({ oidc: { name: 'Test campus' }, devSignIn: false, devMailbox: false });
  });

  it('signs in with code + PKCE, keeps only a random HttpOnly cookie in the browser, and acts as the person', async () => {
    const browser = new CookieBrowser();
    const { authorize } = await toProvider(browser);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: provider.clientId,
      redirect_uri: `${origin}/auth/callback`,
      code_challenge_method: 'S256',
      scope: 'openid offline_access email profile kyoyo',
    });
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    const callback = await callbackFor(browser, 'hanako@a.ac.jp');
    expect(callback.pathname).toBe('/auth/callback');
    const answer = await browser.fetch(callback.href);
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/#/bookings');
    const setCookies = answer.headers.getSetCookie();
    const session = setCookies.find((c) => c.startsWith('kyoyo_session='))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Strict/);
    expect(session).toMatch(/Path=\//);
    // The attempt cookie is spent.
    expect(setCookies.find((c) => c.startsWith('kyoyo_sign_in='))).toMatch(/Max-Age=0/);

    const who = await me(browser);
    expect(who.errors).toBeUndefined();
    // The provider's ADMIN claim does not count (it is not trusted for roles): a researcher of A.
    expect(who.data!.me).toMatchObject({ id: 'hanako@a.ac.jp', institution: { code: A.code }, roles: ['RESEARCHER'] });
    // The provider's standard email and locale claims say where and in which language the owners write.
    const mail = await browser.fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { notificationPreferences { email language } } }' }),
    });
    expect(((await mail.json()) as { data: unknown }).data).toEqual({
      me: { notificationPreferences: { email: 'hanako.sato@a.ac.jp', language: 'EN' } },
    });
    // The browser's token is not what the database holds, and no provider token reached the browser.
    const cookieValue = browser.cookie(origin, 'kyoyo_session')!;
    const [row] = await federation.gatewayDatabase.sql<{ token_hash: string; refresh_token: string | null }[]>`
      SELECT token_hash, refresh_token FROM sessions WHERE subject = 'hanako@a.ac.jp'`;
    expect(row!.token_hash).not.toBe(cookieValue);
    expect(row!.refresh_token).toBeTruthy();
    expect(cookieValue).not.toContain('.');
  });

  it('renews the identity with the provider when the access token expires, and ends the session when the provider refuses', async () => {
    const browser = new CookieBrowser();
    await browser.fetch((await callbackFor(browser, 'taro@a.ac.jp')).href);
    expect((await me(browser)).data!.me!.id).toBe('taro@a.ac.jp');
    await new Promise((resolve) => setTimeout(resolve, (ACCESS_TTL_SECONDS + 1) * 1000));
    expect((await me(browser)).data!.me!.id).toBe('taro@a.ac.jp');
    const [renewed] = await federation.gatewayDatabase.sql<{ refreshed_at: Date | null; identity_expires_at: Date }[]>`
      SELECT refreshed_at, identity_expires_at FROM sessions WHERE subject = 'taro@a.ac.jp'`;
    expect(renewed!.refreshed_at).not.toBeNull();
    expect(new Date(renewed!.identity_expires_at).getTime()).toBeGreaterThan(Date.now());

    // The campus closes the account: at the next renewal the provider refuses, and the session ends.
    provider.removeAccount('taro@a.ac.jp');
    await new Promise((resolve) => setTimeout(resolve, (ACCESS_TTL_SECONDS + 1) * 1000));
    const refused = await me(browser);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(refused.errors?.[0]?.message).toMatch(/session has ended/);
    const [ended] = await federation.gatewayDatabase.sql<{ end_reason: string | null }[]>`
      SELECT end_reason FROM sessions WHERE subject = 'taro@a.ac.jp'`;
    expect(ended!.end_reason).toMatch(/refused/);
    provider.addAccount({ sub: 'taro@a.ac.jp', inst: A.code, org: '甲大学' });
  });

  it('signs out: the session ends at once, the cookie is cleared, and the provider’s sign-out page is answered', async () => {
    const browser = new CookieBrowser();
    await browser.fetch((await callbackFor(browser, 'hanako@a.ac.jp')).href);
    const stolen = browser.cookie(origin, 'kyoyo_session')!;
    const response = await browser.fetch(`${origin}/auth/sign-out`, { method: 'POST' });
    const body = (await response.json()) as { signedOut: boolean; endSessionUrl: string };
    expect(body.signedOut).toBe(true);
    const endSession = new URL(body.endSessionUrl);
    expect(endSession.origin).toBe(provider.issuer);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${origin}/`);
    expect(endSession.searchParams.get('id_token_hint')).toBeTruthy();
    expect(browser.cookie(origin, 'kyoyo_session')).toBeUndefined();
    // A copy of the cookie kept elsewhere is worth nothing now.
    const thief = new CookieBrowser();
    thief.setCookie(origin, 'kyoyo_session', stolen);
    expect((await me(thief)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('ends an expired or idle session with UNAUTHENTICATED, never anonymous', async () => {
    const browser = new CookieBrowser();
    await browser.fetch((await callbackFor(browser, 'hanako@a.ac.jp')).href);
    const hash = await federation.gatewayDatabase.sql<{ id: string }[]>`
      SELECT id FROM sessions WHERE subject = 'hanako@a.ac.jp' AND ended_at IS NULL ORDER BY created_at DESC LIMIT 1`;
    await federation.gatewayDatabase.sql`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = ${hash[0]!.id}`;
    const expired = await me(browser);
    expect(expired.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(expired.errors?.[0]?.message).toMatch(/ended \(expired\)/);

    const idle = new CookieBrowser();
    await idle.fetch((await callbackFor(idle, 'hanako@a.ac.jp')).href);
    await federation.gatewayDatabase.sql`
      UPDATE sessions SET last_seen_at = now() - interval '3 hours'
      WHERE subject = 'hanako@a.ac.jp' AND ended_at IS NULL`;
    const answer = await me(idle);
    expect(answer.errors?.[0]?.message).toMatch(/ended \(idle\)/);
  });

  it('keeps bearer tokens working for scripts beside the cookie session', async () => {
    const token = await federation.token({ id: 'script@a.ac.jp', institution: A.code, roles: ['RESEARCHER'] });
    const answer = await federation.query<{ me: { id: string } }>(ME, {}, token);
    expect(answer.data!.me.id).toBe('script@a.ac.jp');
  });
});

describe('refusing a sign-in that cannot be trusted', () => {
  const errorPage = async (response: Response) => {
    const html = await response.text();
    return { status: response.status, code: /data-code="([A-Z_]+)"/.exec(html)?.[1], html };
  };

  it('refuses a wrong state, a callback without one, and a callback from another browser', async () => {
    const before = await sessionCount();
    const browser = new CookieBrowser();
    const callback = await callbackFor(browser, 'hanako@a.ac.jp');

    const wrongState = new URL(callback);
    wrongState.searchParams.set('state', 'not-the-state-we-sent');
    expect(await errorPage(await browser.fetch(wrongState.href))).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    const noState = new URL(callback);
    noState.searchParams.delete('state');
    expect(await errorPage(await browser.fetch(noState.href))).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });

    // An attacker's own callback pressed on a victim (login CSRF): the victim's browser never began it.
    const victim = new CookieBrowser();
    const page = await errorPage(await victim.fetch(callback.href));
    expect(page).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    expect(page.html).toContain('another browser');
    // …and that used the attempt up: the attacker cannot finish it either.
    expect(await errorPage(await browser.fetch(callback.href))).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    expect(await sessionCount()).toBe(before);
  });

  it('refuses a replayed callback and a replayed code, and a forged code', async () => {
    const browser = new CookieBrowser();
    const callback = await callbackFor(browser, 'hanako@a.ac.jp');
    expect((await browser.fetch(callback.href)).status).toBe(303);
    const after = await sessionCount();
    // The same callback again: its attempt is spent.
    expect(await errorPage(await browser.fetch(callback.href))).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });

    // The same code with a fresh attempt (of a browser not signed in at the provider, so that it stops at its
    // sign-in page): the provider refuses it (used already, and another PKCE verifier).
    const other = new CookieBrowser();
    const { authorize } = await toProvider(other);
    const replay = new URL(`${origin}/auth/callback`);
    replay.searchParams.set('code', callback.searchParams.get('code')!);
    replay.searchParams.set('state', authorize.searchParams.get('state')!);
    replay.searchParams.set('iss', provider.issuer);
    const replayed = await errorPage(await other.fetch(replay.href));
    expect(replayed).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(replayed.html).toContain('invalid_grant');

    const { authorize: fresh } = await toProvider(other);
    const forged = new URL(`${origin}/auth/callback`);
    forged.searchParams.set('code', 'forged-code-0123456789');
    forged.searchParams.set('state', fresh.searchParams.get('state')!);
    forged.searchParams.set('iss', provider.issuer);
    expect(await errorPage(await other.fetch(forged.href))).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(await sessionCount()).toBe(after);
  });

  it('shows the provider’s refusal as a coded page, and refuses a return path off this site', async () => {
    const browser = new CookieBrowser();
    const { pageUrl, html } = await toProvider(browser);
    const { response } = await browser.submit(pageUrl, html, { action: 'refuse' });
    const page = await errorPage(response);
    expect(page).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    expect(page.html).toContain('access_denied');

    for (const target of [
      '//evil.example/',
      'https://evil.example/',
      '/\\evil.example',
      'bookings',
      '/\u0000x',
      `/${'a'.repeat(600)}`,
    ]) {
      const answer = await browser.fetch(`${origin}/auth/sign-in?return=${encodeURIComponent(target)}`);
      expect(await errorPage(answer), target).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    }
  });

  it('refuses a state of 10,000 characters without looking it up', async () => {
    const answer = await fetch(`${origin}/auth/callback?code=x&state=${'s'.repeat(10_000)}`);
    expect(await errorPage(answer)).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
  });

  it('answers IDENTITY_PROVIDER_UNAVAILABLE when the provider cannot be reached, and begins no attempt', async () => {
    const port = await freePort();
    const unreachable = await startFederation([], {
      gatewayPort: port,
      gateway: {
        signIn: {
          client: {
            issuer: `http://127.0.0.1:${await freePort()}`,
            clientId: 'x',
            redirectUri: `http://127.0.0.1:${port}/auth/callback`,
          },
          providerName: 'Down campus',
        },
      },
    });
    try {
      const page = await errorPage(await fetch(`http://127.0.0.1:${port}/auth/sign-in`, { redirect: 'manual' }));
      expect(page).toMatchObject({ status: 503, code: 'IDENTITY_PROVIDER_UNAVAILABLE' });
      expect(page.html).toContain('認証サービスに接続できません');
      const [row] = await unreachable.gatewayDatabase.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM sign_in_attempts`;
      expect(row!.n).toBe(0);
    } finally {
      await unreachable.stop();
    }
  });

  // Last: it stops the provider this file shares.
  it('keeps a session working on the identity confirmed last while the provider is down, and asks again later', async () => {
    const browser = new CookieBrowser();
    await browser.fetch((await callbackFor(browser, 'hanako@a.ac.jp')).href);
    const id = browser.cookie(origin, 'kyoyo_session')!;
    expect(id).toBeTruthy();
    await provider.stop();
    await new Promise((resolve) => setTimeout(resolve, (ACCESS_TTL_SECONDS + 1) * 1000));
    const answer = await me(browser);
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.me!.id).toBe('hanako@a.ac.jp');
    const [row] = await federation.gatewayDatabase.sql<
      { refreshed_at: string | null; ended_at: string | null; identity_expires_at: string }[]
    >`
      SELECT refreshed_at, ended_at, identity_expires_at FROM sessions
      WHERE subject = 'hanako@a.ac.jp' ORDER BY created_at DESC LIMIT 1`;
    expect(row!.ended_at).toBeNull();
    // Asked again in about a minute (the retry interval), not on every request.
    expect(new Date(row!.identity_expires_at).getTime()).toBeGreaterThan(Date.now() + 30_000);
  });
});
