/** Process entry of the national gateway: validated config, keys, registry, HTTP server. */
import { readFile } from 'node:fs/promises';
import type { JWK } from 'jose';
import { keyPairFromJwk, loadOrCreateKeyPair, publicKeyFromJwk, type KeyPair } from '@kyoyo/auth';
import { connect } from '@kyoyo/db';
import { createLogger, exitOnConfigError, onShutdownSignal } from '@kyoyo/server-kit';
import { createGatewayApp } from './app';
import { devIssuer, oidcIssuer, type TrustedIssuer } from './auth/authenticator';
import { loadConfig, type GatewayConfig } from './config';
import * as gatewaySchema from './db/schema';

let config: GatewayConfig;
try {
  config = loadConfig();
} catch (error) {
  exitOnConfigError(error, 'gateway');
}

const logger = createLogger('gateway', config.LOG_LEVEL);
const issuers: TrustedIssuer[] = [];
/** Development: the console's sign-in page signs tokens with the development issuer's key (when the file holds it). */
let devSignIn: KeyPair | undefined;
if (config.DEV_ISSUER_JWK_FILE) {
  const jwk = JSON.parse(await readFile(config.DEV_ISSUER_JWK_FILE, 'utf8')) as JWK;
  const { d: _private, ...publicJwk } = jwk;
  issuers.push(devIssuer(await publicKeyFromJwk(publicJwk)));
  if (jwk.d) devSignIn = await keyPairFromJwk(jwk);
}
if (config.OIDC_ISSUER && config.OIDC_AUDIENCE && config.OIDC_JWKS_URL) {
  issuers.push(
    oidcIssuer(config.OIDC_ISSUER, config.OIDC_AUDIENCE, config.OIDC_JWKS_URL, {
      ...(config.OIDC_CLAIM_NAMES ? { claimNames: config.OIDC_CLAIM_NAMES } : {}),
      trustRoleClaims: config.OIDC_TRUST_ROLE_CLAIMS,
      defaultRoles: config.OIDC_DEFAULT_ROLES,
    }),
  );
}

/** The key the gateway signs its calls to services with: configured in production, created at first start in development. */
async function signingKey() {
  if (config.GATEWAY_SIGNING_JWK) return keyPairFromJwk(JSON.parse(config.GATEWAY_SIGNING_JWK) as JWK);
  const file = config.GATEWAY_SIGNING_JWK_FILE!;
  if (config.NODE_ENV === 'production') return keyPairFromJwk(JSON.parse(await readFile(file, 'utf8')) as JWK);
  return loadOrCreateKeyPair(file);
}

const app = await createGatewayApp({
  database: connect(config.DATABASE_URL, gatewaySchema, { max: config.DATABASE_POOL_MAX, applicationName: 'kyoyo-gateway' }),
  ...(config.CATALOGUE_READ_URL
    ? {
        catalogueReader: connect(config.CATALOGUE_READ_URL, gatewaySchema, {
          max: config.DATABASE_POOL_MAX,
          applicationName: 'kyoyo-gateway-search',
        }),
      }
    : {}),
  harvest: { waitMs: config.HARVEST_WAIT_MS },
  staleAfterMs: config.CATALOGUE_STALE_AFTER_MS,
  reconcile: config.CATALOGUE_RECONCILE_INTERVAL_MS === 0 ? false : { intervalMs: config.CATALOGUE_RECONCILE_INTERVAL_MS },
  signingKey: await signingKey(),
  issuers,
  logger,
  timeoutMs: config.INSTITUTION_TIMEOUT_MS,
  healthIntervalMs: config.HEALTH_INTERVAL_MS,
  maxBodyBytes: config.MAX_BODY_BYTES,
  maxImportBodyBytes: config.MAX_IMPORT_BODY_BYTES,
  operationLimits: { maxDepth: config.MAX_QUERY_DEPTH, maxAliases: config.MAX_QUERY_ALIASES, maxCost: config.MAX_QUERY_COST },
  rateLimits: { perUserPerMinute: config.RATE_LIMIT_PER_USER, perAddressPerMinute: config.RATE_LIMIT_PER_ADDRESS },
  concurrency: { perAddress: config.MAX_IN_FLIGHT_PER_ADDRESS, total: config.MAX_IN_FLIGHT },
  trustProxy: config.TRUST_PROXY,
  production: config.NODE_ENV === 'production',
  devSignIn,
  ...(config.DEV_MAILBOX_URL ? { devMailboxUrl: config.DEV_MAILBOX_URL } : {}),
  ...(config.PUBLIC_URL ? { publicUrl: config.PUBLIC_URL } : {}),
  ...(config.OIDC_CLIENT_ID && config.OIDC_ISSUER && config.OIDC_REDIRECT_URI
    ? {
        signIn: {
          client: {
            issuer: config.OIDC_ISSUER,
            clientId: config.OIDC_CLIENT_ID,
            redirectUri: config.OIDC_REDIRECT_URI,
            scopes: config.OIDC_SCOPES,
            ...(config.OIDC_CLIENT_SECRET ? { clientSecret: config.OIDC_CLIENT_SECRET } : {}),
            ...(config.OIDC_POST_SIGN_OUT_URI ? { postSignOutUri: config.OIDC_POST_SIGN_OUT_URI } : {}),
            ...(config.OIDC_CLAIM_NAMES ? { claimNames: config.OIDC_CLAIM_NAMES } : {}),
          },
          providerName: config.OIDC_PROVIDER_NAME,
          sessions: {
            idleMs: config.SESSION_IDLE_MINUTES * 60_000,
            maxAgeMs: config.SESSION_MAX_HOURS * 3600_000,
            trustRoleClaims: config.OIDC_TRUST_ROLE_CLAIMS,
            defaultRoles: config.OIDC_DEFAULT_ROLES,
          },
        },
      }
    : {}),
});
const port = await app.listen(config.PORT, config.HOST);
logger.info('listening', { url: `http://${config.HOST}:${port}/graphql`, institutions: app.registry.all().length });
onShutdownSignal(logger, app.stop);
