import type { EquipmentContext } from '../common/context';
import type { CatalogueListing } from './change-feed.types';

/** Thin: arguments in, service call, result out. */
export const changeFeedResolvers = {
  Query: {
    catalogueChanges: (_: unknown, args: { after?: string | null; first: number; waitMs: number }, ctx: EquipmentContext) =>
      ctx.changeFeed.changesAfter(args.after ?? null, args.first, args.waitMs),
    catalogueSnapshot: (_: unknown, args: { after?: string | null; first: number }, ctx: EquipmentContext) =>
      ctx.changeFeed.snapshot(args.after ?? null, args.first),
  },
  CatalogueListing: {
    instrument: (listing: CatalogueListing) => listing,
  },
};
