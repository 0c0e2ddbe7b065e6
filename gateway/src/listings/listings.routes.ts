import { DomainError, ErrorCode } from '@kyoyo/domain';
import { csvDownloadRoute, type DownloadRouteDeps } from '../common/download-route';

function institutionParam(params: URLSearchParams): string {
  const institution = params.get('institution') ?? '';
  if (!institution) throw new DomainError(ErrorCode.BAD_USER_INPUT, 'Name the institution: ?institution=CODE', 'institution');
  return institution;
}

/**
 * `GET /listings.csv?institution=CODE`: the institution's listings as a Kyoyo CSV for its facility office
 * (or ADMIN), which `importInstruments` reads back unchanged.
 */
export const listingsCsvRoute = (deps: DownloadRouteDeps) =>
  csvDownloadRoute(
    '/listings.csv',
    async (params, ctx) => {
      const institution = institutionParam(params);
      return { filename: `listings-${institution}.csv`, csv: await ctx.listings.exportKyoyoCsv(institution, ctx.identity) };
    },
    deps,
  );

/**
 * `GET /open-data/equipment.csv?institution=CODE`: the institution's listed instruments as `uniquip` open
 * data (the UK equipment-sharing format that aggregators read), for anyone, without signing in — the stable
 * address an institution's open-data page links to. Cached for five minutes.
 */
export const openDataRoute = (deps: DownloadRouteDeps) =>
  csvDownloadRoute(
    '/open-data/equipment.csv',
    async (params, ctx) => {
      const institution = institutionParam(params);
      return { filename: `equipment-${institution}.csv`, csv: await ctx.listings.exportUniquip(institution) };
    },
    deps,
    { cacheControl: 'public, max-age=300', disposition: 'inline' },
  );
