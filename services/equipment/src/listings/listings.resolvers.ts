import type { EquipmentContext } from '../common/context';
import type { InstrumentInput } from '../instruments/instruments.service';
import type { ListingChange } from './listings.types';

/** Thin: arguments in, service call, result out. */
export const listingsResolvers = {
  Query: {
    listingChanges: (_: unknown, args: { instrumentId: string; first: number; before?: string | null }, ctx: EquipmentContext) =>
      ctx.listings.changes(args.instrumentId, args.first, args.before, ctx.identity),
    listedInstruments: (_: unknown, args: { after?: string | null; first: number }, ctx: EquipmentContext) =>
      ctx.listings.listed(args.after, args.first),
  },
  Mutation: {
    upsertInstrument: (_: unknown, args: { input: InstrumentInput }, ctx: EquipmentContext) =>
      ctx.listings.upsert(args.input, ctx.identity),
    importInstruments: (_: unknown, args: { csv: string; dryRun: boolean }, ctx: EquipmentContext) =>
      ctx.listings.import(args.csv, args.dryRun, ctx.identity),
    decommissionInstrument: (
      _: unknown,
      args: { id: string; reason?: string | null; cancelBookings: boolean },
      ctx: EquipmentContext,
    ) => ctx.listings.decommission(args.id, args.reason, args.cancelBookings, ctx.identity),
    recommissionInstrument: (_: unknown, args: { id: string }, ctx: EquipmentContext) =>
      ctx.listings.recommission(args.id, ctx.identity),
  },
  ListingChange: {
    id: (change: ListingChange) => String(change.id),
    instrumentId: (change: ListingChange) => String(change.instrumentId),
    changes: (change: ListingChange) =>
      Object.entries(change.changes).map(([field, { from, to }]) => ({
        field,
        from: from === null || from === undefined ? null : JSON.stringify(from),
        to: to === null || to === undefined ? null : JSON.stringify(to),
      })),
  },
};
