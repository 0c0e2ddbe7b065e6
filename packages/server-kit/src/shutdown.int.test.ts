import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { createHttpApp, listen, sendJson, shutdown } from './http';
import { createLogger } from './logger';

const silent = createLogger('test', 'error', {}, () => undefined);

/** A server whose `GET /slow` answers after `delayMs`; `answered` hears when an answer has been sent in full. */
async function slowServer(delayMs: number, answered: (status: number) => void = () => undefined) {
  const apollo = new ApolloServer({
    typeDefs: 'type Query { ok: Boolean }',
    resolvers: { Query: { ok: () => true } },
  });
  await apollo.start();
  const server = createHttpApp({
    logger: silent,
    graphql: { apollo, maxBodyBytes: 1024, context: () => Promise.resolve({}) },
    routes: [
      {
        method: 'GET',
        path: '/slow',
        handle: async (_req, res) => {
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          res.once('finish', () => answered(res.statusCode));
          sendJson(res, 200, { done: true });
        },
      },
    ],
  });
  const port = await listen(server, 0, '127.0.0.1');
  return { server, apollo, url: `http://127.0.0.1:${port}` };
}

describe('graceful shutdown', () => {
  it('finishes requests in flight, refuses new connections, then cleans up', async () => {
    const events: string[] = [];
    // Heard where the server sends the answer: the client's side of the same process may read it only after
    // the server has closed (the order of two sockets' events in one loop is not fixed).
    const { server, apollo, url } = await slowServer(400, (status) => events.push(`answered ${status}`));
    const inFlight = fetch(`${url}/slow`).then(async (r) => (await r.json()) as unknown);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stopped = shutdown(server, async () => {
      events.push('cleanup');
      await apollo.stop();
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const port = (server.address() as AddressInfo | null)?.port;
    expect(port).toBeUndefined();
    await expect(fetch(`${url}/slow`)).rejects.toThrow();
    expect(await inFlight).toEqual({ done: true });
    await stopped;
    expect(events).toEqual(['answered 200', 'cleanup']);
  });

  it('gives up on a request that outlives the grace period', async () => {
    const { server, apollo, url } = await slowServer(5_000);
    const inFlight = fetch(`${url}/slow`).then(
      (r) => r.status,
      () => 'dropped',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await shutdown(server, () => apollo.stop(), 300);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(await inFlight).toBe('dropped');
  });
});
