import type { GatewayContext } from '../common/context';

/** Thin: arguments in, service call, result out. */
export const reportsResolvers = {
  Query: {
    sharingReport: (_: unknown, args: { institution?: string | null; fiscalYear?: number | null }, ctx: GatewayContext) =>
      ctx.reports.sharingReport(args.institution, args.fiscalYear, ctx.identity),
  },
};
