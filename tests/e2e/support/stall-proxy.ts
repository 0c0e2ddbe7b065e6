import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP proxy in front of one service that forwards every request (keeping connections alive on both
 * sides) until told to stall; from then on it holds every new request and every answer still on its way
 * back, never answering, until `resume()` (which lets them go on) or `close()`. It stands in for an
 * institution whose service hangs: its process is up and accepts connections, but nothing comes back.
 */
export interface StallProxy {
  /** Base URL to register instead of the service's. */
  url: string;
  /** TCP connections the proxy has accepted so far. */
  readonly connections: number;
  /**
   * Requests the proxy has received so far, not counting the catalogue harvest's (background calls whose
   * request id starts with `harvest-`: the gateway's long poll on the feed), which `harvestRequests` counts.
   */
  readonly requests: number;
  readonly harvestRequests: number;
  /** Requests held before reaching the service, so far. */
  readonly requestsHeld: number;
  /** Answers the service gave that the proxy held, so far (requests that were in flight when it stalled). */
  readonly answersHeld: number;
  /** Holds every new request and every answer not yet passed on. */
  stall(): void;
  /**
   * Lets `requests` more requests through, then stalls while the next one is in flight: that one reaches the
   * service, but its answer is held, and so is everything after it.
   */
  stallAfter(requests: number): void;
  /** Stops stalling; held requests and answers go on to clients that are still waiting. */
  resume(): void;
  /** Drops every held request and connection and stops listening. */
  close(): Promise<void>;
}

/** Starts a stall proxy for the service at `target` (e.g. `http://127.0.0.1:4101`) on a free loopback port. */
export async function startStallProxy(target: string): Promise<StallProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  let stalled = false;
  let passesBeforeStall: number | null = null;
  const held = new Set<() => void>();
  const counts = { connections: 0, requests: 0, harvestRequests: 0, requestsHeld: 0, answersHeld: 0 };

  /** Runs `release` now, or on `resume()` when stalled; forgets it if the client gives up first. */
  const holdOrRun = (res: ServerResponse, release: () => void, kind: 'requestsHeld' | 'answersHeld' | null) => {
    if (!stalled) return release();
    if (kind) counts[kind] += 1;
    const entry = () => {
      held.delete(entry);
      if (!res.destroyed) release();
    };
    held.add(entry);
    res.on('close', () => held.delete(entry));
  };

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const outgoing = request(
      new URL(req.url ?? '/', upstream),
      { method: req.method, headers: { ...req.headers, host: upstream.host }, agent },
      (answer) =>
        holdOrRun(
          res,
          () => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
          'answersHeld',
        ),
    );
    outgoing.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    req.pipe(outgoing);
  };

  const server = createServer((req, res) => {
    const harvest = String(req.headers['x-request-id'] ?? '').startsWith('harvest-');
    counts[harvest ? 'harvestRequests' : 'requests'] += 1;
    if (stalled) return holdOrRun(res, () => forward(req, res), harvest ? null : 'requestsHeld');
    forward(req, res);
    if (passesBeforeStall !== null && !harvest) {
      if (passesBeforeStall === 0) {
        stalled = true;
        passesBeforeStall = null;
      } else passesBeforeStall -= 1;
    }
  });
  server.on('connection', () => (counts.connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return counts.connections;
    },
    get requests() {
      return counts.requests;
    },
    get harvestRequests() {
      return counts.harvestRequests;
    },
    get requestsHeld() {
      return counts.requestsHeld;
    },
    get answersHeld() {
      return counts.answersHeld;
    },
    stall() {
      stalled = true;
      passesBeforeStall = null;
    },
    stallAfter(requests) {
      passesBeforeStall = requests;
    },
    resume() {
      stalled = false;
      passesBeforeStall = null;
      for (const release of [...held]) release();
    },
    async close() {
      stalled = true;
      held.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}
