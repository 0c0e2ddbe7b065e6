import type { IncomingMessage } from 'node:http';

/**
 * The client's address for rate limiting: the connection's peer, or behind a trusted reverse proxy the last
 * `X-Forwarded-For` entry (the one that proxy appended; earlier entries are whatever the client claimed).
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = req.headers['x-forwarded-for'];
    const last = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').at(-1)?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
