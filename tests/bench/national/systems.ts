/**
 * The two systems under test, built from the same catalogue: a federation (a gateway and one service and
 * database per member) and the centralised peer (one service, one database holding every listing).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DEV_AUDIENCE, DEV_ISSUER, signIdentityToken, signServiceToken, type Identity, type KeyPair } from '@kyoyo/auth';
import { connect, dropDatabase, ensureDatabase, runMigrations, withDatabase } from '@kyoyo/db';
import { gatewayMigrationsFolder, gatewaySchema, RegistryRepository } from '@kyoyo/gateway';
import { cloneDatabase, keepOnly, scaleUp } from './catalogue.repository';
import type { BenchMember } from './listings';
import { ProcessGroup, type Keys } from './processes';

export const CENTRAL = 'central';

export const RESEARCHER: Identity = {
  id: 'bench-researcher',
  institution: null,
  organization: 'Bench Research Institute',
  affiliation: 'academic',
  roles: ['RESEARCHER'],
};
export const FUNDER: Identity = {
  id: 'bench-funder',
  institution: null,
  organization: 'Japan Society for the Promotion of Science',
  affiliation: 'academic',
  roles: ['FUNDER'],
};

export interface BenchKeys {
  files: Keys;
  issuer: KeyPair;
  gateway: KeyPair;
}

export interface Cluster {
  adminUrl: string;
  /** Database names start with this; every one is dropped at the end. */
  prefix: string;
  keys: BenchKeys;
  logDir: string;
}

/** Database of one member's shard (or the central catalogue) at a size. */
export const dbName = (cluster: Cluster, what: string, size: number) => `${cluster.prefix}${what.replace(/-/g, '_')}_${size}`;

/**
 * Databases of a federation of `members` at `factor` × the base size: each member's shard is the base with
 * only its universities' listings, scaled up in place. Built in parallel, two at a time.
 */
export async function buildShards(
  cluster: Cluster,
  base: string,
  members: readonly BenchMember[],
  idsOf: (member: BenchMember) => number[],
  factor: number,
  size: number,
): Promise<Map<string, string>> {
  const urls = new Map<string, string>();
  const queue = [...members];
  const worker = async () => {
    for (let member = queue.shift(); member; member = queue.shift()) {
      const name = dbName(cluster, member.code, size);
      await dropDatabase(cluster.adminUrl, name);
      const url = await cloneDatabase(cluster.adminUrl, base, name);
      await keepOnly(url, idsOf(member));
      await scaleUp(url, factor);
      urls.set(member.code, url);
    }
  };
  await Promise.all([worker(), worker()]);
  return urls;
}

/** The central catalogue at `factor` × the base size. */
export async function buildCentral(cluster: Cluster, base: string, factor: number, size: number): Promise<string> {
  const name = dbName(cluster, CENTRAL, size);
  await dropDatabase(cluster.adminUrl, name);
  const url = await cloneDatabase(cluster.adminUrl, base, name);
  await scaleUp(url, factor);
  return url;
}

export interface RunningSystems {
  group: ProcessGroup;
  federationUrl: string;
  centralUrl: string | null;
  /** The gateway's own database (registry, national catalogue). */
  gatewayDatabaseUrl: string;
  /** Names of the processes, for memory figures: gateway, central, and each member. */
  names: { gateway: string; central: string | null; members: string[] };
  /** The gateway's first harvest of every member (its national catalogue filled from their change feeds). */
  backfill: { seconds: number; listings: number };
  headers: {
    federation: (who: Identity) => Promise<Record<string, string>>;
    central: (who: Identity) => Promise<Record<string, string>>;
  };
}

/**
 * Waits until search through the gateway at `url` names no member it holds nothing of and none stale: the
 * harvest has every member's full listing. Resolves with the listings it holds.
 */
async function harvested(url: string, authorization: string, timeoutMs = 60 * 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({
        query: '{ searchInstruments(first: 1) { totalCount unavailableInstitutions { code } staleInstitutions { code } } }',
      }),
    });
    const body = (await response.json()) as {
      data?: { searchInstruments: { totalCount: number; unavailableInstitutions: unknown[]; staleInstitutions: unknown[] } };
    };
    const result = body.data?.searchInstruments;
    if (result && result.unavailableInstitutions.length === 0 && result.staleInstitutions.length === 0) return result.totalCount;
    if (Date.now() > deadline) throw new Error(`the gateway's catalogue was not filled within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Services started side by side; the rest wait for a slot. */
const SERVICES_STARTING_AT_ONCE = 4;
/** The central peer's pool, and a member's in the main comparison (where members answer bookings and quotes). */
const CENTRAL_POOL = 20;
const MEMBER_POOL = 5;
/** A member's pool in a federation of more than ten, where members only feed the catalogue. */
const SCALED_MEMBER_POOL = 2;
/** The gateway's pool (its default `DATABASE_POOL_MAX`) and what this process opens besides. */
const GATEWAY_POOL = 10;
const BENCH_CONNECTIONS = 5;

const memberPoolOf = (members: number) => (members > 10 ? SCALED_MEMBER_POOL : MEMBER_POOL);

/**
 * The most server connections a federation of `members` (with the central peer or not) can open: every pool
 * full, and each service's LISTEN connection. Checked before a run, so that a server that cannot hold the
 * largest federation is said at once, not found out twenty minutes in (`too many clients`).
 */
export const connectionsNeeded = (members: number, withCentral: boolean) =>
  members * (memberPoolOf(members) + 1) + GATEWAY_POOL + (withCentral ? CENTRAL_POOL + 1 : 0) + BENCH_CONNECTIONS;

/** `task` over `items`, at most `limit` running at once, results in the items' order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Starts one service per member and the gateway over them (and, given `centralUrl`, the central service),
 * each a process of its own; resolves when the gateway sees every member UP and its national catalogue holds
 * every member's full listing (the backfill, timed).
 */
export async function startSystems(
  cluster: Cluster,
  label: string,
  members: readonly BenchMember[],
  shardUrls: Map<string, string>,
  centralDatabaseUrl: string | null,
): Promise<RunningSystems> {
  const logDir = join(cluster.logDir, label);
  await mkdir(logDir, { recursive: true });
  const group = new ProcessGroup(logDir);
  const gatewayName = `gateway-${label}`;
  try {
    // A few services start at a time: forty Node processes compiling at once on two cores outlast any
    // one service's readiness wait (the 40-institution run failed that way).
    const centralUrl = centralDatabaseUrl
      ? await group.service(CENTRAL, centralDatabaseUrl, cluster.keys.files, CENTRAL_POOL)
      : null;
    const memberUrls = await mapLimited(members, SERVICES_STARTING_AT_ONCE, (m) =>
      group.service(m.code, shardUrls.get(m.code)!, cluster.keys.files, memberPoolOf(members.length)),
    );
    const gatewayDb = `${cluster.prefix}gateway_${label.replace(/[^a-z0-9]/g, '_')}`;
    await dropDatabase(cluster.adminUrl, gatewayDb);
    await ensureDatabase(cluster.adminUrl, gatewayDb);
    const gatewayDbUrl = withDatabase(cluster.adminUrl, gatewayDb);
    await runMigrations(gatewayDbUrl, gatewayMigrationsFolder);
    const registryDb = connect(gatewayDbUrl, gatewaySchema, { max: 1 });
    try {
      const registry = new RegistryRepository(registryDb.db);
      for (const [i, m] of members.entries()) {
        await registry.upsert({
          code: m.code,
          name: m.name,
          nameEn: null,
          prefecture: m.prefecture,
          location: m.location,
          serviceUrl: memberUrls[i]!,
        });
      }
    } finally {
      await registryDb.close();
    }
    const started = performance.now();
    const federationUrl = await group.gateway(gatewayName, gatewayDbUrl, cluster.keys.files, members.length);
    const researcher = `Bearer ${await signIdentityToken(RESEARCHER, cluster.keys.issuer, { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, ttlSeconds: 7200 })}`;
    const listings = await harvested(`${federationUrl}/graphql`, researcher);
    const backfill = { seconds: (performance.now() - started) / 1000, listings };
    return {
      backfill,
      group,
      federationUrl: `${federationUrl}/graphql`,
      gatewayDatabaseUrl: gatewayDbUrl,
      centralUrl: centralUrl ? `${centralUrl}/graphql` : null,
      names: { gateway: gatewayName, central: centralUrl ? CENTRAL : null, members: members.map((m) => m.code) },
      headers: {
        federation: async (who) => ({
          authorization: `Bearer ${await signIdentityToken(who, cluster.keys.issuer, {
            issuer: DEV_ISSUER,
            audience: DEV_AUDIENCE,
            ttlSeconds: 3600,
          })}`,
        }),
        // A gateway-signed call, as the central catalogue's own clients would be given (60 s, signed per run).
        central: async (who) => ({
          authorization: `Bearer ${await signServiceToken({ identity: who, requestId: 'bench' }, CENTRAL, cluster.keys.gateway)}`,
        }),
      },
    };
  } catch (error) {
    await group.stop();
    throw error;
  }
}
