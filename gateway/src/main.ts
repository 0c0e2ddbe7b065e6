/** Process entry of the national gateway: validated config, keys, registry, HTTP server. */
import { readFile } from 'node:fs/promises';
import type { JWK } from 'jose';
import { loadOrCreateKeyPair, publicKeyFromJwk } from '@kyoyo/auth';
import { connect } from '@kyoyo/db';
import { createLogger, exitOnConfigError, onShutdownSignal } from '@kyoyo/server-kit';
import { createGatewayApp } from './app';
import { devIssuer, oidcIssuer, type TrustedIssuer } from './auth/authenticator';
import { loadConfig } from './config';
import * as gatewaySchema from './db/schema';

let config;
try {
  config = loadConfig();
} catch (error) {
  exitOnConfigError(error, 'gateway');
}

const logger = createLogger('gateway', config.LOG_LEVEL);
const issuers: TrustedIssuer[] = [];
if (config.DEV_ISSUER_JWK_FILE) {
  const { d: _private, ...publicJwk } = JSON.parse(await readFile(config.DEV_ISSUER_JWK_FILE, 'utf8')) as JWK;
  issuers.push(devIssuer(await publicKeyFromJwk(publicJwk)));
}
if (config.OIDC_ISSUER && config.OIDC_AUDIENCE && config.OIDC_JWKS_URL) {
  issuers.push(oidcIssuer(config.OIDC_ISSUER, config.OIDC_AUDIENCE, config.OIDC_JWKS_URL));
}

const app = await createGatewayApp({
  database: connect(config.DATABASE_URL, gatewaySchema, { max: config.DATABASE_POOL_MAX, applicationName: 'kyoyo-gateway' }),
  signingKey: await loadOrCreateKeyPair(config.GATEWAY_SIGNING_JWK_FILE),
  issuers,
  logger,
  timeoutMs: config.INSTITUTION_TIMEOUT_MS,
  healthIntervalMs: config.HEALTH_INTERVAL_MS,
  maxBodyBytes: config.MAX_BODY_BYTES,
  production: config.NODE_ENV === 'production',
});
const port = await app.listen(config.PORT, config.HOST);
logger.info('listening', { url: `http://${config.HOST}:${port}/graphql`, institutions: app.registry.all().length });
onShutdownSignal(logger, app.stop);
