import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createKeyPair, DEV_AUDIENCE, DEV_ISSUER, signIdentityToken, type Identity, type KeyPair, type Role } from '@kyoyo/auth';
import { connect, equipmentSchema, type Database } from '@kyoyo/db';
import { createEquipmentApp, smtpSender, type EquipmentApp } from '@kyoyo/equipment-service';
import {
  createGatewayApp,
  devIssuer,
  gatewayMigrationsFolder,
  gatewaySchema,
  RegistryRepository,
  type GatewayApp,
  type GatewayAppOptions,
} from '@kyoyo/gateway';
import { createLogger } from '@kyoyo/server-kit';
import { createTestDatabase } from '@kyoyo/test-kit';
import { freePort, serviceProcess, type ServiceProcess } from './service-process';
import { startStallProxy, type StallProxy } from './stall-proxy';

/** A member institution of a test federation. */
export interface TestInstitution {
  code: string;
  name: string;
  prefecture: string;
  location: { latitude: number; longitude: number };
}

/** One institution's equipment service in a test federation. */
export interface TestService {
  /**
   * The service. For one run as a child process (`options.processes`) an adapter: `stop()` stops the
   * process, `listen()` starts it again on its own port (whatever it is given), and `server` is not available.
   */
  app: EquipmentApp;
  /** The service's own base URL. */
  url: string;
  /** The service's database (its pool closes with the service), for loading data in bulk. */
  database: Database<typeof equipmentSchema>;
  /** The stall proxy the gateway calls instead of `url`, for institutions named in `options.proxied`. */
  proxy: StallProxy | null;
  /** The child process running the service, for institutions named in `options.processes`. */
  process: ServiceProcess | null;
}

/** A gateway and its institutions' services, each on its own fresh database, listening on loopback. */
export interface TestFederation {
  gatewayUrl: string;
  gateway: GatewayApp;
  /** The key the gateway signs its calls to services with (for tests of what services accept). */
  gatewayKey: KeyPair;
  /** The gateway's own database (registry, duplicate-check records, the national catalogue). */
  gatewayDatabase: Database<typeof gatewaySchema>;
  /** Its URL, for a second gateway process on the same database (a restart). */
  gatewayDatabaseUrl: string;
  services: Map<string, TestService>;
  /**
   * POSTs a GraphQL operation to the gateway, once the national catalogue holds every change committed so far
   * (the harvest is asynchronous: this lets a test read its own writes; `raw` does not wait).
   */
  query<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<GraphQLAnswer<T>>;
  /** POSTs a GraphQL operation to the gateway at once. */
  raw<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLAnswer<T>>;
  /** A development-issuer token for `identity` (its roles count: the development issuer is trusted for them). */
  token(identity: Partial<Identity> & { id: string }): Promise<string>;
  /**
   * A token of the federation's campus issuer (`CAMPUS_ISSUER`), which stands for an institution's identity
   * provider: trusted for who someone is, not for roles (what its token says of roles is ignored; the roles
   * come from Kyoyo's grants, plus `FederationOptions.campusDefaultRoles`).
   */
  campusToken(identity: Partial<Identity> & { id: string }): Promise<string>;
  stop(): Promise<void>;
}

export interface GraphQLAnswer<T> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

const silent = createLogger('test', 'error', {}, () => undefined);

/** A unique institution code for this test run, e.g. `e2e-3f9a1c-tohoku`. */
export function uniqueCode(name: string): string {
  return `e2e-${randomBytes(3).toString('hex')}-${name}`;
}

export interface FederationOptions {
  /** The gateway's time budget per institution call (default 2000 ms). */
  timeoutMs?: number;
  /** Codes of institutions that the gateway reaches through a `StallProxy` (see `TestService.proxy`). */
  proxied?: string[];
  /**
   * Codes of institutions whose service runs as a real child process (the service's own entry point, on a
   * fixed port) instead of in this process, so that a test can kill it (`TestService.process`).
   */
  processes?: string[];
  /** How often the gateway probes every institution's health (default 60 s; `gateway.probe()` probes now). */
  healthIntervalMs?: number;
  /** Gateway settings beyond the defaults (rate limits, production mode, …). */
  gateway?: Pick<
    Partial<GatewayAppOptions>,
    | 'rateLimits'
    | 'concurrency'
    | 'production'
    | 'trustProxy'
    | 'operationLimits'
    | 'consoleDir'
    | 'staleAfterMs'
    | 'harvest'
    | 'reconcile'
    | 'signIn'
    | 'devMailboxUrl'
  >;
  /** The gateway's port (default: any free one); a sign-in's redirect URI must be known before the gateway starts. */
  gatewayPort?: number;
  /** The gateway offers `POST /dev/sign-in` with the federation's development issuer (the console's sign-in). */
  devSignIn?: boolean;
  /** Roles everyone signed in through the campus issuer holds (default none). */
  campusDefaultRoles?: Role[];
  /** Receives every JSON log line of the gateway and the in-process services (default: none kept). */
  log?: (line: string) => void;
  /**
   * In-process services send their e-mail through this SMTP server (a `Mailbox` of @kyoyo/infra), each from
   * `kyoyo@<code>.example` with its office at `office@<code>.example`; without it they send none.
   */
  smtpUrl?: string;
}

/** Starts a federation of `institutions` with a gateway that calls each with `timeoutMs`. */
export async function startFederation(institutions: TestInstitution[], options: FederationOptions = {}): Promise<TestFederation> {
  const logger = (service: string) => (options.log ? createLogger(service, 'info', {}, options.log) : silent);
  const { pair: gatewayKey } = await createKeyPair();
  const { pair: issuerKey } = await createKeyPair();
  const { pair: campusKey } = await createKeyPair();

  const services = new Map<string, TestService>();
  for (const institution of institutions) {
    const databaseUrl = await createTestDatabase();
    const database = connect(databaseUrl, equipmentSchema, { max: 4 });
    let app: EquipmentApp;
    let url: string;
    let child: ServiceProcess | null = null;
    if (options.processes?.includes(institution.code)) {
      child = serviceProcess({
        institution: institution.code,
        databaseUrl,
        gatewayPublicJwk: gatewayKey.publicJwk,
        port: await freePort(),
      });
      await child.start();
      app = processApp(child);
      url = child.url;
    } else {
      app = await createEquipmentApp({
        institution: institution.code,
        database,
        gatewayKey: gatewayKey.publicKey,
        logger: logger(`equipment:${institution.code}`),
        maxBodyBytes: 16 * 1024 * 1024,
        production: false,
        ...(options.smtpUrl
          ? {
              mail: {
                settings: {
                  institutionName: institution.name,
                  officeEmail: `office@${institution.code}.example`,
                  consoleUrl: null,
                },
                sender: smtpSender(options.smtpUrl, `${institution.name} <kyoyo@${institution.code}.example>`, institution.code),
                worker: { intervalMs: 500 },
              },
            }
          : {}),
      });
      url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
    }
    const proxy = options.proxied?.includes(institution.code) ? await startStallProxy(url) : null;
    services.set(institution.code, { app, url, database, proxy, process: child });
  }

  const gatewayDatabaseUrl = await createTestDatabase(gatewayMigrationsFolder);
  const gatewayDatabase = connect(gatewayDatabaseUrl, gatewaySchema, { max: 4 });
  const registry = new RegistryRepository(gatewayDatabase.db);
  for (const institution of institutions) {
    const service = services.get(institution.code)!;
    await registry.upsert({ ...institution, nameEn: null, serviceUrl: service.proxy?.url ?? service.url });
  }
  const gateway = await createGatewayApp({
    database: gatewayDatabase,
    signingKey: gatewayKey,
    issuers: [
      devIssuer(issuerKey.publicKey),
      {
        issuer: CAMPUS_ISSUER,
        audience: DEV_AUDIENCE,
        key: campusKey.publicKey,
        trustRoleClaims: false,
        defaultRoles: options.campusDefaultRoles ?? [],
      },
    ],
    logger: logger('gateway'),
    timeoutMs: options.timeoutMs ?? 2000,
    healthIntervalMs: options.healthIntervalMs ?? 60_000,
    maxBodyBytes: 1024 * 1024,
    production: false,
    // An hourly reconciliation firing in the middle of some test would be noise there: tests/e2e/reconcile.e2e.test.ts has its own.
    reconcile: false,
    ...(options.devSignIn ? { devSignIn: issuerKey } : {}),
    ...options.gateway,
  });
  const gatewayPort = await gateway.listen(options.gatewayPort ?? 0, '127.0.0.1');
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;

  const raw: TestFederation['raw'] = async (query, variables = {}, token) => {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as object) };
  };
  return {
    gatewayUrl,
    gatewayKey,
    gateway,
    gatewayDatabase,
    gatewayDatabaseUrl,
    services,
    async query(query, variables = {}, token) {
      await gateway.harvester?.settle();
      return raw(query, variables, token);
    },
    raw,
    token: (identity) => tokenFor(issuerKey, identity),
    campusToken: (identity) => tokenFor(campusKey, identity, CAMPUS_ISSUER),
    async stop() {
      for (const { proxy } of services.values()) await proxy?.close();
      await gateway.stop();
      for (const { app, process: child, database } of services.values()) {
        await app.stop().catch(() => undefined);
        // An in-process service closes its pool when it stops; a child process has its own.
        if (child) await database.close();
      }
    },
  };
}

/** `EquipmentApp`'s interface over a service run as a child process. */
function processApp(child: ServiceProcess): EquipmentApp {
  return {
    get server(): Server {
      throw new Error('this service runs in a child process; use TestService.process');
    },
    listen: async () => {
      await child.start();
      return child.port;
    },
    stop: () => child.stop(),
  };
}

/** The issuer of `TestFederation.campusToken`. */
export const CAMPUS_ISSUER = 'https://idp.campus.test';

function tokenFor(key: KeyPair, identity: Partial<Identity> & { id: string }, issuer = DEV_ISSUER): Promise<string> {
  return signIdentityToken(
    { institution: null, organization: null, affiliation: 'academic', roles: ['RESEARCHER'], ...identity },
    key,
    { issuer, audience: DEV_AUDIENCE, ttlSeconds: 600 },
  );
}
