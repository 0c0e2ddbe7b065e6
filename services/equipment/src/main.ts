/** Process entry of one institution's equipment service: validated config, database pool, HTTP server. */
import { verificationKeyFor } from '@kyoyo/auth';
import { connect, equipmentSchema } from '@kyoyo/db';
import { createLogger, exitOnConfigError, onShutdownSignal } from '@kyoyo/server-kit';
import { createEquipmentApp } from './app';
import { loadConfig } from './config';
import { smtpSender } from './notifications/mail-sender';

let config;
try {
  config = loadConfig();
} catch (error) {
  exitOnConfigError(error, 'equipment-service');
}

const logger = createLogger(`equipment:${config.INSTITUTION_CODE}`, config.LOG_LEVEL);
const app = await createEquipmentApp({
  institution: config.INSTITUTION_CODE,
  database: connect(config.DATABASE_URL, equipmentSchema, {
    max: config.DATABASE_POOL_MAX,
    applicationName: `kyoyo-${config.INSTITUTION_CODE}`,
  }),
  // One key, or the current and the next during a key rotation (chosen by each token's kid).
  gatewayKey: await verificationKeyFor(config.gatewayKeys),
  logger,
  maxBodyBytes: config.MAX_BODY_BYTES,
  production: config.NODE_ENV === 'production',
  changeRetentionDays: config.CHANGE_RETENTION_DAYS,
  mail: {
    settings: {
      institutionName: config.INSTITUTION_NAME ?? config.INSTITUTION_CODE,
      officeEmail: config.OFFICE_EMAIL ?? null,
      consoleUrl: config.CONSOLE_URL ?? null,
    },
    sender: config.SMTP_URL ? smtpSender(config.SMTP_URL, config.MAIL_FROM!, config.INSTITUTION_CODE) : null,
    worker: { intervalMs: config.MAIL_INTERVAL_MS },
  },
});
const port = await app.listen(config.PORT, config.HOST);
logger.info('listening', {
  url: `http://${config.HOST}:${port}/graphql`,
  institution: config.INSTITUTION_CODE,
  // Which gateway keys calls may be signed with: an operator checks here that a rotation reached this service.
  gatewayKeys: config.gatewayKeys.map((key) => key.kid ?? '(no kid)'),
});
onShutdownSignal(logger, app.stop);
