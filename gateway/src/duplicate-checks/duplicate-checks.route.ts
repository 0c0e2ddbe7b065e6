import { csvDownloadRoute, type DownloadRouteDeps } from '../common/download-route';
import { duplicateChecksCsv } from './duplicate-checks.csv';

/** `GET /duplicate-checks.csv?batch=BATCH_ID`: a batch's results for a review panel (same access as `duplicateCheck`). */
export const duplicateChecksRoute = (deps: DownloadRouteDeps) =>
  csvDownloadRoute(
    '/duplicate-checks.csv',
    async (params, ctx) => {
      const batch = params.get('batch') ?? '';
      const checks = await ctx.duplicateChecks.batch(batch, ctx.identity);
      return { filename: `duplicate-checks-${batch}.csv`, csv: duplicateChecksCsv(checks) };
    },
    deps,
  );
