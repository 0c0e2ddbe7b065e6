import { DomainError, ErrorCode } from '@kyoyo/domain';
import { csvDownloadRoute, type DownloadRouteDeps } from '../common/download-route';
import { usageStatementCsv } from './usage-statement.csv';

/**
 * `GET /usage-statement.csv?institution=CODE&month=YYYY-MM`: a usage statement as a CSV download for the
 * institution's facility office (same bearer token and rules as the `usageStatement` query).
 */
export const usageStatementRoute = (deps: DownloadRouteDeps) =>
  csvDownloadRoute(
    '/usage-statement.csv',
    async (params, ctx) => {
      const institution = params.get('institution') ?? '';
      const month = params.get('month') ?? '';
      if (!institution) throw new DomainError(ErrorCode.BAD_USER_INPUT, 'Name the institution: ?institution=CODE', 'institution');
      const statement = await ctx.bookings.usageStatement(institution, month, ctx.identity);
      return { filename: `usage-${institution}-${statement.month}.csv`, csv: usageStatementCsv(statement) };
    },
    deps,
  );
