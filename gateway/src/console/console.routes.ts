/**
 * The web console (packages/console) at `/`: its page and three assets, read from the built `dist/web` once
 * per change (a rebuild is picked up without a restart). Every byte comes from here: no CDN, works offline.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONSOLE_DIST, CONSOLE_FILES, type ConsoleFile } from '@kyoyo/console';
import type { Logger, Route } from '@kyoyo/server-kit';

/** Only what the console needs: its own scripts, styles, data and API; no framing by other sites. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

interface Cached {
  mtimeMs: number;
  body: Buffer;
  etag: string;
}

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Kyoyo console not built</title>
<body><h1>The web console has not been built</h1><p>Run <code>npm run build:console</code> (npm install and npm start do it), then reload.</p>
<p>The API is at <a href="/graphql">/graphql</a>.</p></body></html>`;

/** Routes serving the built console from `dir` (default: packages/console/dist/web). */
export function consoleRoutes(logger: Logger, dir = CONSOLE_DIST): Route[] {
  const cache = new Map<ConsoleFile, Cached>();
  async function load(name: ConsoleFile): Promise<Cached | null> {
    const path = join(dir, name);
    try {
      const { mtimeMs } = await stat(path);
      const hit = cache.get(name);
      if (hit?.mtimeMs === mtimeMs) return hit;
      const body = await readFile(path);
      const fresh = { mtimeMs, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
      cache.set(name, fresh);
      return fresh;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn('console asset unreadable', { path, error });
      return null;
    }
  }
  const serve = (name: ConsoleFile) => async (req: IncomingMessage, res: ServerResponse) => {
    const file = await load(name);
    if (!file) {
      res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS });
      res.end(name === 'index.html' ? NOT_BUILT : 'not built');
      return;
    }
    const headers = { 'content-type': CONSOLE_FILES[name], 'cache-control': 'no-cache', etag: file.etag, ...SECURITY_HEADERS };
    if (req.headers['if-none-match'] === file.etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': String(file.body.byteLength) });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  };
  return [
    { method: 'GET', path: '/', handle: serve('index.html') },
    ...(['app.js', 'app.css', 'japan.json'] as const).map((name) => ({
      method: 'GET' as const,
      path: `/console/${name}`,
      handle: serve(name),
    })),
  ];
}
