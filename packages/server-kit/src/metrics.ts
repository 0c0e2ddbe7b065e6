/**
 * Prometheus metrics of one app (the gateway or one equipment service), served at `GET /metrics` in the text
 * exposition format 0.0.4. Every app has its own `Registry`, never prom-client's global one, so that several
 * apps in one process (tests, benchmarks) keep their own counts and never collide on names. Every label
 * takes a bounded set of values: route kinds, not paths; operation types, not operation names; known error
 * codes, anything else `OTHER`.
 */
import type { ApolloServerPlugin, BaseContext, HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isErrorCode } from '@kyoyo/domain';

export type { Counter, Gauge, Histogram } from 'prom-client';

/** What an HTTP request was for, as the `route` label says it (never the raw path). */
export type RouteKind = 'graphql' | 'healthz' | 'readyz' | 'metrics' | 'console' | 'other';

/** A GraphQL request's operation type; `none` when no operation was resolved (unparsable, invalid, refused). */
export type OperationType = 'query' | 'mutation' | 'subscription' | 'none';

/** Latency buckets in seconds, 5 ms to 10 s: a page is expected well under a second, an institution's budget is 2 s. */
export const LATENCY_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];

/** How busy a database pool is now (`Database.pool` of @kyoyo/db); read at every scrape. */
export interface PoolUsage {
  readonly max: number;
  readonly queriesInFlight: number;
  readonly transactionsInFlight: number;
}

/** One answered (or abandoned) HTTP request, as `observeRequest` records it. */
export interface RequestLabels {
  route: RouteKind;
  method: string | undefined;
  /** The HTTP status sent, or `aborted` when the client went away before the answer was complete. */
  status: number | 'aborted';
  /** For `graphql` requests only. */
  operation?: OperationType;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const APOLLO_CODES = new Set<string>(Object.values(ApolloServerErrorCode));
const PREFIX = /^[a-z][a-z0-9_]*_$/;

/**
 * Node's process metrics (CPU, memory, event-loop lag, GC, handles), one set per prefix per process, shared by
 * the registries of that prefix. prom-client starts an event-loop delay monitor and a GC observer for every
 * `collectDefaultMetrics` call and never stops them; a test process starting dozens of apps would pile them
 * up, and they would all measure the same process anyway.
 */
const processRegistries = new Map<string, Registry>();

function processRegistry(prefix: string): Registry {
  let registry = processRegistries.get(prefix);
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix });
    processRegistries.set(prefix, registry);
  }
  return registry;
}

/**
 * The metrics of one app, all named `<prefix><name>` (`kyoyo_gateway_…`, `kyoyo_equipment_…`): HTTP requests and
 * their latency, GraphQL errors by code, database pool use, the process's own metrics, and whatever the app
 * defines with `counter`, `gauge` and `histogram`.
 */
export class Metrics {
  /** This app's own metrics (not the process metrics, which are added at `render`). */
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'method' | 'status' | 'operation'>;
  private readonly durations: Histogram<'route' | 'method' | 'status' | 'operation'>;
  private readonly graphqlErrors: Counter<'code'>;
  private readonly operations = new WeakMap<HTTPGraphQLRequest, OperationType>();
  private readonly pools: PoolUsage[] = [];

  constructor(readonly prefix: string) {
    if (!PREFIX.test(prefix)) throw new Error(`A metrics prefix is lower-case snake case ending in "_" (got "${prefix}")`);
    const http = ['route', 'method', 'status', 'operation'] as const;
    this.requests = this.counter(
      'http_requests_total',
      'HTTP requests answered, by route kind, method, status and GraphQL operation type.',
      http,
    );
    this.durations = this.histogram(
      'http_request_duration_seconds',
      'Time from receiving an HTTP request to the end of its answer, by route kind, method, status and GraphQL operation type.',
      http,
    );
    this.graphqlErrors = this.counter(
      'graphql_errors_total',
      'Errors in answers to /graphql, by extensions.code (OTHER for a code that is neither Kyoyo’s nor Apollo’s).',
      ['code'],
    );
    // Started now, so that the first scrape already has event-loop and GC readings.
    processRegistry(prefix);
  }

  /** A counter named `<prefix><name>` (end `name` in `_total`). */
  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name: this.prefix + name, help, labelNames, registers: [this.registry] });
  }

  /** A gauge named `<prefix><name>`; `collect` (optional, may be async) sets its value at every scrape. */
  gauge<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    collect?: (this: Gauge<L>) => void | Promise<void>,
  ): Gauge<L> {
    return new Gauge({ name: this.prefix + name, help, labelNames, registers: [this.registry], ...(collect ? { collect } : {}) });
  }

  /** A histogram named `<prefix><name>` (in base units: `_seconds`, `_bytes`), `LATENCY_BUCKETS` unless told. */
  histogram<L extends string = never>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    buckets: readonly number[] = LATENCY_BUCKETS,
  ): Histogram<L> {
    return new Histogram({ name: this.prefix + name, help, labelNames, buckets: [...buckets], registers: [this.registry] });
  }

  /** Counts one HTTP request and its latency. */
  observeRequest(labels: RequestLabels, seconds: number): void {
    const values = {
      route: labels.route,
      method: labels.method && METHODS.has(labels.method) ? labels.method : 'OTHER',
      status: String(labels.status),
      operation: labels.route === 'graphql' ? (labels.operation ?? 'none') : '',
    };
    this.requests.inc(values);
    this.durations.observe(values, seconds);
  }

  /** Counts one error of a GraphQL answer by its `extensions.code`. */
  countGraphQLError(code: unknown): void {
    const known = typeof code === 'string' && (isErrorCode(code) || APOLLO_CODES.has(code));
    this.graphqlErrors.inc({ code: known ? code : 'OTHER' });
  }

  /**
   * Reports `pool`'s use in the `db_*` gauges, read at every scrape (summed when an app has several pools;
   * absent until the first pool is tracked, rather than a made-up zero).
   */
  trackPool(pool: PoolUsage): void {
    const pools = this.pools;
    if (pools.length === 0) {
      this.gauge('db_pool_max', 'Most connections the database pool may open.', [], function () {
        this.set(sum(pools, 'max'));
      });
      this.gauge(
        'db_queries_in_flight',
        'Statements sent through the database pool outside transactions that have not finished: waiting for a connection or running.',
        [],
        function () {
          this.set(sum(pools, 'queriesInFlight'));
        },
      );
      this.gauge(
        'db_transactions_in_flight',
        'Database transactions waiting for a connection or running; each holds one connection of the pool while it runs.',
        [],
        function () {
          this.set(sum(pools, 'transactionsInFlight'));
        },
      );
    }
    pools.push(pool);
  }

  /**
   * The Apollo Server plugin that notes each request's operation type for `operationOf`. Add it to the
   * app's ApolloServer (`plugins`), beside `createFormatError(logger, metrics)` which counts the errors.
   */
  apolloPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
    const operations = this.operations;
    return {
      requestDidStart: async () => ({
        didResolveOperation: async ({ request, operation }) => {
          if (request.http && operation) operations.set(request.http, operation.operation);
        },
      }),
    };
  }

  /** The operation type `apolloPlugin` saw for the HTTP request handed to `executeHTTPGraphQLRequest`. */
  operationOf(request: HTTPGraphQLRequest): OperationType {
    return this.operations.get(request) ?? 'none';
  }

  /** The `content-type` of `render`'s text (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric of this app and of its process, in the text exposition format. */
  render(): Promise<string> {
    return Registry.merge([this.registry, processRegistry(this.prefix)]).metrics();
  }
}

function sum(pools: readonly PoolUsage[], key: keyof PoolUsage): number {
  return pools.reduce((total, pool) => total + pool[key], 0);
}
