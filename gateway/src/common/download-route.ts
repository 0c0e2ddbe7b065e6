import type { IncomingHttpHeaders } from 'node:http';
import type { Identity } from '@kyoyo/auth';
import { DomainError, ErrorCode } from '@kyoyo/domain';
import { requestIdOf, sendGraphQLError, type Logger, type Route } from '@kyoyo/server-kit';
import type { GatewayContext } from './context';

/** What a CSV download produces: its file name and its text. */
export interface CsvDownload {
  filename: string;
  csv: string;
}

/** What a download route needs of the gateway: who is calling (bearer token or session cookie), and a request's context. */
export interface DownloadRouteDeps {
  authenticate: (headers: IncomingHttpHeaders) => Promise<Identity | null>;
  contextFor: (identity: Identity | null, requestId: string) => GatewayContext;
  logger: Logger;
}

/** A file a GET route answers with: its name, media type and body. */
export interface FileDownload {
  filename: string;
  contentType: string;
  body: string;
}

/**
 * `GET path?…`: a file with the same bearer token, rules and coded errors as the GraphQL operation it
 * mirrors; errors answer as GraphQL errors do (JSON with `extensions.code`).
 */
export function fileDownloadRoute(
  path: string,
  produce: (params: URLSearchParams, ctx: GatewayContext) => Promise<FileDownload>,
  { authenticate, contextFor, logger }: DownloadRouteDeps,
  /** Public data may be cached (`public, max-age=…`) and shown in the browser; the default is private and a download. */
  options: { cacheControl?: string; disposition?: 'attachment' | 'inline' } = {},
): Route {
  return {
    method: 'GET',
    path,
    handle: async (req, res) => {
      const requestId = requestIdOf(req);
      try {
        const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
        const ctx = contextFor(await authenticate(req.headers), requestId);
        const { filename, contentType, body } = await produce(params, ctx);
        res.writeHead(200, {
          'content-type': contentType,
          'content-disposition': `${options.disposition ?? 'attachment'}; filename="${filename}"`,
          'cache-control': options.cacheControl ?? 'no-store',
          'x-request-id': requestId,
        });
        res.end(body);
      } catch (error) {
        if (!(error instanceof DomainError)) {
          logger.error('download failed', { rid: requestId, path, error });
          return sendGraphQLError(res, new DomainError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal error'), requestId);
        }
        sendGraphQLError(res, error, requestId);
      }
    },
  };
}

/**
 * A CSV download (see `fileDownloadRoute`): UTF-8 with a byte-order mark so that spreadsheet programs read the
 * Japanese text right.
 */
export function csvDownloadRoute(
  path: string,
  produce: (params: URLSearchParams, ctx: GatewayContext) => Promise<CsvDownload>,
  deps: DownloadRouteDeps,
  options: { cacheControl?: string; disposition?: 'attachment' | 'inline' } = {},
): Route {
  return fileDownloadRoute(
    path,
    async (params, ctx) => {
      const { filename, csv } = await produce(params, ctx);
      return { filename, contentType: 'text/csv; charset=utf-8', body: `\uFEFF${csv}` };
    },
    deps,
    options,
  );
}
