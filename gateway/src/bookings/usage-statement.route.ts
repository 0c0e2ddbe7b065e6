import type { Identity } from '@kyoyo/auth';
import { DomainError, ErrorCode } from '@kyoyo/domain';
import { requestIdOf, sendGraphQLError, type Logger, type Route } from '@kyoyo/server-kit';
import type { GatewayContext } from '../common/context';
import { usageStatementCsv } from './usage-statement.csv';

/**
 * `GET /usage-statement.csv?institution=CODE&month=YYYY-MM`: a usage statement as a CSV download for the
 * institution's facility office (same bearer token and rules as the `usageStatement` query). UTF-8 with a
 * byte-order mark so that spreadsheet programs read the Japanese text right.
 */
export function usageStatementRoute(
  authenticate: (authorization: string | undefined) => Promise<Identity | null>,
  contextFor: (identity: Identity | null, requestId: string) => GatewayContext,
  logger: Logger,
): Route {
  return {
    method: 'GET',
    path: '/usage-statement.csv',
    handle: async (req, res) => {
      const requestId = requestIdOf(req);
      try {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const institution = url.searchParams.get('institution') ?? '';
        const month = url.searchParams.get('month') ?? '';
        if (!institution)
          throw new DomainError(ErrorCode.BAD_USER_INPUT, 'Name the institution: ?institution=CODE', 'institution');
        const ctx = contextFor(await authenticate(req.headers.authorization), requestId);
        const statement = await ctx.bookings.usageStatement(institution, month, ctx.identity);
        res.writeHead(200, {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="usage-${institution}-${statement.month}.csv"`,
          'cache-control': 'no-store',
          'x-request-id': requestId,
        });
        res.end(`\uFEFF${usageStatementCsv(statement)}`);
      } catch (error) {
        if (!(error instanceof DomainError)) {
          logger.error('usage statement failed', { rid: requestId, error });
          return sendGraphQLError(res, new DomainError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal error'), requestId);
        }
        sendGraphQLError(res, error, requestId);
      }
    },
  };
}
