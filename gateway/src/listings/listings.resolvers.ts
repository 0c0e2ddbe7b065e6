import type { GatewayContext } from '../common/context';
import type { FederatedListingChange } from './listings.service';

/** Thin: arguments in, service call, result out. */
export const listingsResolvers = {
  Query: {
    listingChanges: (
      _: unknown,
      args: { instrumentId: string; first?: number | null; before?: string | null },
      ctx: GatewayContext,
    ) => ctx.listings.changes(args.instrumentId, args.first ?? 100, args.before, ctx.identity),
  },
  Mutation: {
    importInstruments: (_: unknown, args: { institution: string; csv: string; dryRun?: boolean | null }, ctx: GatewayContext) =>
      ctx.listings.import(args.institution, args.csv, args.dryRun ?? false, ctx.identity),
    decommissionInstrument: (
      _: unknown,
      args: { id: string; reason?: string | null; cancelBookings?: boolean | null },
      ctx: GatewayContext,
    ) => ctx.listings.decommission(args.id, args.reason, args.cancelBookings ?? false, ctx.identity),
    recommissionInstrument: (_: unknown, args: { id: string }, ctx: GatewayContext) =>
      ctx.listings.recommission(args.id, ctx.identity),
  },
  ListingChange: {
    instrument: (change: FederatedListingChange, _: unknown, ctx: GatewayContext) =>
      ctx.instruments.byGlobalId(change.instrumentId, 'instrumentId'),
  },
};
