import type { EquipmentContext } from '../common/context';

/** Thin: the cursor in, the owner's summary out. */
export const changeFeedSummaryResolvers = {
  Query: {
    catalogueSummary: (_: unknown, args: { after: string }, ctx: EquipmentContext) => ctx.catalogueSummary.summary(args.after),
  },
};
