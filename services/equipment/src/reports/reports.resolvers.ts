import type { EquipmentContext } from '../common/context';

/** Thin: arguments in, service call, result out. */
export const reportsResolvers = {
  Query: {
    sharingStats: (_: unknown, args: { fiscalYear: number }, ctx: EquipmentContext) =>
      ctx.reports.sharingStats(args.fiscalYear, ctx.identity),
  },
};
