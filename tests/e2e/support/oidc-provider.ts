/**
 * A real OpenID provider for the test suite: `oidc-provider` (a certified implementation) on loopback, with one
 * confidential client (the gateway's console sign-in), accounts the test adds, and a plain sign-in page of its
 * own (a login field, "sign in" and "refuse" buttons) in place of the library's development pages. PKCE is
 * required, refresh tokens are issued and rotated, access tokens live `accessTokenTtlSeconds`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import type { GatewayAppOptions } from '@kyoyo/gateway';

export interface TestAccount {
  sub: string;
  inst?: string;
  org?: string;
  aff?: 'academic' | 'industry';
  roles?: string[];
  /** The standard `email` claim (scope `email`). */
  email?: string;
  /** The standard `locale` claim (scope `profile`), e.g. `en-GB`. */
  locale?: string;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Adds (or replaces) an account that can sign in. */
  addAccount(account: TestAccount): void;
  /**
   * The gateway's `signIn` option for this provider: its client, Kyoyo's scopes, shown as "Test campus", and
   * everyone signed in a RESEARCHER (the provider's role claims do not count).
   */
  signInOption(gatewayOrigin: string): NonNullable<GatewayAppOptions['signIn']>;
  /** Removes an account: the provider refuses to renew its sessions from then on. */
  removeAccount(sub: string): void;
  /** Stops answering (connections refused): the provider is unreachable. */
  stop(): Promise<void>;
}

const SCOPES = 'openid offline_access email profile kyoyo';

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;

const escape = (text: string) => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

async function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startOidcProvider(options: {
  redirectUri: string;
  postSignOutUri: string;
  accessTokenTtlSeconds?: number;
}): Promise<TestOidcProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map<string, TestAccount>();
  const clientId = 'kyoyo-console';
  const clientSecret = `secret-${Math.random().toString(36).slice(2)}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-key-1', use: 'sig', alg: 'RS256' };
  const ttl = options.accessTokenTtlSeconds ?? 600;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: [options.postSignOutUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [jwk as never] },
    cookies: { keys: ['test-provider-cookie-key'] },
    pkce: { required: () => true },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'kyoyo'],
    claims: { openid: ['sub'], email: ['email'], profile: ['locale'], kyoyo: ['inst', 'org', 'aff', 'roles'] },
    findAccount: (_ctx, id) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: () => ({ ...account, sub: id }) };
    },
    // Consent is not what these tests are about: every sign-in is granted Kyoyo's scopes.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId || !ctx.oidc.client) return undefined;
      const grant = new ctx.oidc.provider.Grant({ accountId, clientId: ctx.oidc.client.clientId });
      grant.addOIDCScope(SCOPES);
      grant.addOIDCClaims(['inst', 'org', 'aff', 'roles', 'email', 'locale']);
      await grant.save();
      return grant;
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: { AccessToken: ttl, IdToken: ttl, RefreshToken: 24 * 3600, Interaction: 600, Session: 24 * 3600, Grant: 24 * 3600 },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.body = page(
            'Sign out of the test campus?',
            `${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>`,
          );
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.body = page('Signed out of the test campus', '');
        },
      },
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Test campus error', `<p>${escape(`${out.error}: ${out.error_description ?? ''}`)}</p>`);
    },
  });
  const handle = provider.callback();

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const interaction = /^\/interaction\/([A-Za-z0-9_-]+)$/.exec(url.pathname);
    if (!interaction) return void handle(req, res);
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        if (req.method === 'GET') {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          return void res.end(
            page(
              'Test campus sign-in',
              `<form method="post" action="/interaction/${details.uid}">
<label>Login <input name="login" autocomplete="off" required></label>
<button type="submit" name="action" value="sign-in">Sign in</button>
<button type="submit" name="action" value="refuse" formnovalidate>Refuse</button>
</form>`,
            ),
          );
        }
        const form = await formOf(req);
        if (form.get('action') === 'refuse') {
          return void (await provider.interactionFinished(
            req,
            res,
            { error: 'access_denied', error_description: 'The user refused to sign in' },
            { mergeWithLastSubmission: false },
          ));
        }
        const login = form.get('login') ?? '';
        if (!accounts.has(login)) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          return void res.end(page('Test campus sign-in', `<p role="alert">No account ${escape(login)}</p>`));
        }
        await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
      } catch (error) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(String(error));
      }
    })();
  });

  return {
    issuer,
    clientId,
    clientSecret,
    addAccount: (account) => accounts.set(account.sub, account),
    signInOption: (gatewayOrigin) => ({
      client: { issuer, clientId, clientSecret, redirectUri: `${gatewayOrigin}/auth/callback`, scopes: SCOPES },
      providerName: 'Test campus',
      sessions: { defaultRoles: ['RESEARCHER'] },
    }),
    removeAccount: (sub) => accounts.delete(sub),
    stop: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
