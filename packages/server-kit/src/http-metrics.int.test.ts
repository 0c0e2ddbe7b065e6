import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError, ErrorCode } from '@kyoyo/domain';
import { createFormatError } from './errors';
import { createHttpApp, listen, RateLimitedError, sendJson } from './http';
import { createLogger } from './logger';
import { Metrics } from './metrics';

const silent = createLogger('test', 'error', {}, () => undefined);

/** The value of the sample `name{labels}` (exactly these labels) in a text exposition. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-z_:][a-z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = match[2] ? match[2].split(',') : [];
    if (present.length === wanted.length && wanted.every((w) => present.includes(w))) return Number(match[3]);
  }
  return undefined;
}

let url: string;
let stop: () => Promise<void>;
/** While true, every request but probes and scrapes is refused as too many. */
let busy = false;

beforeAll(async () => {
  const metrics = new Metrics('kyoyo_httptest_');
  const apollo = new ApolloServer<{ signedIn: boolean }>({
    typeDefs: 'type Query { ok: Boolean, refuse: Boolean } type Mutation { touch: Boolean }',
    resolvers: {
      Query: {
        ok: () => true,
        refuse: () => {
          throw new DomainError(ErrorCode.BAD_USER_INPUT, 'No', 'x');
        },
      },
      Mutation: { touch: () => true },
    },
    formatError: createFormatError(silent, metrics),
    plugins: [metrics.apolloPlugin()],
  });
  const server = createHttpApp<{ signedIn: boolean }>({
    logger: silent,
    metrics,
    admit: () => {
      if (busy) throw new RateLimitedError(1);
    },
    graphql: {
      apollo,
      maxBodyBytes: 1024,
      context: async (req) => {
        if (req.headers.authorization === 'Bearer bad') throw new DomainError(ErrorCode.UNAUTHENTICATED, 'Bad token');
        return { signedIn: false };
      },
    },
    routes: [
      { method: 'GET', path: '/healthz', handle: (_req, res) => sendJson(res, 200, { status: 'ok' }) },
      { method: 'GET', path: '/app', kind: 'console', handle: (_req, res) => sendJson(res, 200, {}) },
    ],
  });
  await apollo.start();
  url = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
  stop = async () => {
    server.close();
    server.closeAllConnections();
    await apollo.stop();
  };
});

afterAll(() => stop?.());

const post = (query: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });

async function scrape(): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return response.text();
}

describe('GET /metrics of an HTTP app', () => {
  it('counts requests by route kind, method, status and operation type, never by raw path', async () => {
    expect((await post('{ ok }')).status).toBe(200);
    expect((await post('mutation { touch }')).status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/app`)).status).toBe(200);
    expect((await fetch(`${url}/secret-path-42`)).status).toBe(404);
    const text = await scrape();
    const name = 'kyoyo_httptest_http_requests_total';
    expect(sample(text, name, { route: 'graphql', method: 'POST', status: '200', operation: 'query' })).toBe(1);
    expect(sample(text, name, { route: 'graphql', method: 'POST', status: '200', operation: 'mutation' })).toBe(1);
    expect(sample(text, name, { route: 'healthz', method: 'GET', status: '200', operation: '' })).toBe(1);
    expect(sample(text, name, { route: 'console', method: 'GET', status: '200', operation: '' })).toBe(1);
    expect(sample(text, name, { route: 'other', method: 'GET', status: '404', operation: '' })).toBe(1);
    expect(
      sample(text, 'kyoyo_httptest_http_request_duration_seconds_count', {
        route: 'graphql',
        method: 'POST',
        status: '200',
        operation: 'query',
      }),
    ).toBe(1);
    expect(text).not.toContain('secret-path-42');
    // The previous scrape is counted once it has been answered.
    expect(sample(await scrape(), name, { route: 'metrics', method: 'GET', status: '200', operation: '' })).toBe(1);
  });

  it('counts GraphQL errors by code: from resolvers, from validation, and refusals before Apollo', async () => {
    expect((await post('{ refuse }')).status).toBe(200);
    expect((await post('{ nope }')).status).toBe(400);
    expect((await post('{ ok }', { authorization: 'Bearer bad' })).status).toBe(401);
    const text = await scrape();
    const name = 'kyoyo_httptest_graphql_errors_total';
    expect(sample(text, name, { code: 'BAD_USER_INPUT' })).toBe(1);
    expect(sample(text, name, { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
    expect(sample(text, name, { code: 'UNAUTHENTICATED' })).toBe(1);
    const requests = 'kyoyo_httptest_http_requests_total';
    expect(sample(text, requests, { route: 'graphql', method: 'POST', status: '400', operation: 'none' })).toBe(1);
    expect(sample(text, requests, { route: 'graphql', method: 'POST', status: '401', operation: 'none' })).toBe(1);
  });

  it('answers scrapes and health probes while every other request is refused for load', async () => {
    busy = true;
    try {
      expect((await post('{ ok }')).status).toBe(429);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const text = await scrape();
      expect(sample(text, 'kyoyo_httptest_graphql_errors_total', { code: 'LIMIT_EXCEEDED' })).toBe(1);
    } finally {
      busy = false;
    }
  });
});
