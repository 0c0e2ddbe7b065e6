import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { verifyServiceToken, type VerificationKey } from '@kyoyo/auth';
import { type equipmentSchema, type Database } from '@kyoyo/db';
import { DomainError, ErrorCode } from '@kyoyo/domain';
import { createFormatError, createHttpApp, listen, Metrics, sendJson, shutdown, type Logger } from '@kyoyo/server-kit';
import type { BookingEvents } from './bookings/bookings.service';
import { ChangeNotifier } from './change-feed/change-feed.notifier';
import { ChangeFeedRepository } from './change-feed/change-feed.repository';
import { ChangeFeedService, DEFAULT_RETENTION_DAYS } from './change-feed/change-feed.service';
import { createContextFactory, type Clock, type EquipmentContext } from './common/context';
import { BookingNotices, type NoticeSettings } from './notifications/booking-notices';
import type { MailSender } from './notifications/mail-sender';
import { NotificationWorker, type WorkerOptions } from './notifications/notification.worker';
import { NotificationsRepository, OUTBOX_CHANNEL } from './notifications/notifications.repository';
import { ReminderSweep } from './notifications/reminder.sweep';
import { RemindersRepository } from './notifications/reminders.repository';
import { createSchema } from './schema';

export interface EquipmentAppOptions {
  institution: string;
  database: Database<typeof equipmentSchema>;
  /** The gateway's public key (or keys by `kid`, during a rotation): only calls it signed for this institution are served. */
  gatewayKey: VerificationKey;
  logger: Logger;
  maxBodyBytes: number;
  production: boolean;
  /** Where every request reads "now" (default: the system clock); tests move it. */
  clock?: Clock;
  /** Days the change feed keeps changes (default 35); pruned at start and then daily. */
  changeRetentionDays?: number;
  /** E-mail: how messages are addressed and signed, and the SMTP sender (none: the outbox is written, not sent). */
  mail?: MailOptions;
}

/** How an institution's e-mail goes out. */
export interface MailOptions {
  settings: NoticeSettings;
  sender: MailSender | null;
  worker?: WorkerOptions;
  /** How often reminders and qualification notices are looked for (ms, default 5 minutes). */
  sweepIntervalMs?: number;
}

/** A running equipment service. */
export interface EquipmentApp {
  server: Server;
  listen(port: number, host: string): Promise<number>;
  /** Drains in-flight requests, then closes the database pool. */
  stop(): Promise<void>;
}

function bearerOf(header: string | undefined): string | null {
  const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header ?? '');
  return match?.[1] ?? null;
}

/** The booking counters of `/metrics`, fed by every request's `BookingsService`. */
function bookingMetrics(metrics: Metrics): BookingEvents {
  const created = metrics.counter(
    'bookings_created_total',
    'Bookings made, by the status they start in (PENDING awaits the facility office, CONFIRMED does not).',
    ['status'],
  );
  // Both statuses from the start, so that a rate over them is defined before the first booking.
  for (const status of ['PENDING', 'CONFIRMED']) created.inc({ status }, 0);
  const replays = metrics.counter(
    'booking_replays_total',
    'createBooking retries answered with the booking their idempotency key had already made.',
  );
  const conflicts = metrics.counter(
    'booking_conflicts_total',
    'Bookings refused with SLOT_UNAVAILABLE when stored: another active booking holds part of the period (exclusion constraint bookings_no_overlap) or the instrument is closed then.',
  );
  return {
    created: (booking) => created.inc({ status: booking.status }),
    replayed: () => replays.inc(),
    conflict: () => conflicts.inc(),
  };
}

/**
 * Builds one institution's equipment service: GraphQL at `/graphql`, `/healthz`, `/readyz`, `/metrics` (its
 * own registry: `kyoyo_equipment_…`).
 */
export async function createEquipmentApp(options: EquipmentAppOptions): Promise<EquipmentApp> {
  const { institution, database, logger } = options;
  const metrics = new Metrics('kyoyo_equipment_');
  metrics.trackPool(database.pool);
  const bookingEvents = bookingMetrics(metrics);
  const notifier = new ChangeNotifier(database.sql, logger);
  await notifier.start();
  const retentionDays = options.changeRetentionDays ?? DEFAULT_RETENTION_DAYS;
  const mail = options.mail ?? { settings: { institutionName: institution, officeEmail: null, consoleUrl: null }, sender: null };
  const outboxRepository = new NotificationsRepository(database.db);
  const mailer = mail.sender ? new NotificationWorker(outboxRepository, mail.sender, logger, mail.worker) : null;
  const notices = new BookingNotices(mail.settings);
  const sweep = new ReminderSweep(new RemindersRepository(database.db), outboxRepository, notices, logger);
  // A transaction that wrote messages notifies on commit: the sender looks at once, not at its next round.
  const outbox = mailer ? await database.sql.listen(OUTBOX_CHANNEL, () => mailer.wake()) : null;
  if (!mailer) logger.warn('no SMTP server (SMTP_URL): e-mail is kept in the outbox and not sent');
  const contextFor = createContextFactory(database.db, institution, logger, {
    clock: options.clock,
    notifier,
    changeRetentionDays: retentionDays,
    notices,
  });
  const pruner = new ChangeFeedService(new ChangeFeedRepository(database.db), retentionDays);
  const prune = () =>
    pruner
      .prune(new Date())
      .then((deleted) => deleted > 0 && logger.info('change feed pruned', { deleted, retentionDays }))
      .catch((error: unknown) => logger.warn('change feed pruning failed', { error }));
  void prune();
  const pruning = setInterval(prune, 86_400_000);
  pruning.unref();
  const apollo = new ApolloServer<EquipmentContext>({
    schema: createSchema(),
    formatError: createFormatError(logger, metrics),
    introspection: !options.production,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    // Signals are ours: `onShutdownSignal` drains the HTTP server, then stops Apollo and closes the pool.
    stopOnTerminationSignals: false,
    // Cache control is off: nothing caches a service's answers, and the plugin would wrap every field resolver
    // with instrumentation (BENCHMARKS.md: where the time goes).
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), metrics.apolloPlugin()],
  });

  const server = createHttpApp<EquipmentContext>({
    logger,
    metrics,
    graphql: {
      apollo,
      maxBodyBytes: options.maxBodyBytes,
      context: async (req) => {
        const token = bearerOf(req.headers.authorization);
        if (!token) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Only the national gateway may call this service');
        const call = await verifyServiceToken(token, options.gatewayKey, institution);
        const context = contextFor(call.identity, call.requestId);
        context.bookings.events = bookingEvents;
        return context;
      },
    },
    routes: [
      { method: 'GET', path: '/healthz', handle: (_req, res) => sendJson(res, 200, { status: 'ok', institution }) },
      {
        method: 'GET',
        path: '/readyz',
        handle: async (_req, res) => {
          try {
            await database.sql`SELECT 1`.execute();
            sendJson(res, 200, { status: 'ready', institution, database: 'up' });
          } catch (error) {
            logger.warn('database not ready', { error });
            sendJson(res, 503, { status: 'not ready', institution, database: 'down' });
          }
        },
      },
    ],
  });
  apollo.addPlugin(ApolloServerPluginDrainHttpServer({ httpServer: server }));
  await apollo.start();
  mailer?.start();
  sweep.start(mail.sweepIntervalMs ?? 300_000);

  return {
    server,
    listen: (port, host) => listen(server, port, host),
    stop: async () => {
      // Long polls answer first, so that draining does not wait out their time.
      await notifier.stop();
      await shutdown(server, async () => {
        clearInterval(pruning);
        sweep.stop();
        await outbox?.unlisten();
        await mailer?.stop();
        await apollo.stop();
        await database.close();
      });
    },
  };
}
