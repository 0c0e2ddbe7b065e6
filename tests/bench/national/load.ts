/**
 * Load from `autocannon` (HTTP/1.1 keep-alive connections, each sending its next request as soon as the last
 * answered): every response timed and read, so percentiles are exact and a GraphQL error in a 200 counts.
 */
import autocannon from 'autocannon';

/** How an answer counts: served, refused as the scenario expects (a taken slot), or an error. */
export type Outcome = 'ok' | 'refused' | 'error';

export interface LoadSpec {
  /** Requests are numbered per key across runs, so writes can keep their slots apart. */
  key: string;
  /** Full URL of the GraphQL endpoint. */
  url: string;
  headers: Record<string, string>;
  /** The body of the i-th request (from 0, counting across runs of the same spec). */
  body: (i: number) => string;
  classify?: (status: number, body: string) => Outcome;
}

export interface LoadResult {
  connections: number;
  requests: number;
  seconds: number;
  p50: number;
  p95: number;
  p99: number;
  /** Completed requests per second. */
  throughput: number;
  refused: number;
  /** GraphQL errors, non-2xx answers, connection errors and timeouts. */
  errors: number;
  /** The first error answer, to say what went wrong. */
  firstError: string | null;
}

/** Default classification: a 200 without `errors` is served. */
export function graphqlOutcome(status: number, body: string): Outcome {
  return status === 200 && !body.includes('"errors"') ? 'ok' : 'error';
}

/** The q-th quantile (0–1) of sorted values, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

const counters = new Map<string, number>();

/** Requests per client in the warm-up (not counted): enough that one cold first answer does not decide the mode. */
const WARM_UP_PER_CLIENT = 3;

/**
 * Runs `connections` clients against `spec`: a warm-up of a few requests per client (not counted), then
 * `seconds` of load; an operation too slow to answer `minRequests` times in that window is measured by a
 * fixed count of requests instead (every one answered), so slow scenarios still get figures.
 */
export async function runLoad(spec: LoadSpec, connections: number, seconds: number, minRequests: number): Promise<LoadResult> {
  return summarise(await timedLoad(spec, connections, seconds, minRequests));
}

/**
 * Both systems under the same load, in `rounds` alternating turns (`a` then `b`, then `b` then `a`, …), each
 * turn `seconds` long; each system's turns pooled into one result. Alternating keeps a slow spell of this
 * shared machine (a neighbour's burst, autovacuum) from landing on one system only. Each turn asks for its
 * spec afresh (a central token lives 60 s).
 */
export async function compareLoads(
  a: () => Promise<LoadSpec>,
  b: () => Promise<LoadSpec>,
  connections: number,
  seconds: number,
  minRequests: number,
  rounds = 2,
): Promise<[LoadResult, LoadResult]> {
  const runs: [Run[], Run[]] = [[], []];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ([0, 1] as const) : ([1, 0] as const);
    for (const which of order)
      runs[which].push(await timedLoad(await (which === 0 ? a : b)(), connections, seconds, minRequests));
  }
  return [summarise(...runs[0]), summarise(...runs[1])];
}

async function timedLoad(spec: LoadSpec, connections: number, seconds: number, minRequests: number): Promise<Run> {
  const warm = await fire(spec, connections, { amount: connections * WARM_UP_PER_CLIENT });
  const warmP50 = quantile(warm.latencies, 0.5);
  const expected = (seconds * 1000 * connections) / Math.max(warmP50, 0.1);
  // A request still running when a timed run ends is not counted: time only what answers well within the window.
  return expected >= minRequests && quantile(warm.latencies, 0.95) * 3 < seconds * 1000
    ? fire(spec, connections, { duration: seconds })
    : fire(spec, connections, { amount: Math.max(minRequests, connections * 2) });
}

/** One run of autocannon: every answer's latency, and the time from the start to the last answer. */
interface Run {
  connections: number;
  latencies: number[];
  seconds: number;
  refused: number;
  errors: number;
  firstError: string | null;
}

function summarise(...runs: Run[]): LoadResult {
  const latencies = runs.flatMap((r) => r.latencies).sort((x, y) => x - y);
  const seconds = runs.reduce((sum, r) => sum + r.seconds, 0);
  return {
    connections: runs[0]!.connections,
    requests: latencies.length,
    seconds,
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    p99: quantile(latencies, 0.99),
    throughput: latencies.length / seconds,
    refused: runs.reduce((sum, r) => sum + r.refused, 0),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    firstError: runs.find((r) => r.firstError)?.firstError ?? null,
  };
}

async function fire(spec: LoadSpec, connections: number, run: { duration: number } | { amount: number }): Promise<Run> {
  const classify = spec.classify ?? graphqlOutcome;
  const latencies: number[] = [];
  let refused = 0;
  let errors = 0;
  let firstError: string | null = null;
  const started = performance.now();
  let last = started;
  const options: autocannon.Options = {
    url: spec.url,
    connections,
    ...run,
    timeout: 60,
    headers: { 'content-type': 'application/json', ...spec.headers },
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const i = counters.get(spec.key) ?? 0;
          counters.set(spec.key, i + 1);
          return { ...request, body: spec.body(i) };
        },
        onResponse: (status, body) => {
          const outcome = classify(status, body);
          if (outcome === 'refused') refused += 1;
          if (outcome === 'error') {
            errors += 1;
            firstError ??= `${status} ${body.slice(0, 300)}`;
          }
        },
      },
    ],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
      last = performance.now();
    });
  });
  // Throughput over the time to the last answer: autocannon ends a run of a fixed amount only on its next
  // one-second tick, which counted as load made 20 quick requests look like 20 a second.
  return {
    connections,
    latencies,
    seconds: latencies.length > 0 ? (last - started) / 1000 : (performance.now() - started) / 1000,
    refused,
    errors: errors + result.errors,
    firstError: firstError ?? (result.errors > 0 ? `${result.errors} connection errors` : null),
  };
}
