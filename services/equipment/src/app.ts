import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { verifyServiceToken, type CryptoKey } from '@kyoyo/auth';
import { type equipmentSchema, type Database } from '@kyoyo/db';
import { DomainError, ErrorCode } from '@kyoyo/domain';
import { createFormatError, createHttpApp, listen, sendJson, shutdown, type Logger } from '@kyoyo/server-kit';
import { createContextFactory, type Clock, type EquipmentContext } from './common/context';
import { createSchema } from './schema';

export interface EquipmentAppOptions {
  institution: string;
  database: Database<typeof equipmentSchema>;
  /** The gateway's public key: only calls it signed for this institution are served. */
  gatewayKey: CryptoKey;
  logger: Logger;
  maxBodyBytes: number;
  production: boolean;
  /** Where every request reads "now" (default: the system clock); tests move it. */
  clock?: Clock;
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

/** Builds one institution's equipment service: GraphQL at `/graphql`, `/healthz`, `/readyz`. */
export async function createEquipmentApp(options: EquipmentAppOptions): Promise<EquipmentApp> {
  const { institution, database, logger } = options;
  const contextFor = createContextFactory(database.db, institution, logger, options.clock);
  const apollo = new ApolloServer<EquipmentContext>({
    schema: createSchema(),
    formatError: createFormatError(logger),
    introspection: !options.production,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    // Signals are ours: `onShutdownSignal` drains the HTTP server, then stops Apollo and closes the pool.
    stopOnTerminationSignals: false,
    // Cache control is off: nothing caches a service's answers, and the plugin would wrap every field resolver
    // with instrumentation (BENCHMARKS.md: where the time goes).
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled()],
  });

  const server = createHttpApp<EquipmentContext>({
    logger,
    graphql: {
      apollo,
      maxBodyBytes: options.maxBodyBytes,
      context: async (req) => {
        const token = bearerOf(req.headers.authorization);
        if (!token) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Only the national gateway may call this service');
        const call = await verifyServiceToken(token, options.gatewayKey, institution);
        return contextFor(call.identity, call.requestId);
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

  return {
    server,
    listen: (port, host) => listen(server, port, host),
    stop: () =>
      shutdown(server, async () => {
        await apollo.stop();
        await database.close();
      }),
  };
}
