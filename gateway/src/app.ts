import type { IncomingHttpHeaders, Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { KeyPair } from '@kyoyo/auth';
import type { Database } from '@kyoyo/db';
import { createFormatError, createHttpApp, listen, Metrics, sendJson, shutdown, type Logger } from '@kyoyo/server-kit';
import { createAuthenticator, type TrustedIssuer } from './auth/authenticator';
import { CatalogueFreshness } from './catalogue/catalogue.freshness';
import { CatalogueMetrics } from './catalogue/catalogue.metrics';
import { CatalogueRepository } from './catalogue/catalogue.repository';
import { CatalogueEquivalentsRepository } from './catalogue/catalogue-equivalents.repository';
import { CatalogueCalendarRepository } from './catalogue/catalogue-calendar.repository';
import { CatalogueReportsRepository } from './catalogue/catalogue-reports.repository';
import { CatalogueSearchRepository } from './catalogue/catalogue-search.repository';
import { HarvestLeasesRepository } from './catalogue/harvest-leases.repository';
import { Harvester, type HarvesterOptions } from './catalogue/harvester';
import { CatalogueSummaryRepository } from './catalogue/catalogue-summary.repository';
import { Reconciler, type ReconcilerOptions } from './catalogue/reconciler';
import { BrowserSessions, type BrowserSessionOptions } from './auth/browser-sessions';
import { devSignInRoute } from './auth/dev-sign-in.route';
import { OidcRelyingParty, type OidcClientSettings } from './auth/oidc-relying-party';
import { SessionsRepository } from './auth/sessions.repository';
import { cookieValue, sessionCookieName, signInOptionsRoute, signInRoutes } from './auth/sign-in.routes';
import { usageStatementRoute } from './bookings/usage-statement.route';
import { CalendarFeedsRepository } from './calendar/calendar-feeds.repository';
import { CalendarFeedsService } from './calendar/calendar-feeds.service';
import { instrumentCalendarRoute } from './calendar/instrument-calendar.route';
import { personalCalendarRoute } from './calendar/personal-calendar.route';
import { consoleRoutes } from './console/console.routes';
import { devMailboxRoute } from './console/dev-mailbox.route';
import { responseNotices } from './common/response-notices';
import { DuplicateChecksRepository } from './duplicate-checks/duplicate-checks.repository';
import { duplicateChecksRoute } from './duplicate-checks/duplicate-checks.route';
import { listingsCsvRoute, openDataRoute } from './listings/listings.routes';
import { createContextFactory, type GatewayContext } from './common/context';
import { FederationMetrics } from './federation/federation.metrics';
import { InstitutionClient } from './federation/institution-client';
import { refreshInstrumentCount } from './institutions/institutions.service';
import { localLandingPage } from './landing/landing-page';
import { Admission, type ConcurrencyLimits } from './limits/admission';
import { clientAddress } from './limits/client-address';
import { DEFAULT_OPERATION_LIMITS, operationLimitsPlugin, type OperationLimits } from './limits/operation-limits';
import { RateLimiter, type RateLimits } from './limits/rate-limiter';
import { InstitutionRegistry } from './registry/registry';
import type * as gatewaySchema from './db/schema';
import { RegistryRepository } from './registry/registry.repository';
import { NotificationPreferencesRepository } from './notifications/notification-preferences.repository';
import { PreferencesApplier } from './notifications/notification-preferences';
import { EffectiveRoles, type EffectiveRolesOptions } from './roles/effective-roles';
import { RoleGrantsRepository } from './roles/role-grants.repository';
import { RolesService } from './roles/roles.service';
import { createGatewaySchema } from './schema';

export interface GatewayAppOptions {
  database: Database<typeof gatewaySchema>;
  /**
   * Where search reads the catalogue: a read-only connection to a streaming replica of `database`, when one is
   * configured (the harvest always writes to `database`). Default: `database`.
   */
  catalogueReader?: Database<typeof gatewaySchema>;
  /** The harvest of the members' change feeds (default settings when absent; `false`: no harvest, for tests). */
  harvest?: HarvesterOptions | false;
  /** The periodic reconciliation of the catalogue with each owner (with the harvest; default hourly; `false`: none). */
  reconcile?: ReconcilerOptions | false;
  /** Age beyond which an institution's part of the catalogue is reported stale (default 60 s). */
  staleAfterMs?: number;
  signingKey: KeyPair;
  issuers: TrustedIssuer[];
  logger: Logger;
  timeoutMs: number;
  healthIntervalMs: number;
  maxBodyBytes: number;
  /** Body limit of `importInstruments` (default 16 MB). */
  maxImportBodyBytes?: number;
  /** Depth, aliases and cost per operation (default: CONTRACT.md's). */
  operationLimits?: OperationLimits;
  /** Requests per minute per user and per address; absent: none (a limit of 0 also switches one off). */
  rateLimits?: RateLimits;
  /** Requests worked on at once per client address and in all (others wait their turn); absent: no limit. */
  concurrency?: ConcurrencyLimits;
  /** Take the client's address from the last `X-Forwarded-For` entry (behind a reverse proxy). */
  trustProxy?: boolean;
  /** Production: no introspection, no field suggestions, no landing page. */
  production: boolean;
  /** The development issuer's key: `POST /dev/sign-in` signs tokens with it (development only; absent: no such route). */
  devSignIn?: KeyPair;
  /**
   * The development mailbox's HTTP API (e.g. http://127.0.0.1:4025): `GET /dev/mailbox` shows what it received, for
   * the console's Mailbox page (development only; absent: no such route).
   */
  devMailboxUrl?: string;
  /**
   * The console's sign-in through an OIDC provider (authorization code + PKCE, a server-side session behind
   * an HttpOnly cookie); absent: only bearer tokens (and the development sign-in, when on).
   */
  signIn?: {
    client: OidcClientSettings;
    /** The provider's name on the sign-in button. */
    providerName: string;
    sessions?: BrowserSessionOptions;
  };
  /** How long a person's role grants are reused before they are read again (see `EffectiveRoles`). */
  roleGrants?: EffectiveRolesOptions;
  /**
   * The gateway's address as people reach it (e.g. https://kyoyo.example.jp), for URLs it hands out (calendar
   * feeds); default the address it listens on.
   */
  publicUrl?: string;
  /** Where the built web console is (default: packages/console/dist/web). */
  consoleDir?: string;
}

export interface GatewayApp {
  server: Server;
  registry: InstitutionRegistry;
  client: InstitutionClient;
  /** Fills the catalogue (null when the harvest is off). */
  harvester: Harvester | null;
  /** Compares the catalogue with each owner and repairs drift (null without the harvest or when switched off). */
  reconciler: Reconciler | null;
  listen(port: number, host: string): Promise<number>;
  /** Reloads the registry and asks every institution for its summary (updates health). */
  probe(): Promise<void>;
  stop(): Promise<void>;
}

/** Tokens (names, punctuation, values) one GraphQL document may have; a 1,000-proposal batch written inline has about 30,000. */
const MAX_TOKENS = 50_000;

/**
 * Builds the national gateway: public GraphQL at `/graphql`, the web console at `/`, `/healthz`, `/readyz`,
 * `/metrics` (its own registry: `kyoyo_gateway_…`), CSV downloads.
 */
export async function createGatewayApp(options: GatewayAppOptions): Promise<GatewayApp> {
  const { database, logger } = options;
  const metrics = new Metrics('kyoyo_gateway_');
  metrics.trackPool(database.pool);
  const federationMetrics = new FederationMetrics(metrics);
  const registry = new InstitutionRegistry(new RegistryRepository(database.db), logger);
  await registry.refresh();
  const client = new InstitutionClient(
    registry,
    options.signingKey,
    { timeoutMs: options.timeoutMs, onOutcome: federationMetrics.record },
    logger,
  );
  federationMetrics.watch(registry, client);
  const rateLimiter = options.rateLimits ? new RateLimiter(options.rateLimits) : null;
  const admission = options.concurrency ? new Admission(options.concurrency) : null;
  const verify = createAuthenticator(options.issuers);
  const roleGrants = new RoleGrantsRepository(database.db);
  const effectiveRoles = new EffectiveRoles(roleGrants, options.roleGrants);
  const preferences = new PreferencesApplier(new NotificationPreferencesRepository(database.db), options.roleGrants);
  const secureCookies = options.signIn ? new URL(options.signIn.client.redirectUri).protocol === 'https:' : false;
  const sessions = options.signIn
    ? new BrowserSessions(
        new SessionsRepository(database.db),
        new OidcRelyingParty(options.signIn.client),
        logger,
        options.signIn.sessions,
      )
    : null;
  const sessionCookie = sessionCookieName(secureCookies);
  /**
   * Who is calling — a bearer token (scripts, the API) or else the console's session cookie — with the roles
   * Kyoyo grants them; a signed-in user also spends from their own rate limit.
   */
  const authenticate = async (headers: IncomingHttpHeaders) => {
    const token = sessions && !headers.authorization ? cookieValue(headers, sessionCookie) : undefined;
    const identity = token ? await sessions!.identify(token) : await verify(headers.authorization);
    if (!identity) return null;
    rateLimiter?.admitUser(identity.id);
    return preferences.apply(await effectiveRoles.apply(identity));
  };
  const catalogueRepository = new CatalogueRepository(database.db);
  let harvester: Harvester | null = null;
  const catalogueMetrics = new CatalogueMetrics(metrics, async () =>
    harvester ? harvester.lagSeconds(await catalogueRepository.states()) : new Map(),
  );
  let reconciler: Reconciler | null = null;
  if (options.harvest !== false) {
    const holder = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    const harvestOptions: HarvesterOptions = {
      lease: { repository: new HarvestLeasesRepository(database.db), holder },
      ...options.harvest,
    };
    harvester = new Harvester(registry, client, catalogueRepository, catalogueMetrics, logger, harvestOptions);
    if (options.reconcile !== false) {
      const summaries = new CatalogueSummaryRepository(database.db);
      reconciler = new Reconciler(registry, client, summaries, catalogueRepository, harvester, catalogueMetrics, logger, {
        ...(harvestOptions.lease ? { lease: harvestOptions.lease } : {}),
        ...options.reconcile,
      });
    }
  }
  const catalogue = {
    search: new CatalogueSearchRepository((options.catalogueReader ?? database).db),
    equivalents: new CatalogueEquivalentsRepository((options.catalogueReader ?? database).db),
    reports: new CatalogueReportsRepository((options.catalogueReader ?? database).db),
    freshness: new CatalogueFreshness(catalogueRepository, harvester, options.staleAfterMs),
  };
  const roles = new RolesService(roleGrants, effectiveRoles, registry, logger);
  let listeningOrigin = 'http://127.0.0.1';
  const calendarFeeds = new CalendarFeedsService(
    new CalendarFeedsRepository(database.db),
    () => options.publicUrl ?? listeningOrigin,
    logger,
  );
  const contextFor = createContextFactory(
    registry,
    client,
    new DuplicateChecksRepository(database.db),
    logger,
    catalogue,
    roles,
    calendarFeeds,
    preferences,
  );
  const calendarReads = new CatalogueCalendarRepository((options.catalogueReader ?? database).db);

  const apollo = new ApolloServer<GatewayContext>({
    schema: createGatewaySchema(),
    formatError: createFormatError(logger, metrics),
    introspection: !options.production,
    hideSchemaDetailsFromClientErrors: options.production,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    // Signals are ours: `onShutdownSignal` drains the HTTP server, then stops Apollo and closes the pool.
    stopOnTerminationSignals: false,
    maxRecursiveSelections: true,
    parseOptions: { maxTokens: MAX_TOKENS },
    plugins: [
      // No HTTP caching of GraphQL answers here, and the plugin would wrap every field resolver to compute hints.
      ApolloServerPluginCacheControlDisabled(),
      options.production ? ApolloServerPluginLandingPageDisabled() : localLandingPage(),
      operationLimitsPlugin(options.operationLimits ?? DEFAULT_OPERATION_LIMITS),
      responseNotices(),
      metrics.apolloPlugin(),
    ],
  });

  const probe = async () => {
    await registry.refresh();
    const call = { identity: null, requestId: `probe-${randomUUID()}` };
    await Promise.all(registry.all().map((i) => refreshInstrumentCount(registry, client, i.code, call)));
  };

  const server = createHttpApp<GatewayContext>({
    logger,
    metrics,
    admit: async (req) => {
      const address = clientAddress(req, options.trustProxy ?? false);
      rateLimiter?.admitAddress(address);
      return admission?.enter(address);
    },
    graphql: {
      apollo,
      maxBodyBytes: options.maxBodyBytes,
      largeBody: { maxBytes: options.maxImportBodyBytes ?? 16 * 1024 * 1024, rootFields: ['importInstruments'] },
      context: async (req, requestId) => contextFor(await authenticate(req.headers), requestId),
    },
    routes: [
      usageStatementRoute({ authenticate, contextFor, logger }),
      duplicateChecksRoute({ authenticate, contextFor, logger }),
      listingsCsvRoute({ authenticate, contextFor, logger }),
      openDataRoute({ authenticate, contextFor, logger }),
      instrumentCalendarRoute(registry, calendarReads, { authenticate, contextFor, logger }),
      personalCalendarRoute(calendarFeeds, registry, calendarReads, { authenticate, contextFor, logger }),
      ...consoleRoutes(logger, options.consoleDir).map((route) => ({ ...route, kind: 'console' as const })),
      ...(options.devSignIn && !options.production ? [devSignInRoute(options.devSignIn, logger)] : []),
      ...(options.devMailboxUrl && !options.production ? [devMailboxRoute(options.devMailboxUrl, logger)] : []),
      ...(sessions && options.signIn ? signInRoutes(sessions, logger, { secureCookies }) : []),
      signInOptionsRoute({
        oidc: options.signIn ? { name: options.signIn.providerName } : null,
        devSignIn: !!options.devSignIn && !options.production,
        devMailbox: !!options.devMailboxUrl && !options.production,
      }),
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
    harvester,
    reconciler,
    probe,
    listen: async (port, host) => {
      const bound = await listen(server, port, host);
      listeningOrigin = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${bound}`;
      harvester?.start();
      reconciler?.start();
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
        await reconciler?.stop();
        await harvester?.stop();
        await apollo.stop();
        await database.close();
        if (options.catalogueReader) await options.catalogueReader.close();
      }),
  };
}
