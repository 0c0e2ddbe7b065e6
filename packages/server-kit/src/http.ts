import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Server as NetServer } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { DomainError, ErrorCode } from '@kyoyo/domain';
import type { Logger } from './logger';
import type { Metrics, OperationType, RouteKind } from './metrics';

/** A plain HTTP route beside the GraphQL endpoint (`/healthz`, `/readyz`, landing pages, …). */
export interface Route {
  method: 'GET' | 'POST';
  path: string;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void> | void;
  /** The `route` label of its requests in the metrics (default `other`). */
  kind?: RouteKind;
}

export interface GraphQLEndpoint<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /** Builds the per-request context; throw a `DomainError` (`UNAUTHENTICATED`, …) to refuse the request. */
  context(req: IncomingMessage, requestId: string): Promise<TContext>;
  /** Largest accepted request body. */
  maxBodyBytes: number;
  /** A larger body limit for operations whose every root field is one of `rootFields` (uploads). */
  largeBody?: { maxBytes: number; rootFields: readonly string[] };
}

export interface HttpAppOptions<TContext extends BaseContext> {
  graphql: GraphQLEndpoint<TContext>;
  routes?: Route[];
  logger: Logger;
  /**
   * This app's metrics: every request is counted and timed in them, and `GET /metrics` serves them. The
   * app's ApolloServer should have `metrics.apolloPlugin()` (operation types) and `createFormatError(logger,
   * metrics)` (errors by code). Absent: no `/metrics`, nothing recorded.
   */
  metrics?: Metrics;
  /**
   * Runs first for every request but `/healthz`, `/readyz` and `/metrics`; throw a `DomainError` to refuse it (a
   * `RateLimitedError` answers 429 or 503 with `Retry-After`). It may wait (admission control) and return a
   * function to call once the request has been answered or abandoned.
   */
  admit?(req: IncomingMessage): Promise<(() => void) | void> | void;
}

/**
 * Refused for going too fast or for a busy server: `LIMIT_EXCEEDED`, answered with HTTP `status` (429, or
 * 503 for a server that is busy for everyone) and `Retry-After`.
 */
export class RateLimitedError extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    message = `Too many requests; try again in ${retryAfterSeconds} s`,
    readonly status: 429 | 503 = 429,
  ) {
    super(ErrorCode.LIMIT_EXCEEDED, message);
  }
}

/** Paths never refused for load nor logged: health probes and metrics scrapes must get through a busy server. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** The request id a caller sent in `x-request-id`, or a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const sent = req.headers['x-request-id'];
  return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
}

/** Writes a JSON response. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

const statusByCode: Partial<Record<string, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.LIMIT_EXCEEDED]: 413,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.INSTITUTION_UNAVAILABLE]: 503,
  [ErrorCode.IDENTITY_PROVIDER_UNAVAILABLE]: 503,
  [ErrorCode.INTERNAL_SERVER_ERROR]: 500,
};

/** The HTTP status a refusal with `code` answers with outside GraphQL (400 for codes of bad input and rules). */
export function httpStatusOf(error: DomainError): number {
  return error instanceof RateLimitedError ? error.status : (statusByCode[error.code] ?? 400);
}

/** Answers a refused request in GraphQL's error shape with a fitting HTTP status. */
export function sendGraphQLError(res: ServerResponse, error: DomainError, requestId: string): void {
  const limited = error instanceof RateLimitedError;
  sendJson(
    res,
    httpStatusOf(error),
    { errors: [{ message: error.message, extensions: { code: error.code, ...(error.field ? { field: error.field } : {}) } }] },
    { 'x-request-id': requestId, ...(limited ? { 'retry-after': String(error.retryAfterSeconds) } : {}) },
  );
}

/** Reads the whole body as UTF-8 text, refusing more than `limit` bytes (`LIMIT_EXCEEDED`) and invalid UTF-8 (`BAD_USER_INPUT`). */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) throw new DomainError(ErrorCode.LIMIT_EXCEEDED, `The request body exceeds ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new DomainError(ErrorCode.LIMIT_EXCEEDED, `The request body exceeds ${limit} bytes`);
    chunks.push(chunk);
  }
  try {
    return utf8.decode(Buffer.concat(chunks));
  } catch {
    throw new DomainError(ErrorCode.BAD_USER_INPUT, 'The request body is not valid UTF-8');
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * True when `body` (a parsed GraphQL-over-HTTP POST body) runs only `rootFields`: every root field of the
 * operation it names (or of its only operation) is one of them. Anything unparsable is false.
 */
export function runsOnly(body: unknown, rootFields: readonly string[]): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const { query, operationName } = body as { query?: unknown; operationName?: unknown };
  if (typeof query !== 'string') return false;
  try {
    const operations = parse(query).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const operation =
      typeof operationName === 'string'
        ? operations.find((o) => o.name?.value === operationName)
        : operations.length === 1
          ? operations[0]
          : undefined;
    if (!operation || operation.selectionSet.selections.length === 0) return false;
    return operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && rootFields.includes(s.name.value));
  } catch {
    return false;
  }
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text.length === 0) return undefined;
  if (!contentType?.toLowerCase().includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DomainError(ErrorCode.BAD_USER_INPUT, 'The request body is not valid JSON');
  }
}

/**
 * An HTTP server with GraphQL at `/graphql` (Apollo Server through `executeHTTPGraphQLRequest`, GET and
 * POST as the GraphQL-over-HTTP spec says) and the given plain routes.
 */
export function createHttpApp<TContext extends BaseContext>(options: HttpAppOptions<TContext>): Server {
  const { graphql, logger, admit, metrics } = options;
  const routes = new Map((options.routes ?? []).map((r) => [`${r.method} ${r.path}`, r]));
  if (metrics) {
    const scrape: Route = {
      method: 'GET',
      path: '/metrics',
      kind: 'metrics',
      handle: async (_req, res) => {
        const text = await metrics.render();
        res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
        res.end(text);
      },
    };
    routes.set('GET /metrics', scrape);
  }

  return createServer((req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const requestId = requestIdOf(req);
    const route = routes.get(`${req.method} ${url.pathname}`);
    const kind = routeKindOf(url.pathname, route);
    /** What Apollo resolved (GraphQL requests only). */
    const seen: { operation?: OperationType } = {};
    res.on('close', () => {
      metrics?.observeRequest(
        {
          route: kind,
          method: req.method,
          status: res.writableFinished ? res.statusCode : 'aborted',
          operation: seen.operation,
        },
        (performance.now() - started) / 1000,
      );
    });
    res.on('finish', () => {
      if (PROBES.has(url.pathname)) return;
      logger.info('request', {
        rid: requestId,
        method: req.method,
        path: url.pathname,
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
      });
    });

    const handle = async () => {
      if (admit && !PROBES.has(url.pathname)) {
        const release = await admit(req);
        if (release) res.once('close', release);
      }
      if (route) return route.handle(req, res);
      if (url.pathname !== '/graphql') return sendJson(res, 404, { error: 'not found' });
      if (req.method !== 'GET' && req.method !== 'POST') {
        return sendJson(res, 405, { error: 'method not allowed' }, { allow: 'GET, POST' });
      }
      await serveGraphQL(req, res, url, requestId, seen);
    };
    handle().catch((error: unknown) => {
      const code = error instanceof DomainError ? error.code : ErrorCode.INTERNAL_SERVER_ERROR;
      if (kind === 'graphql' && !res.headersSent) metrics?.countGraphQLError(code);
      if (error instanceof DomainError) return sendGraphQLError(res, error, requestId);
      logger.error('request failed', { rid: requestId, error });
      if (!res.headersSent)
        sendJson(res, 500, {
          errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }],
        });
      else res.destroy();
    });
  });

  /** The POST body, within `maxBodyBytes`, or within `largeBody.maxBytes` for the operations allowed it. */
  async function readGraphQLBody(req: IncomingMessage): Promise<unknown> {
    const { maxBodyBytes, largeBody } = graphql;
    const text = await readBody(req, Math.max(maxBodyBytes, largeBody?.maxBytes ?? 0));
    const tooLarge = () => new DomainError(ErrorCode.LIMIT_EXCEEDED, `The request body exceeds ${maxBodyBytes} bytes`);
    const oversized = Buffer.byteLength(text) > maxBodyBytes;
    let body: unknown;
    try {
      body = parseBody(text, req.headers['content-type']);
    } catch (error) {
      throw oversized ? tooLarge() : error;
    }
    if (oversized && !(largeBody && runsOnly(body, largeBody.rootFields))) throw tooLarge();
    return body;
  }

  /** Answers a GraphQL request through Apollo, noting its operation type in `seen` (for the metrics) first. */
  async function serveGraphQL(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    requestId: string,
    seen: { operation?: OperationType },
  ): Promise<void> {
    const context = await graphql.context(req, requestId);
    const body = req.method === 'POST' ? await readGraphQLBody(req) : undefined;
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const httpGraphQLRequest = { method: req.method ?? 'GET', headers, search: url.search, body };
    const result = await graphql.apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: async () => context });
    if (metrics) seen.operation = metrics.operationOf(httpGraphQLRequest);
    res.statusCode = result.status ?? 200;
    for (const [key, value] of result.headers) res.setHeader(key, value);
    res.setHeader('x-request-id', requestId);
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }
}

/** The `route` label of a request: bounded, never the raw path (unknown paths are `other`). */
function routeKindOf(pathname: string, route: Route | undefined): RouteKind {
  if (pathname === '/graphql') return 'graphql';
  if (!route) return 'other';
  if (route.kind) return route.kind;
  if (pathname === '/healthz') return 'healthz';
  if (pathname === '/readyz') return 'readyz';
  return 'other';
}

/** Starts listening (an HTTP server, or any other TCP server) and resolves with the bound port. */
export function listen(server: NetServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/**
 * Stops accepting connections, lets in-flight requests finish (up to `graceMs`), then runs `cleanup`
 * (close pools). Called on SIGTERM/SIGINT.
 */
export async function shutdown(server: Server, cleanup: () => Promise<void>, graceMs = 10_000): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive connections go as soon as their request is answered, not when their idle timeout ends.
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearInterval(sweep);
  clearTimeout(timer);
  await cleanup();
}

/** Runs `stop` once on SIGTERM or SIGINT, then exits. */
export function onShutdownSignal(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => handler('SIGTERM'));
  process.once('SIGINT', () => handler('SIGINT'));
}
