/**
 * `npm run bench [-- --quick]`: the federation against a centralised catalogue on the real national listings
 * (see BENCHMARKS.md "Federation against a centralised catalogue"). Prints the ratio table; a full run also
 * writes its section of BENCHMARKS.md (`--large` then also runs the duplicate-check quality benchmark).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { devIssuerKey, devGatewayKey, devKeyPaths } from '@kyoyo/auth';
import {
  connect,
  dropDatabase,
  ensureDatabase,
  equipmentMigrationsFolder,
  equipmentSchema,
  listDatabases,
  runMigrations,
  startEmbeddedPostgres,
  withDatabase,
  type EmbeddedServer,
} from '@kyoyo/db';
import { InstrumentsRepository } from '@kyoyo/equipment-service';
import { catalogueSize, instrumentIds, maxConnectionsOf, seedBookingHistory, serverFacts } from './catalogue.repository';
import { measureFreshness, type ChangeSite } from './freshness';
import { explainHotQueries, measureFloor } from './floor';
import { packIntoMembers, readNationalListings, type BenchListing, type BenchMember } from './listings';
import { compareLoads, runLoad, type LoadResult } from './load';
import { MemorySampler } from './processes';
import { nationalReport, quickSummary, type Footprint, type Measurement, type Report, type ScalingPoint } from './report';
import { instrumentRef, SCENARIOS, SEARCH_LONG, SEARCH_SHORT, type Scenario, type Targets } from './scenarios';
import {
  buildCentral,
  buildShards,
  CENTRAL,
  connectionsNeeded,
  dbName,
  FUNDER,
  RESEARCHER,
  startSystems,
  type Cluster,
  type RunningSystems,
} from './systems';
import { publish } from '../support/report';

const usage = `usage: npm run bench [-- --quick] [-- --no-write]

  --quick      10 institutions over the real listings only, 1 client (and 16 for the 3+ character search),
               1 s per run, a batch of 50 (under 2 minutes)
  --large      also 40 institutions, the catalogue scaled up to 500,000 listings besides 100,000, the scaling
               runs at 16 clients too, then npm run bench:quality (about 6 minutes more)
  --no-write   print the results without rewriting BENCHMARKS.md (a quick run never writes it)
  --hold       build and start the main comparison's systems, print their URLs and tokens, and wait
               until Ctrl-C (for profiling by hand)
Environment: DATABASE_URL (a PostgreSQL server; otherwise an embedded one is started for the run).`;

const DATA_FILE = fileURLToPath(new URL('../../../../shared/data/jp-equipment.jsonl', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

interface Plan {
  quick: boolean;
  clients: number[];
  seconds: number;
  /** Fewest requests a measurement counts (slow operations get a fixed count instead of a time). */
  minRequests: number;
  members: number;
  /** Federation sizes searched over the real listings besides `members`. */
  institutionScaling: number[];
  /** Catalogue sizes as multiples of the real listings, besides 1, each with the institutions it is spread over. */
  sizeRuns: { factor: number; members: number }[];
  /** Changes timed for freshness, idle and again under load, at `members` and at scaled federations of 20 or more. */
  freshnessSamples: number;
  /** Length of the search load freshness is measured under (s). */
  freshnessLoadSeconds: number;
  /** Client counts of the scaling runs (institutions and catalogue size). */
  scalingClients: number[];
  batch: number;
  batchRuns: number;
}

const QUICK: Plan = {
  quick: true,
  clients: [1],
  seconds: 1,
  minRequests: 5,
  members: 10,
  institutionScaling: [],
  sizeRuns: [],
  freshnessSamples: 5,
  freshnessLoadSeconds: 6,
  scalingClients: [],
  batch: 50,
  batchRuns: 1,
};
const FULL: Plan = {
  quick: false,
  clients: [1, 16, 64],
  seconds: 2,
  minRequests: 20,
  members: 10,
  institutionScaling: [5, 20],
  sizeRuns: [{ factor: 10, members: 10 }],
  freshnessSamples: 20,
  freshnessLoadSeconds: 25,
  scalingClients: [1],
  batch: 1000,
  batchRuns: 1,
};

const started = performance.now();
const say = (line: string) =>
  process.stdout.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

function parseCommandLine() {
  try {
    return parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        large: { type: 'boolean', default: false },
        'no-write': { type: 'boolean', default: false },
        hold: { type: 'boolean', default: false },
        help: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${usage}\n`);
    process.exit(2);
  }
}

/** Weekdays (Tokyo) from `fromDays` ahead, as YYYY-MM-DD. */
function weekdaysAhead(fromDays: number, count: number): string[] {
  const days: string[] = [];
  const tokyo = (ms: number) => new Date(ms + 9 * 3600_000);
  for (let d = fromDays; days.length < count; d++) {
    const day = tokyo(Date.now() + d * 86_400_000);
    if (day.getUTCDay() !== 0 && day.getUTCDay() !== 6) days.push(day.toISOString().slice(0, 10));
  }
  return days;
}

/** Japanese fiscal year (April–March) of today in Tokyo. */
function currentFiscalYear(): number {
  const now = new Date(Date.now() + 9 * 3600_000);
  return now.getUTCMonth() >= 3 ? now.getUTCFullYear() : now.getUTCFullYear() - 1;
}

async function graphql<T>(url: string, headers: Record<string, string>, query: string, variables: object): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const answer = (await res.json()) as { data?: T; errors?: unknown[] };
  if (answer.errors) throw new Error(`${url}: ${JSON.stringify(answer.errors).slice(0, 500)}`);
  return answer.data!;
}

/** Where both systems' deep page starts: after the 500th hit of 装置. */
async function deepStart(systems: RunningSystems): Promise<Targets['deep']> {
  const query = '装置';
  let cursor: string | null = null;
  for (let page = 0; page < 5; page++) {
    const data: { searchInstruments: { pageInfo: { endCursor: string } } } = await graphql(
      systems.federationUrl,
      await systems.headers.federation(RESEARCHER),
      `
        query ($q: String, $after: String) {
          searchInstruments(query: $q, first: 100, after: $after) {
            pageInfo {
              endCursor
            }
          }
        }
      `,
      { q: query, after: cursor },
    );
    cursor = data.searchInstruments.pageInfo.endCursor;
  }
  const central = await graphql<{ searchInstruments: { hits: { score: number; instrument: { id: string } }[] } }>(
    systems.centralUrl!,
    await systems.headers.central(RESEARCHER),
    `
      query ($input: LocalSearchInput!) {
        searchInstruments(input: $input) {
          hits {
            score
            instrument {
              id
            }
          }
        }
      }
    `,
    { input: { query, sort: 'RELEVANCE', limit: 500 } },
  );
  const last = central.searchInstruments.hits.at(-1)!;
  return { query, cursor: cursor!, after: { key: last.score, id: last.instrument.id } };
}

/** Sixteen researchers try to book the very same slot at once: exactly one booking may come of it. */
async function raceForOneSlot(systems: RunningSystems, targets: Targets): Promise<{ federation: number; central: number }> {
  const ref = targets.bookable[Math.min(targets.bookable.length - 5, 401)]!;
  const day = targets.days.at(-1)!;
  const input = { start: `${day}T12:00:00+09:00`, end: `${day}T13:00:00+09:00`, mode: 'SELF', purpose: 'race' };
  const fedHeaders = await systems.headers.federation(RESEARCHER);
  const centralHeaders = await systems.headers.central(RESEARCHER);
  const tries = (url: string, headers: Record<string, string>, id: string) =>
    Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({
            query: `mutation ($input: ${url === systems.federationUrl ? 'BookingInput' : 'LocalBookingInput'}!, $key: String!) {
              createBooking(input: $input, idempotencyKey: $key) { id } }`,
            variables: { input: { ...input, instrumentId: id }, key: `race-${i}` },
          }),
        }).then(async (r) => (await r.json()) as { errors?: { extensions?: { code?: string } }[] }),
      ),
    ).then((answers) => {
      const odd = answers.find((a) => a.errors && a.errors[0]?.extensions?.code !== 'SLOT_UNAVAILABLE');
      if (odd) throw new Error(`a racing booking failed otherwise: ${JSON.stringify(odd.errors).slice(0, 300)}`);
      return answers.filter((a) => !a.errors).length;
    });
  return {
    federation: await tries(systems.federationUrl, fedHeaders, ref.global),
    central: await tries(systems.centralUrl!, centralHeaders, ref.local),
  };
}

/**
 * Client counts a scenario is measured at: all of the plan's, but one client for heavy ones (a second or more a
 * request: 16 at once would take minutes); a quick run adds 16 for the headline search only.
 */
function clientsFor(plan: Plan, scenario: Scenario): number[] {
  if (plan.quick) return scenario === SEARCH_LONG ? [1, 16] : [1];
  return scenario.heavy ? [1] : plan.clients;
}

async function measureScenario(
  scenario: Scenario,
  targets: Targets,
  systems: RunningSystems,
  plan: Plan,
  clients: readonly number[],
): Promise<Measurement[]> {
  const results: Measurement[] = [];
  for (const connections of clients) {
    const [central, federation] = await compareLoads(
      () => scenario.central(targets),
      () => scenario.federation(targets),
      connections,
      plan.seconds,
      plan.minRequests,
    );
    systems.group.assertAlive();
    results.push({ scenario: scenario.name, connections, federation, central });
    say(
      `  ${scenario.name}, ${connections} client${connections > 1 ? 's' : ''}: federation p50 ${federation.p50.toFixed(1)} ms ` +
        `(${federation.throughput.toFixed(0)}/s), central p50 ${central.p50.toFixed(1)} ms (${central.throughput.toFixed(0)}/s)` +
        `${federation.errors + central.errors > 0 ? `, errors ${federation.errors}/${central.errors}: ${federation.firstError ?? central.firstError}` : ''}`,
    );
  }
  return results;
}

/**
 * The 3+ character search at the scaling runs' client counts with every member paused: whether search grows
 * with the institutions themselves or with their processes on this machine.
 */
async function searchWithMembersPaused(
  running: RunningSystems,
  targets: Targets,
  institutions: number,
  listings: number,
  plan: Plan,
  centralOf: (scenario: string, connections: number) => LoadResult,
): Promise<ScalingPoint[]> {
  const points: ScalingPoint[] = [];
  for (const c of plan.scalingClients) {
    const spec = await SEARCH_LONG.federation(targets);
    const federation = await running.group.whilePaused(running.names.members, () =>
      runLoad(spec, c, plan.seconds, plan.minRequests),
    );
    running.group.assertAlive();
    points.push({
      axis: 'institutions',
      institutions,
      listings,
      scenario: SEARCH_LONG.name,
      connections: c,
      federation,
      central: centralOf(SEARCH_LONG.name, c),
      membersPaused: true,
    });
    say(`  ${SEARCH_LONG.name}, ${c} client(s), members paused: federation p50 ${federation.p50.toFixed(1)} ms`);
  }
  return points;
}

async function timeBatch(systems: RunningSystems, targets: Targets, members: readonly BenchMember[], plan: Plan) {
  const inputs = Array.from({ length: plan.batch }, (_, i) => ({
    title: i % 5 === 4 ? `試作装置 ${i}` : targets.titles[i % targets.titles.length]!,
    estimatedPrice: 5_000_000 + (i % 40) * 2_500_000,
    institution: members[i % members.length]!.code,
    grantId: `BATCH-${i}`,
  }));
  const federation: number[] = [];
  const central: number[] = [];
  for (let run = 0; run < plan.batchRuns; run++) {
    let t = performance.now();
    const checks = await graphql<{ checkDuplicatePurchases: { verdict: string }[] }>(
      systems.federationUrl,
      await systems.headers.federation(FUNDER),
      `
        mutation ($inputs: [PurchaseProposalInput!]!) {
          checkDuplicatePurchases(inputs: $inputs) {
            id
            verdict
          }
        }
      `,
      { inputs },
    );
    federation.push(performance.now() - t);
    if (checks.checkDuplicatePurchases.length !== plan.batch) throw new Error('the batch lost proposals');
    t = performance.now();
    await graphql(
      systems.centralUrl!,
      await systems.headers.central(FUNDER),
      `
        query ($probes: [EquivalenceProbe!]!) {
          equivalentInstruments(probes: $probes, limit: 10) {
            score
            instrument {
              id
            }
          }
        }
      `,
      { probes: inputs.map((p) => ({ title: p.title })) },
    );
    central.push(performance.now() - t);
    say(
      `  batch of ${plan.batch}: federation ${(federation.at(-1)! / 1000).toFixed(1)} s, central ${(central.at(-1)! / 1000).toFixed(1)} s`,
    );
  }
  return { proposals: plan.batch, federation, central };
}

async function main(): Promise<void> {
  const args = parseCommandLine();
  if (args.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  if (!existsSync(DATA_FILE)) throw new Error(`the national listings are not at ${DATA_FILE}`);
  const plan = args.quick
    ? QUICK
    : args.large
      ? {
          ...FULL,
          institutionScaling: [5, 20, 40],
          sizeRuns: [
            { factor: 10, members: 10 },
            { factor: 50, members: 40 },
          ],
          scalingClients: [1, 16],
        }
      : FULL;

  const work = await mkdtemp(join(tmpdir(), 'kyoyo-bench-'));
  let embedded: EmbeddedServer | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    say('starting an embedded PostgreSQL for this run (set DATABASE_URL to use a server)…');
    embedded = await startEmbeddedPostgres({ dataDir: join(work, 'pg'), persistent: false });
    adminUrl = embedded.adminUrl;
  }
  const needed = Math.max(
    connectionsNeeded(plan.members, true),
    ...plan.institutionScaling.map((count) => connectionsNeeded(count, false)),
    ...plan.sizeRuns.map((run) => connectionsNeeded(run.members, true)),
  );
  const allowed = await maxConnectionsOf(adminUrl);
  if (allowed < needed) {
    await embedded?.stop();
    throw new Error(
      `the server at DATABASE_URL allows ${allowed} connections; this run's largest federation may open ${needed}. ` +
        'Raise max_connections, or leave DATABASE_URL unset (the embedded server allows 300).',
    );
  }
  const cluster: Cluster = {
    adminUrl,
    prefix: `kyoyo_b${randomBytes(3).toString('hex')}_`,
    keys: {
      files: devKeyPaths(work),
      issuer: await devIssuerKey(work),
      gateway: await devGatewayKey(work),
    },
    logDir: join(work, 'logs'),
  };
  let running: RunningSystems | undefined;
  const cleanup = async () => {
    await running?.group.stop();
    for (const name of await listDatabases(cluster.adminUrl, cluster.prefix)) await dropDatabase(cluster.adminUrl, name);
    await embedded?.stop();
    await rm(work, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  try {
    const postgres = await serverFacts(adminUrl);
    say(`reading ${DATA_FILE}…`);
    const { listings, refused } = await readNationalListings(DATA_FILE);

    const baseName = `${cluster.prefix}base`;
    await ensureDatabase(adminUrl, baseName);
    const baseUrl = withDatabase(adminUrl, baseName);
    await runMigrations(baseUrl, equipmentMigrationsFolder);
    const base = connect(baseUrl, equipmentSchema, { max: 2 });
    let t = performance.now();
    try {
      const repository = new InstrumentsRepository(base.db);
      for (let i = 0; i < listings.length; i += 2000) {
        await repository.upsertMany(listings.slice(i, i + 2000).map((l) => l.entry));
        say(
          `  loaded ${Math.min(i + 2000, listings.length).toLocaleString('en-US')} of ${listings.length.toLocaleString('en-US')} listings`,
        );
      }
    } finally {
      await base.close();
    }
    const fiscalYear = currentFiscalYear();
    const history = await seedBookingHistory(baseUrl, fiscalYear);
    const loadSeconds = (performance.now() - t) / 1000;
    say(
      `base catalogue: ${listings.length.toLocaleString('en-US')} listings and ${history.toLocaleString('en-US')} past bookings in ${loadSeconds.toFixed(1)} s`,
    );

    const rows = await instrumentIds(baseUrl);
    const idByLocal = new Map(rows.map((r) => [r.localId, r.id]));
    const universityIds = new Map<string, number[]>();
    for (const l of listings) {
      const list = universityIds.get(l.university) ?? [];
      list.push(idByLocal.get(l.entry.listing.localId)!);
      universityIds.set(l.university, list);
    }
    const idsOf = (m: BenchMember) => m.universities.flatMap((u) => universityIds.get(u) ?? []);
    const federationOf = (count: number) => packIntoMembers(listings, count);

    // The main comparison: the real listings, `plan.members` institutions, every scenario.
    const members = federationOf(plan.members);
    const size = listings.length;
    t = performance.now();
    const shardUrls = await buildShards(cluster, baseName, members, idsOf, 1, size);
    const centralUrl = await buildCentral(cluster, baseName, 1, size);
    say(`built ${members.length} shards and the central catalogue in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    running = await startSystems(cluster, `main`, members, shardUrls, centralUrl);
    say(`started ${members.length} services, the central service and the gateway; ${backfillLine(running, members.length)}`);
    const memberOf = new Map<number, string>();
    for (const m of members) for (const id of idsOf(m)) memberOf.set(id, m.code);
    const targets = await targetsFor(running, rows, memberOf, listings, members, fiscalYear);
    const report: Report = {
      quick: plan.quick,
      clients: plan.clients,
      seconds: plan.seconds,
      institutions: plan.members,
      postgres,
      listings: listings.length,
      refused,
      loadSeconds,
      fiscalYear,
      measurements: [],
      floors: new Map(),
      scaling: [],
      memory: new Map(),
      memoryNames: running.names,
      backfills: [{ institutions: members.length, listings: running.backfill.listings, seconds: running.backfill.seconds }],
      freshness: [],
      footprints: [],
      race: { federation: 0, central: 0 },
      batch: { proposals: 0, federation: [], central: [] },
      explain: [],
      runSeconds: 0,
    };
    if (args.hold) {
      const fed = await running.headers.federation(RESEARCHER);
      const central = await running.headers.central(RESEARCHER);
      say(`holding: federation ${running.federationUrl} (${fed.authorization})`);
      say(`         central ${running.centralUrl} (${central.authorization}, valid 60 s)`);
      say(
        `         processes: ${running.group.processes.map((p) => `${p.name} ${p.child.pid}`).join(', ')}; logs in ${cluster.logDir}`,
      );
      await new Promise(() => undefined);
    }
    const sampler = new MemorySampler(() => {
      const names = running!.names;
      return [names.gateway, ...(names.central ? [names.central] : []), ...names.members].map((name) => ({
        name,
        pid: running!.group.pidOf(name),
      }));
    });
    sampler.start();
    for (const scenario of SCENARIOS) {
      say(`${scenario.name}: ${scenario.description}`);
      report.measurements.push(...(await measureScenario(scenario, targets, running, plan, clientsFor(plan, scenario))));
      if (scenario.floor)
        report.floors.set(
          scenario.name,
          await measureFloor(centralUrl, scenario.floor(targets), plan.quick ? 0.3 : plan.seconds),
        );
    }
    sampler.stop();
    report.memory = sampler.peaks;
    report.race = await raceForOneSlot(running, targets);
    say(
      `sixteen at once for one slot: ${report.race.federation} booking(s) in the federation, ${report.race.central} in the central catalogue`,
    );
    say(`duplicate checks, a batch of ${plan.batch}…`);
    report.batch = await timeBatch(running, targets, members, plan);
    report.explain.push(...(await explainHotQueries(centralUrl, size)));
    // The central peer's figure beside each scaling point: the main comparison's.
    const centralSearch = (name: string, c: number) =>
      report.measurements.find((m) => m.scenario === name && m.connections === c)!.central;
    if (plan.institutionScaling.length > 0)
      report.scaling.push(...(await searchWithMembersPaused(running, targets, members.length, size, plan, centralSearch)));
    report.footprints.push(await footprintOf(running, members.length, size, report.memory.get(running.names.gateway) ?? 0));
    report.freshness.push(...(await freshnessAt(running, targets, members, shardUrls, listings, plan)));
    await running.group.stop();
    running = undefined;

    // How federated search grows with the number of institutions (same listings, same central peer).
    for (const count of plan.institutionScaling) {
      const scaled = federationOf(count);
      t = performance.now();
      const urls = await buildShards(cluster, baseName, scaled, idsOf, 1, size);
      running = await startSystems(cluster, `n${count}`, scaled, urls, null);
      say(`${count} institutions ready in ${((performance.now() - t) / 1000).toFixed(1)} s; ${backfillLine(running, count)}`);
      report.backfills.push({ institutions: count, listings: running.backfill.listings, seconds: running.backfill.seconds });
      const gatewayMemory = gatewaySampler(running);
      const scaledTargets = { ...targets, federation: { ...targets.federation, url: running.federationUrl } };
      for (const scenario of [SEARCH_LONG, SEARCH_SHORT]) {
        for (const c of plan.scalingClients) {
          const federation = await runLoad(await scenario.federation(scaledTargets), c, plan.seconds, plan.minRequests);
          running.group.assertAlive();
          report.scaling.push({
            axis: 'institutions',
            institutions: count,
            listings: size,
            scenario: scenario.name,
            connections: c,
            federation,
            central: centralSearch(scenario.name, c),
          });
          say(
            `  ${scenario.name}, ${c} client(s): federation p50 ${federation.p50.toFixed(1)} ms, p95 ${federation.p95.toFixed(1)} ms`,
          );
        }
      }
      report.scaling.push(...(await searchWithMembersPaused(running, scaledTargets, count, size, plan, centralSearch)));
      if (count >= 20) report.freshness.push(...(await freshnessAt(running, scaledTargets, scaled, urls, listings, plan)));
      gatewayMemory.stop();
      report.footprints.push(await footprintOf(running, count, size, gatewayMemory.peaks.get(running.names.gateway) ?? 0));
      await running.group.stop();
      running = undefined;
      for (const m of scaled) await dropDatabase(adminUrl, dbName(cluster, m.code, size));
    }
    for (const m of plan.institutionScaling.length ? report.measurements : []) {
      if ((m.scenario === SEARCH_LONG.name || m.scenario === SEARCH_SHORT.name) && plan.scalingClients.includes(m.connections)) {
        report.scaling.push({
          axis: 'institutions',
          institutions: plan.members,
          listings: size,
          scenario: m.scenario,
          connections: m.connections,
          federation: m.federation,
          central: m.central,
        });
      }
    }

    // How both grow with the catalogue: synthetic copies of the real listings, same federation.
    for (const { factor, members: count } of plan.sizeRuns) {
      t = performance.now();
      const scaledSize = size * factor;
      const spread = federationOf(count);
      say(`scaling up to ${scaledSize.toLocaleString('en-US')} listings at ${count} institutions…`);
      const urls = await buildShards(cluster, baseName, spread, idsOf, factor, scaledSize);
      const central = await buildCentral(cluster, baseName, factor, scaledSize);
      say(`  built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      running = await startSystems(cluster, `x${factor}`, spread, urls, central);
      say(`  ${backfillLine(running, count)}`);
      report.backfills.push({ institutions: count, listings: running.backfill.listings, seconds: running.backfill.seconds });
      const gatewayMemory = gatewaySampler(running);
      const scaledTargets: Targets = {
        ...targets,
        federation: { ...targets.federation, url: running.federationUrl },
        central: {
          url: running.centralUrl!,
          researcher: () => running!.headers.central(RESEARCHER),
          funder: () => running!.headers.central(FUNDER),
        },
      };
      for (const scenario of [SEARCH_LONG, SEARCH_SHORT]) {
        for (const c of plan.scalingClients) {
          const measured = await measureScenario(scenario, scaledTargets, running, plan, [c]);
          for (const m of measured)
            report.scaling.push({
              axis: 'listings',
              institutions: count,
              listings: scaledSize,
              scenario: m.scenario,
              connections: c,
              federation: m.federation,
              central: m.central,
            });
        }
      }
      report.explain.push(...(await explainHotQueries(central, scaledSize)));
      gatewayMemory.stop();
      report.footprints.push(await footprintOf(running, count, scaledSize, gatewayMemory.peaks.get(running.names.gateway) ?? 0));
      await running.group.stop();
      running = undefined;
      for (const m of spread) await dropDatabase(adminUrl, dbName(cluster, m.code, scaledSize));
      await dropDatabase(adminUrl, dbName(cluster, CENTRAL, scaledSize));
    }

    report.runSeconds = (performance.now() - started) / 1000;
    const text = nationalReport(report, REPO);
    if (plan.quick || args['no-write']) {
      process.stdout.write(`\n${quickSummary(report)}\n\n`);
    } else {
      publish('national', text);
    }
    say(`done in ${report.runSeconds.toFixed(0)} s`);
  } finally {
    await cleanup();
  }
  if (args.large) {
    say('duplicate-check quality (npm run bench:quality)…');
    const quality = spawnSync('npm', ['run', '-s', 'bench:quality'], { cwd: REPO, stdio: 'inherit' });
    if (quality.status !== 0) process.exitCode = 1;
  }
}

async function targetsFor(
  running: RunningSystems,
  rows: { id: number; localId: string; bookable: boolean }[],
  memberOf: Map<number, string>,
  listings: readonly BenchListing[],
  members: readonly BenchMember[],
  fiscalYear: number,
): Promise<Targets> {
  const bookable = rows.filter((r) => r.bookable).map((r) => instrumentRef(memberOf.get(r.id)!, r.id));
  // Spread over the whole catalogue (and so over every institution), not the first ids only.
  const step = Math.max(1, Math.floor(bookable.length / 420));
  const sample = bookable.filter((_, i) => i % step === 0).slice(0, 420);
  const targets: Targets = {
    federation: {
      url: running.federationUrl,
      researcher: await running.headers.federation(RESEARCHER),
      funder: await running.headers.federation(FUNDER),
    },
    central: {
      url: running.centralUrl!,
      researcher: () => running.headers.central(RESEARCHER),
      funder: () => running.headers.central(FUNDER),
    },
    bookable: sample,
    requestingInstitution: members[0]!.code,
    titles: listings.filter((_, i) => i % 7 === 0).map((l) => l.entry.listing.name),
    days: weekdaysAhead(14, 60),
    fiscalYear,
    deep: null,
  };
  targets.deep = await deepStart(running);
  return targets;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

/** The gateway's first harvest of a federation, as one line. */
function backfillLine(systems: RunningSystems, institutions: number): string {
  const { seconds, listings } = systems.backfill;
  return (
    `catalogue backfill of ${listings.toLocaleString('en-US')} listings from ${institutions} institutions in ${seconds.toFixed(1)} s ` +
    `(${Math.round(listings / seconds).toLocaleString('en-US')} listings/s, gateway start included)`
  );
}

/** Samples the gateway's memory from now until `stop()`. */
function gatewaySampler(systems: RunningSystems): MemorySampler {
  const sampler = new MemorySampler(() => [{ name: systems.names.gateway, pid: systems.group.pidOf(systems.names.gateway) }]);
  sampler.start();
  return sampler;
}

/** The gateway's peak memory and its catalogue's size on disk, at one federation. */
async function footprintOf(systems: RunningSystems, institutions: number, listings: number, peakRss: number): Promise<Footprint> {
  const size = await catalogueSize(systems.gatewayDatabaseUrl);
  say(
    `  gateway at ${institutions} institutions, ${listings.toLocaleString('en-US')} listings: peak RSS ${Math.round(peakRss / 2 ** 20)} MiB, ` +
      `catalogue ${Math.round(size.catalogue / 2 ** 20)} MiB on disk`,
  );
  return { institutions, listings, peakRss, catalogueBytes: size.catalogue, databaseBytes: size.database };
}

/**
 * Freshness at one federation over the real listings (`shardUrls` at factor 1): changes at every member in
 * turn, idle and under 16 clients of the 3+ character search.
 */
async function freshnessAt(
  systems: RunningSystems,
  targets: Targets,
  members: readonly BenchMember[],
  shardUrls: Map<string, string>,
  listings: readonly BenchListing[],
  plan: Plan,
) {
  const perMember = members.map((m) => {
    const own = listings.filter((l) => m.universities.includes(l.university));
    return [0, 1, 2].map((k) => own[Math.floor((k * own.length) / 3)]).filter((l): l is BenchListing => l !== undefined);
  });
  const sites: ChangeSite[] = [];
  for (let k = 0; k < 3; k++)
    for (const [i, m] of members.entries()) {
      const listing = perMember[i]![k];
      if (listing) sites.push({ databaseUrl: shardUrls.get(m.code)!, listing: listing.entry });
    }
  say(`freshness at ${members.length} institutions: ${plan.freshnessSamples} changes idle, then under 16 clients of search…`);
  const runs = await measureFreshness({
    federationUrl: systems.federationUrl,
    authorization: (await systems.headers.federation(RESEARCHER)).authorization!,
    institutions: members.length,
    sites,
    samples: plan.freshnessSamples,
    search: await SEARCH_LONG.federation({ ...targets, federation: { ...targets.federation, url: systems.federationUrl } }),
    connections: 16,
    loadSeconds: plan.freshnessLoadSeconds,
  });
  systems.group.assertAlive();
  for (const run of runs)
    say(
      `  ${run.load ? `under ${run.load.connections} clients (search p50 ${run.load.search.p50.toFixed(0)} ms)` : 'idle'}: ` +
        `${run.samples.length} changes, p50 ${run.p50.toFixed(0)} ms, p95 ${run.p95.toFixed(0)} ms, max ${run.max.toFixed(0)} ms`,
    );
  return runs;
}
