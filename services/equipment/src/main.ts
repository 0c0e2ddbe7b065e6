/** Process entry of one institution's equipment service: validated config, database pool, HTTP server. */
import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { publicKeyFromJwk } from '@kyoyo/auth';
import { connect, equipmentSchema } from '@kyoyo/db';
import { createLogger, exitOnConfigError, onShutdownSignal } from '@kyoyo/server-kit';
import { createEquipmentApp } from './app';
import { loadConfig } from './config';

let config;
try {
  config = loadConfig();
} catch (error) {
  exitOnConfigError(error, 'equipment-service');
}

const logger = createLogger(`equipment:${config.INSTITUTION_CODE}`, config.LOG_LEVEL);
const jwkText = config.GATEWAY_PUBLIC_JWK ?? readFileSync(config.GATEWAY_PUBLIC_JWK_FILE!, 'utf8');
// A development key file holds the gateway's private JWK; keep only its public half.
const { d: _private, ...publicJwk } = JSON.parse(jwkText) as JWK;
const app = await createEquipmentApp({
  institution: config.INSTITUTION_CODE,
  database: connect(config.DATABASE_URL, equipmentSchema, {
    max: config.DATABASE_POOL_MAX,
    applicationName: `kyoyo-${config.INSTITUTION_CODE}`,
  }),
  gatewayKey: await publicKeyFromJwk(publicJwk),
  logger,
  maxBodyBytes: config.MAX_BODY_BYTES,
  production: config.NODE_ENV === 'production',
});
const port = await app.listen(config.PORT, config.HOST);
logger.info('listening', { url: `http://${config.HOST}:${port}/graphql`, institution: config.INSTITUTION_CODE });
onShutdownSignal(logger, app.stop);
