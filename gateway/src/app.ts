import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { KeyPair } from '@kyoyo/auth';
import type { Database } from '@kyoyo/db';
import { createFormatError, createHttpApp, listen, sendJson, shutdown, type Logger } from '@kyoyo/server-kit';
import { createAuthenticator, type TrustedIssuer } from './auth/authenticator';
import { usageStatementRoute } from './bookings/usage-statement.route';
import { responseNotices } from './common/response-notices';
import { DuplicateChecksRepository } from './duplicate-checks/duplicate-checks.repository';
import { duplicateChecksRoute } from './duplicate-checks/duplicate-checks.route';
import { createContextFactory, type GatewayContext } from './common/context';
import { InstitutionClient } from './federation/institution-client';
import { refreshInstrumentCount } from './institutions/institutions.service';
import { localLandingPage } from './landing/landing-page';
import { InstitutionRegistry } from './registry/registry';
import type * as gatewaySchema from './db/schema';
import { RegistryRepository } from './registry/registry.repository';
import { createGatewaySchema } from './schema';

export interface GatewayAppOptions {
  database: Database<typeof gatewaySchema>;
  signingKey: KeyPair;
  issuers: TrustedIssuer[];
  logger: Logger;
  timeoutMs: number;
  healthIntervalMs: number;
  maxBodyBytes: number;
  production: boolean;
}

export interface GatewayApp {
  server: Server;
  registry: InstitutionRegistry;
  client: InstitutionClient;
  listen(port: number, host: string): Promise<number>;
  /** Reloads the registry and asks every institution for its summary (updates health). */
  probe(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the national gateway: public GraphQL at `/graphql`, `/healthz`, `/readyz`, a local landing page. */
export async function createGatewayApp(options: GatewayAppOptions): Promise<GatewayApp> {
  const { database, logger } = options;
  const registry = new InstitutionRegistry(new RegistryRepository(database.db), logger);
  await registry.refresh();
  const client = new InstitutionClient(registry, options.signingKey, { timeoutMs: options.timeoutMs }, logger);
  const authenticate = createAuthenticator(options.issuers);
  const contextFor = createContextFactory(registry, client, new DuplicateChecksRepository(database.db), logger);

  const apollo = new ApolloServer<GatewayContext>({
    schema: createGatewaySchema(),
    formatError: createFormatError(logger),
    introspection: !options.production,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    plugins: [localLandingPage(), responseNotices()],
  });

  const probe = async () => {
    await registry.refresh();
    const call = { identity: null, requestId: `probe-${randomUUID()}` };
    await Promise.all(registry.all().map((i) => refreshInstrumentCount(registry, client, i.code, call)));
  };

  const server = createHttpApp<GatewayContext>({
    logger,
    graphql: {
      apollo,
      maxBodyBytes: options.maxBodyBytes,
      context: async (req, requestId) => contextFor(await authenticate(req.headers.authorization), requestId),
    },
    routes: [
      usageStatementRoute({ authenticate, contextFor, logger }),
      duplicateChecksRoute({ authenticate, contextFor, logger }),
      { method: 'GET', path: '/', handle: (_req, res) => void res.writeHead(302, { location: '/graphql' }).end() },
      { method: 'GET', path: '/healthz', handle: (_req, res) => sendJson(res, 200, { status: 'ok' }) },
      {
        method: 'GET',
        path: '/readyz',
        handle: async (_req, res) => {
          const institutions = registry.all().map((i) => ({ code: i.code, health: registry.health(i.code) }));
          try {
            await database.sql`SELECT 1`.execute();
            sendJson(res, 200, { status: 'ready', database: 'up', institutions });
          } catch (error) {
            logger.warn('database not ready', { error });
            sendJson(res, 503, { status: 'not ready', database: 'down', institutions });
          }
        },
      },
    ],
  });
  apollo.addPlugin(ApolloServerPluginDrainHttpServer({ httpServer: server }));
  await apollo.start();

  let timer: NodeJS.Timeout | undefined;
  return {
    server,
    registry,
    client,
    probe,
    listen: async (port, host) => {
      const bound = await listen(server, port, host);
      await probe();
      timer = setInterval(
        () => void probe().catch((error: unknown) => logger.warn('probe failed', { error })),
        options.healthIntervalMs,
      );
      timer.unref();
      return bound;
    },
    stop: () =>
      shutdown(server, async () => {
        clearInterval(timer);
        await apollo.stop();
        await database.close();
      }),
  };
}
