/** The national benchmark's figures and their Markdown. */
import { execFileSync } from 'node:child_process';
import type { ExplainRow } from './floor';
import type { FreshnessRun } from './freshness';
import type { LoadResult } from './load';
import { machine, median, table } from '../support/report';

export interface Measurement {
  scenario: string;
  connections: number;
  federation: LoadResult;
  central: LoadResult;
}

export interface ScalingPoint {
  axis: 'institutions' | 'listings';
  institutions: number;
  listings: number;
  scenario: string;
  connections: number;
  federation: LoadResult;
  central: LoadResult;
  /** Measured with every member service paused: the gateway and PostgreSQL alone on the machine. */
  membersPaused?: boolean;
}

/** The gateway at one federation: its peak memory and its national catalogue on disk. */
export interface Footprint {
  institutions: number;
  listings: number;
  peakRss: number;
  catalogueBytes: number;
  databaseBytes: number;
}

export interface Report {
  quick: boolean;
  clients: number[];
  seconds: number;
  institutions: number;
  postgres: { version: string; sharedBuffers: string; workMem: string };
  listings: number;
  refused: number;
  loadSeconds: number;
  fiscalYear: number;
  measurements: Measurement[];
  /** Raw SQL median (ms) per search scenario, central catalogue, one client. */
  floors: Map<string, number>;
  scaling: ScalingPoint[];
  /** Peak resident memory per process name (bytes). */
  memory: Map<string, number>;
  memoryNames: { gateway: string; central: string | null; members: string[] };
  /** The gateway's first harvest of each federation: its whole catalogue from every member's change feed. */
  backfills: { institutions: number; listings: number; seconds: number }[];
  freshness: FreshnessRun[];
  footprints: Footprint[];
  race: { federation: number; central: number };
  batch: { proposals: number; federation: number[]; central: number[] };
  explain: ExplainRow[];
  runSeconds: number;
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const trio = (r: LoadResult) => `${ms(r.p50)} / ${ms(r.p95)} / ${ms(r.p99)}`;
const n = (x: number) => Math.round(x).toLocaleString('en-US');
const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;
const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : '—');

/** The comparison: every scenario at every client count, both systems, the ratio of medians. */
export function ratioTable(report: Report): string {
  return table(
    [
      'scenario',
      'clients',
      'federation ms p50 / p95 / p99',
      'federation req/s',
      'central ms p50 / p95 / p99',
      'central req/s',
      '**p50 ratio** fed/central',
      'throughput ratio fed/central',
      'SQL floor p50',
      'errors fed / central',
    ],
    report.measurements.map((m) => [
      m.scenario,
      m.connections,
      trio(m.federation),
      n(m.federation.throughput),
      trio(m.central),
      n(m.central.throughput),
      `**${ratio(m.federation.p50, m.central.p50)}**`,
      ratio(m.federation.throughput, m.central.throughput),
      m.connections === 1 && report.floors.has(m.scenario) ? `${ms(report.floors.get(m.scenario)!)} ms` : '',
      `${m.federation.errors} / ${m.central.errors}${m.federation.refused + m.central.refused > 0 ? ` (slot taken: ${m.federation.refused} / ${m.central.refused})` : ''}`,
    ]),
  );
}

function scalingTable(report: Report, axis: ScalingPoint['axis']): string {
  const points = report.scaling
    .filter((p) => p.axis === axis)
    .sort(
      (a, b) =>
        a.scenario.localeCompare(b.scenario) ||
        a.connections - b.connections ||
        Number(a.membersPaused ?? false) - Number(b.membersPaused ?? false) ||
        a.institutions - b.institutions ||
        a.listings - b.listings,
    );
  return table(
    [
      ...(axis === 'institutions' ? ['institutions'] : ['listings', 'institutions']),
      'scenario',
      'clients',
      'federation ms p50 / p95 / p99',
      'federation req/s',
      'central ms p50 / p95 / p99',
      'p50 ratio',
    ],
    points.map((p) => [
      ...(axis === 'institutions'
        ? [p.membersPaused ? `${p.institutions}, members paused` : p.institutions]
        : [n(p.listings), p.institutions]),
      p.scenario,
      p.connections,
      trio(p.federation),
      n(p.federation.throughput),
      trio(p.central),
      ratio(p.federation.p50, p.central.p50),
    ]),
  );
}

function memoryTable(report: Report): string {
  const { gateway, central, members } = report.memoryNames;
  const memberPeaks = members.map((m) => report.memory.get(m) ?? 0);
  const rows: (string | number)[][] = [[`gateway`, mib(report.memory.get(gateway) ?? 0)]];
  if (members.length > 0) {
    rows.push([
      `${members.length} institution services, each (min / median / max)`,
      `${mib(Math.min(...memberPeaks))} / ${mib(median(memberPeaks))} / ${mib(Math.max(...memberPeaks))}`,
    ]);
    rows.push([
      `federation in all (gateway + services)`,
      mib((report.memory.get(gateway) ?? 0) + memberPeaks.reduce((a, b) => a + b, 0)),
    ]);
  }
  if (central) rows.push(['central service', mib(report.memory.get(central) ?? 0)]);
  for (const [name, bytes] of report.memory)
    if (name.includes('PostgreSQL') || name.includes('load generator')) rows.push([name, mib(bytes)]);
  return table(['process', 'peak RSS'], rows);
}

function backfillTable(report: Report): string {
  return table(
    ['institutions', 'listings', 'backfill (gateway start to every member harvested)', 'listings/s'],
    [...report.backfills]
      .sort((a, b) => a.listings - b.listings || a.institutions - b.institutions)
      .map((b) => [b.institutions, n(b.listings), `${b.seconds.toFixed(1)} s`, n(b.listings / b.seconds)]),
  );
}

function freshnessTable(report: Report): string {
  return table(
    [
      'institutions',
      'while',
      'changes',
      'commit → found in national search p50 / p95 / max',
      'search meanwhile p50 / p95, req/s',
    ],
    report.freshness.map((f) => [
      f.institutions,
      f.load ? `${f.load.connections} clients searching` : 'idle',
      f.samples.length,
      `${ms(f.p50)} / ${ms(f.p95)} / ${ms(f.max)} ms`,
      f.load ? `${ms(f.load.search.p50)} / ${ms(f.load.search.p95)} ms, ${n(f.load.search.throughput)}/s` : '',
    ]),
  );
}

function footprintTable(report: Report): string {
  return table(
    ['institutions', 'listings', 'gateway peak RSS', 'catalogue tables on disk (with indexes)', 'gateway database'],
    report.footprints.map((f) => [f.institutions, n(f.listings), mib(f.peakRss), mib(f.catalogueBytes), mib(f.databaseBytes)]),
  );
}

function explainTable(report: Report): string {
  return table(
    ['listings', 'query', 'access path', 'execution'],
    report.explain.map((e) => [e.listings, e.query, e.access, `${e.executionMs.toFixed(1)} ms`]),
  );
}

function commit(repo: string): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repo, encoding: 'utf8' }).trim();
    return dirty ? `${sha} with uncommitted changes` : sha;
  } catch {
    return 'unknown';
  }
}

/** The whole section for BENCHMARKS.md. */
export function nationalReport(report: Report, repo: string): string {
  const batch = report.batch;
  const hottest = report.explain.filter((e) => e.listings === Math.max(...report.explain.map((x) => x.listings)));
  return [
    '## Federation against a centralised catalogue',
    '',
    `Machine: ${machine(`PostgreSQL ${report.postgres.version} (shared_buffers ${report.postgres.sharedBuffers}, work_mem ${report.postgres.workMem})`)}; commit ${commit(repo)}. ` +
      `\`npm run bench\` (\`tests/bench/national/run.ts\`) in ${Math.round(report.runSeconds)} s.`,
    '',
    `**Data**: the ${n(report.listings)} listings of \`../shared/data/jp-equipment.jsonl\` (${n(report.refused)} rows refused as the importer refuses them), ` +
      `each given a location near its prefecture's capital, a price (log-uniform ¥0.5M–¥100M) and a fee schedule, and ` +
      `three past bookings for every third listing in fiscal year ${report.fiscalYear}; loaded in ${report.loadSeconds.toFixed(1)} s. ` +
      `The universities are packed into ${report.institutions} member institutions of nearly equal size.`,
    '',
    `**Systems**, each process separate as \`npm start\` runs them, all on this one machine with the load generator: ` +
      `the **federation** is the gateway and ${report.institutions} equipment services with a database each (pool of 5 each); ` +
      `the gateway answers search, facets and duplicate-check candidates from its national catalogue (its own database, ` +
      `harvested from every service's change feed; each federation is measured once its first harvest is complete) and ` +
      `calls the owner for what the owner decides (instrument pages' availability, quotes, bookings). The **central** peer is one ` +
      `equipment service (pool of 20) over one database holding every listing, same code, same migrations and indexes, asked ` +
      `through its own GraphQL with the documents the gateway sends to services. The **SQL floor** is the central ` +
      `catalogue's page and count queries run directly (one client). The gateway's per-address and per-user limits are off ` +
      `(one load generator stands for many users).`,
    '',
    `**Load**: \`autocannon\`, ${report.clients.join(', ')} keep-alive connections each sending its next request when the last is answered, ` +
      `two turns of ${report.seconds} s per system and measurement, alternating (central, federation, federation, central) so that a ` +
      `slow spell of the machine does not land on one system only, each after a warm-up of three requests per client; every ` +
      `response read (a GraphQL error in a 200 counts as an error). Throughput is answers over the time to the last answer ` +
      `(an operation too slow for the window is timed by a fixed count of requests instead).`,
    '',
    ratioTable(report),
    '',
    `Both systems booked the same slot for sixteen simultaneous researchers: ${report.race.federation} booking in the federation, ${report.race.central} in the central catalogue.`,
    '',
    `**Duplicate checks, a batch of ${n(batch.proposals)}**: the federation (candidates for the whole batch from the catalogue; the gateway ` +
      `scores, decides and stores every check with its digest) took ${(median(batch.federation) / 1000).toFixed(1)} s (median of ${batch.federation.length}); ` +
      `the central service's candidate search for the same titles in one call took ${(median(batch.central) / 1000).toFixed(1)} s.`,
    '',
    '### Memory (peak RSS during the main comparison)',
    '',
    memoryTable(report),
    '',
    '### The national catalogue: backfill, freshness, footprint',
    '',
    'Backfill: from the gateway starting over an empty catalogue to search naming no member as unharvested or stale.',
    '',
    backfillTable(report),
    '',
    'Freshness: a listing renamed at a member through its own `InstrumentsRepository` (the change feed records it in ' +
      'the same transaction and nudges the harvest), timed from the commit to the end of the first national search that ' +
      'finds the new name (searched every 10 ms); members in turn. Under load, 16 clients run the 3+ character search meanwhile.',
    '',
    freshnessTable(report),
    '',
    'The gateway with its catalogue: peak RSS while that federation was measured, and the catalogue on disk after it.',
    '',
    footprintTable(report),
    '',
    ...(report.scaling.some((p) => p.axis === 'institutions')
      ? [
          '### Search as the federation grows (same listings)',
          '',
          'Every member service runs on this machine too, so each added institution is a Node process and a pool sharing ' +
            'its two cores. The rows "members paused" search with every member stopped (SIGSTOP) for the measurement: ' +
            'the gateway and PostgreSQL alone, as when the members run on machines of their own.',
          '',
          scalingTable(report, 'institutions'),
          '',
        ]
      : []),
    ...(report.scaling.some((p) => p.axis === 'listings')
      ? ['### Search as the catalogue grows (synthetic copies of the real listings)', '', scalingTable(report, 'listings'), '']
      : []),
    '### Plans of the hot queries (central catalogue, `EXPLAIN (ANALYZE, BUFFERS)` of the page query)',
    '',
    explainTable(report),
    '',
    '<details><summary>Plans at the largest size</summary>',
    '',
    ...hottest.flatMap((e) => [`${e.query}:`, '', '```', e.plan, '```', '']),
    '</details>',
  ].join('\n');
}

/** What a quick run prints: the ratio table and the catalogue's own figures. */
export function quickSummary(report: Report): string {
  return [ratioTable(report), '', backfillTable(report), '', freshnessTable(report), '', footprintTable(report)].join('\n');
}
